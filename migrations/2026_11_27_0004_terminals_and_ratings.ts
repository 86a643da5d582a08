// Devices at counters, the raw immutable ratings they send, and the follow-up cases of unsatisfied ones.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('terminals')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id').onDelete('restrict'))
    .addColumn('counter_id', 'uuid', (c) => c.notNull().references('counters.id').onDelete('restrict'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('touch', 'button')`))
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('pairing_code_hash', 'text', (c) => c.unique())
    .addColumn('pairing_expires_at', 'timestamptz')
    .addColumn('paired_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_seen_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('terminals_counter_idx').on('terminals').column('counter_id').execute()

  // One row per press, never updated except to flag it; id is the device's UUID (idempotency key).
  await db.schema.createTable('ratings')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id').onDelete('restrict'))
    .addColumn('counter_id', 'uuid', (c) => c.notNull().references('counters.id').onDelete('restrict'))
    .addColumn('terminal_id', 'uuid', (c) => c.notNull().references('terminals.id').onDelete('restrict'))
    .addColumn('officer_id', 'uuid', (c) => c.references('officers.id').onDelete('restrict'))
    // The officer id the device believed was serving, kept when it differs from the server's.
    .addColumn('device_officer_id', 'uuid')
    .addColumn('level', 'integer', (c) => c.notNull().check(sql`level between 1 and 10`))
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category in ('satisfied', 'neutral', 'unsatisfied')`))
    .addColumn('weight', 'integer', (c) => c.notNull().check(sql`weight between 0 and 100`))
    // { criterionCode: met } for the criteria the citizen answered.
    .addColumn('criteria', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('rated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The time the figures use: rated_at, or received_at when the device clock was not trusted.
    .addColumn('counted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('clock_untrusted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('touch', 'button')`))
    .addColumn('misuse', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('misuse_reason', 'text', (c) => c.check(sql`misuse_reason in ('cooldown', 'burst')`))
    .execute()
  await db.schema.createIndex('ratings_unit_time_idx').on('ratings').columns(['unit_id', 'counted_at']).execute()
  await db.schema.createIndex('ratings_terminal_time_idx').on('ratings').columns(['terminal_id', 'rated_at']).execute()
  await db.schema.createIndex('ratings_officer_time_idx').on('ratings').columns(['officer_id', 'counted_at']).execute()

  await db.schema.createTable('cases')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id').onDelete('restrict'))
    .addColumn('rating_id', 'uuid', (c) => c.notNull().unique().references('ratings.id').onDelete('restrict'))
    .addColumn('counter_id', 'uuid', (c) => c.notNull().references('counters.id').onDelete('restrict'))
    .addColumn('officer_id', 'uuid', (c) => c.references('officers.id').onDelete('restrict'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'resolved')`))
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolved_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('note', 'text')
    .addCheckConstraint('cases_resolution', sql`(status = 'resolved') = (resolved_at is not null)`)
    .execute()
  await db.schema.createIndex('cases_unit_status_idx').on('cases').columns(['unit_id', 'status', 'opened_at']).execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cases').execute()
  await db.schema.dropTable('ratings').execute()
  await db.schema.dropTable('terminals').execute()
}
