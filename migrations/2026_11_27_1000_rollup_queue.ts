// Rollups leave the ingest transaction: each rating carries a `rolled_up` mark, set by the catch-up worker in the
// same transaction that adds the rating to the rollups, so a rating is counted exactly once.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  // Ratings stored until now were rolled up in their ingest transaction; new ones wait for the worker.
  await db.schema.alterTable('ratings').addColumn('rolled_up', 'boolean', (c) => c.notNull().defaultTo(true)).execute()
  await db.schema.alterTable('ratings').alterColumn('rolled_up', (c) => c.setDefault(false)).execute()
  // Small at all times (the worker keeps up), so figures can add the pending ratings cheaply.
  await db.schema.createIndex('ratings_rollup_pending_idx').on('ratings').columns(['unit_id', 'counted_at'])
    .where(sql.ref('rolled_up'), '=', false).execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ratings_rollup_pending_idx').execute()
  await db.schema.alterTable('ratings').dropColumn('rolled_up').execute()
}
