// Alert rules per unit (evaluated by the server as ratings arrive) and the alerts they fire, acknowledged by supervisors.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  // Small and read whole into memory by the server: a reference table on the Citus path.
  await db.schema.createTable('alert_rules')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id').onDelete('restrict'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('unsatisfied_share', 'unsatisfied_streak')`))
    // unsatisfied_share: { windowMinutes, thresholdPercent, minCount }; unsatisfied_streak: { count }.
    .addColumn('parameters', 'jsonb', (c) => c.notNull())
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('alert_rules_unit_idx').on('alert_rules').column('unit_id').execute()

  // Distributed by unit on the Citus path: unit_id leads the primary key and the one unique key.
  await db.schema.createTable('alerts')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id').onDelete('restrict'))
    // A deleted rule leaves its alerts as history: kind and details say what fired.
    .addColumn('rule_id', 'uuid', (c) => c.references('alert_rules.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('unsatisfied_share', 'unsatisfied_streak')`))
    .addColumn('counter_id', 'uuid', (c) => c.references('counters.id').onDelete('restrict'))
    .addColumn('fired_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('acknowledged_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('note', 'text')
    .addPrimaryKeyConstraint('alerts_pkey', ['unit_id', 'id'])
    .addCheckConstraint('alerts_acknowledgement', sql`acknowledged_at is not null or (acknowledged_by is null and note is null)`)
    .execute()
  await db.schema.createIndex('alerts_id_idx').on('alerts').column('id').execute()
  await db.schema.createIndex('alerts_unit_time_idx').on('alerts').columns(['unit_id', 'fired_at']).execute()
  // No alert storms, across server processes too: one open alert per rule (and counter, for streaks).
  await db.schema.createIndex('alerts_open_key').on('alerts').unique()
    .expression(sql`unit_id, rule_id, coalesce(counter_id, '00000000-0000-0000-0000-000000000000'::uuid)`)
    .where(sql.ref('acknowledged_at'), 'is', null).execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('alerts').execute()
  await db.schema.dropTable('alert_rules').execute()
}
