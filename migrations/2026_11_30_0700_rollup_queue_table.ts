// The rollup worker's queue becomes a table of its own: the ingest adds (unit_id, rating_id) in the statement that
// stores the ratings, the worker deletes what it rolled up. Marking each rating `rolled_up = true` rewrote the whole
// row and every index entry of it (not a HOT update: the pending index's predicate column changed).
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  // Keyed (unit_id, rating_id) like ratings itself (the Citus distribution key leads, docs/scale.md). No foreign key:
  // the row is written in the statement that inserts the rating and deleted in the run that rolls it up.
  await db.schema.createTable('rollup_queue')
    .addColumn('unit_id', 'uuid', (c) => c.notNull())
    .addColumn('rating_id', 'uuid', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollup_queue_pkey', ['unit_id', 'rating_id'])
    .execute()
  // Ratings still pending move to the queue; a worker of the previous code is kept out meanwhile.
  await sql`lock table ratings in exclusive mode`.execute(db)
  await sql`insert into rollup_queue (unit_id, rating_id) select unit_id, id from ratings where not rolled_up`.execute(db)
  await db.schema.dropIndex('ratings_rollup_pending_idx').execute()
  await db.schema.alterTable('ratings').dropColumn('rolled_up').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ratings').addColumn('rolled_up', 'boolean', (c) => c.notNull().defaultTo(true)).execute()
  await db.schema.alterTable('ratings').alterColumn('rolled_up', (c) => c.setDefault(false)).execute()
  await sql`update ratings r set rolled_up = false from rollup_queue q where r.unit_id = q.unit_id and r.id = q.rating_id`.execute(db)
  await db.schema.createIndex('ratings_rollup_pending_idx').on('ratings').columns(['unit_id', 'counted_at'])
    .where(sql.ref('rolled_up'), '=', false).execute()
  await db.schema.dropTable('rollup_queue').execute()
}
