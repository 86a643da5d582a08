// One rollup run per interval across all API processes (issue 20, docs/ingest.md, tenth pass). Each process's worker
// ran on its own timer and nudges: two processes made more runs, each with fewer ratings, and each run rewrites one
// rollup row per counter and grain it touches. The row here is the shared clock: a run starts only when ratings are
// queued and the last run, by any process, started at least an interval ago.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('rollup_turn')
    .addColumn('singleton', 'boolean', (c) => c.primaryKey().defaultTo(true).check(sql`singleton`))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`insert into rollup_turn (started_at) values ('-infinity')`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_turn').execute()
}
