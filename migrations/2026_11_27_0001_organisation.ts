// The organisation: the unit tree, counters, officers and their shifts at counters.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('units')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('parent_id', 'uuid', (c) => c.references('units.id').onDelete('restrict'))
    .addColumn('kind', 'text', (c) => c.notNull()
      .check(sql`kind in ('province', 'commune', 'ward', 'special_zone', 'centre', 'agency', 'other')`))
    .addColumn('code', 'text', (c) => c.notNull().unique().check(sql`length(code) between 1 and 32`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 200`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('units_not_own_parent', sql`parent_id is null or parent_id <> id`)
    .execute()
  await db.schema.createIndex('units_parent_idx').on('units').column('parent_id').execute()

  await db.schema.createTable('counters')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id').onDelete('restrict'))
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number between 1 and 9999`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 200`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('counters_unit_number_key', ['unit_id', 'number'])
    .execute()

  await db.schema.createTable('officers')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id').onDelete('restrict'))
    .addColumn('staff_code', 'text', (c) => c.notNull().unique().check(sql`staff_code ~ '^[A-Za-z0-9._-]{1,32}$'`))
    .addColumn('full_name', 'text', (c) => c.notNull().check(sql`length(full_name) between 1 and 200`))
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('photo_url', 'text')
    .addColumn('pin_hash', 'text')
    .addColumn('pin_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pin_locked_until', 'timestamptz')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('officers_unit_idx').on('officers').column('unit_id').execute()

  // A shift: the officer credited with a counter's ratings between started_at and ended_at.
  await db.schema.createTable('assignments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id').onDelete('restrict'))
    .addColumn('counter_id', 'uuid', (c) => c.notNull().references('counters.id').onDelete('restrict'))
    .addColumn('officer_id', 'uuid', (c) => c.notNull().references('officers.id').onDelete('restrict'))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('ended_at', 'timestamptz')
    .addCheckConstraint('assignments_period', sql`ended_at is null or ended_at >= started_at`)
    .execute()
  // At most one open shift per counter and per officer.
  await db.schema.createIndex('assignments_open_counter_key').on('assignments').column('counter_id').unique()
    .where(sql.ref('ended_at'), 'is', null).execute()
  await db.schema.createIndex('assignments_open_officer_key').on('assignments').column('officer_id').unique()
    .where(sql.ref('ended_at'), 'is', null).execute()
  await db.schema.createIndex('assignments_counter_time_idx').on('assignments').columns(['counter_id', 'started_at']).execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('assignments').execute()
  await db.schema.dropTable('officers').execute()
  await db.schema.dropTable('counters').execute()
  await db.schema.dropTable('units').execute()
}
