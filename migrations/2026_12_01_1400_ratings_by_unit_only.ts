// One index fewer per stored rating (issue 20, docs/ingest.md, ninth pass). `ratings_id_idx (id)` served the last read
// of ratings by id alone: another process reading a commit's ratings for its live sockets. That change now carries each
// rating's unit, and the read goes by the primary key (unit_id, id), so the index only cost every insert an entry.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await sql`drop index ratings_id_idx`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`create index ratings_id_idx on ratings (id)`.execute(db)
}
