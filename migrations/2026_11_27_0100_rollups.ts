// Rating rollups: counts per unit, counter, officer and time bucket (hour, local day, local month), kept up to date by the ingest.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  // One row per (grain, unit, counter, officer, bucket, misuse). `bucket` is the start of the hour,
  // or of the day / month in Asia/Ho_Chi_Minh (UTC+7, no DST). unit_id leads every key: the Citus path
  // distributes these tables by unit like the ratings they come from.
  let table = db.schema.createTable('rating_rollups')
    .addColumn('grain', 'text', (c) => c.notNull().check(sql`grain in ('hour', 'day', 'month')`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull())
    .addColumn('bucket', 'timestamptz', (c) => c.notNull())
    .addColumn('counter_id', 'uuid', (c) => c.notNull())
    .addColumn('officer_id', 'uuid')
    .addColumn('misuse', 'boolean', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('satisfied', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('neutral', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unsatisfied', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('weight_sum', 'bigint', (c) => c.notNull().defaultTo(0))
  // Levels are 1–10 (the ratings table's check): one count column each keeps the upsert a plain addition.
  for (let level = 1; level <= 10; level++) {
    table = table.addColumn(`level_${level}`, 'integer', (c) => c.notNull().defaultTo(0))
  }
  await table.execute()
  await db.schema.createIndex('rating_rollups_key').on('rating_rollups')
    .columns(['grain', 'unit_id', 'bucket', 'counter_id', 'officer_id', 'misuse']).unique().nullsNotDistinct().execute()

  // Criteria codes are configurable, so their answered/met counts get a row per code.
  await db.schema.createTable('rating_criterion_rollups')
    .addColumn('grain', 'text', (c) => c.notNull().check(sql`grain in ('hour', 'day', 'month')`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull())
    .addColumn('bucket', 'timestamptz', (c) => c.notNull())
    .addColumn('counter_id', 'uuid', (c) => c.notNull())
    .addColumn('officer_id', 'uuid')
    .addColumn('misuse', 'boolean', (c) => c.notNull())
    .addColumn('criterion_code', 'text', (c) => c.notNull())
    .addColumn('answered', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('met', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.createIndex('rating_criterion_rollups_key').on('rating_criterion_rollups')
    .columns(['grain', 'unit_id', 'bucket', 'counter_id', 'officer_id', 'misuse', 'criterion_code']).unique().nullsNotDistinct().execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rating_criterion_rollups').execute()
  await db.schema.dropTable('rating_rollups').execute()
}
