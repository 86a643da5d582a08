// Satisfaction by channel (issue 17): the ratings not given on a touch terminal (button box, phone), found by unit and
// time without reading the touch ones; the touch channel is the whole (rollups) less these.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await sql`create index ratings_channel_idx on ratings (unit_id, counted_at) where source <> 'touch'`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`drop index ratings_channel_idx`.execute(db)
}
