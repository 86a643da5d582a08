// Faster figures: subtree rollups (each unit's whole subtree per hour, day, month, year), criteria packed into the rollup rows, a year
// grain; rollups rebuilt from the ratings.
import { sql, type Kysely } from 'kysely'

const levels = Array.from({ length: 10 }, (_, index) => `level_${index + 1}`)
const scalars = ['total', 'satisfied', 'neutral', 'unsatisfied', 'weight_sum', ...levels]
const counts = [...scalars, 'answered', 'met']

export async function up (db: Kysely<any>): Promise<void> {
  // Criteria are packed into every rollup row as arrays indexed by a slot fixed per code (a row per code
  // made two thirds of the rows a figure read). Element-wise addition for the upserts:
  await sql`create function int_array_add (a integer[], b integer[]) returns integer[] language sql immutable parallel safe as $$
    select coalesce(array_agg(coalesce(a[i], 0) + coalesce(b[i], 0) order by i), '{}')
    from generate_series(1, greatest(coalesce(cardinality(a), 0), coalesce(cardinality(b), 0))) as i
  $$`.execute(db)
  await db.schema.createTable('criterion_slots')
    .addColumn('slot', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .execute()

  // Detail rollups (per counter × officer) keep days, months and a new year grain, no hours any more: hours of
  // one counter or officer are few enough to read from the ratings.
  await sql`delete from rating_rollups`.execute(db)
  await db.schema.alterTable('rating_rollups').dropConstraint('rating_rollups_grain_check').execute()
  await db.schema.alterTable('rating_rollups')
    .addCheckConstraint('rating_rollups_grain_check', sql`grain in ('day', 'month', 'year')`).execute()
  await db.schema.alterTable('rating_rollups').addColumn('answered', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`)).execute()
  await db.schema.alterTable('rating_rollups').addColumn('met', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`)).execute()
  await db.schema.dropTable('rating_criterion_rollups').execute()

  // Subtree rollups: one row per (grain, unit, bucket, misuse) counting every rating of the unit and of all units
  // below it, so a province's figures read a handful of rows instead of every centre's.
  let table = db.schema.createTable('subtree_rollups')
    .addColumn('grain', 'text', (c) => c.notNull().check(sql`grain in ('hour', 'day', 'month', 'year')`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull())
    .addColumn('bucket', 'timestamptz', (c) => c.notNull())
    .addColumn('misuse', 'boolean', (c) => c.notNull())
  for (const column of scalars) {
    table = table.addColumn(column, column === 'weight_sum' ? 'bigint' : 'integer', (c) => c.notNull().defaultTo(0))
  }
  table = table.addColumn('answered', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('met', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
  await table.execute()
  await db.schema.createIndex('subtree_rollups_key').on('subtree_rollups')
    .columns(['grain', 'unit_id', 'bucket', 'misuse']).unique().execute()

  // A unit moving to another parent takes its subtree's counts from its old ancestors to its new ones, in the
  // moving transaction (the rollup worker holds a SHARE lock on units while it adds ratings).
  const negated = (column: string): string => column === 'answered' || column === 'met'
    ? `array(select shift.sign * coalesce(x, 0) from unnest(r.${column}) with ordinality as a (x, i) order by i)`
    : `shift.sign * r.${column}`
  const added = (column: string): string => column === 'answered' || column === 'met'
    ? `${column} = int_array_add(subtree_rollups.${column}, excluded.${column})`
    : `${column} = subtree_rollups.${column} + excluded.${column}`
  await sql.raw(`create function subtree_rollups_unit_moved () returns trigger language plpgsql as $$
    begin
      if new.parent_id is distinct from old.parent_id then
        with recursive old_up (id) as (
          select old.parent_id where old.parent_id is not null
          union all
          select u.parent_id from units u join old_up on u.id = old_up.id where u.parent_id is not null
        ), new_up (id) as (
          select new.parent_id where new.parent_id is not null
          union all
          select u.parent_id from units u join new_up on u.id = new_up.id where u.parent_id is not null
        ), shift (id, sign) as (
          select id, sum(sign)::int from (select id, -1 as sign from old_up union all select id, 1 from new_up) s
          group by id having sum(sign) <> 0
        )
        insert into subtree_rollups (grain, unit_id, bucket, misuse, ${counts.join(', ')})
        select r.grain, shift.id, r.bucket, r.misuse, ${counts.map(negated).join(', ')}
        from subtree_rollups r cross join shift where r.unit_id = new.id
        on conflict (grain, unit_id, bucket, misuse) do update set ${counts.map(added).join(', ')};
      end if;
      return null;
    end
  $$`).execute(db)
  await sql`create trigger units_moved_subtree_rollups after update of parent_id on units
    for each row execute function subtree_rollups_unit_moved()`.execute(db)

  await rebuild(db)
}

/** The rollups are derived data: recomputed from the ratings in the new layout (a copy of analytics' rebuild as of this migration). */
async function rebuild (db: Kysely<any>): Promise<void> {
  const codes = await sql<{ code: string }>`select code from (select distinct jsonb_object_keys(criteria) as code from ratings) c
    order by (select position from criteria where criteria.code = c.code) nulls last, code`.execute(db)
  for (const { code } of codes.rows) await sql`insert into criterion_slots (code) values (${code})`.execute(db)
  const width = codes.rows.length
  const array = (item: (slot: number) => string): string => width === 0 ? "'{}'::integer[]" : `array[${Array.from({ length: width }, (_, index) => `coalesce(${item(index + 1)}, 0)::integer`).join(', ')}]`
  const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`
  const raw = `count(*), count(*) filter (where category = 'satisfied'), count(*) filter (where category = 'neutral'),
    count(*) filter (where category = 'unsatisfied'), sum(weight), ${levels.map((_, index) => `count(*) filter (where level = ${index + 1})`).join(', ')},
    ${array((slot) => `count(*) filter (where criteria ? ${literal(codes.rows[slot - 1]!.code)})`)},
    ${array((slot) => `count(*) filter (where criteria -> ${literal(codes.rows[slot - 1]!.code)} = 'true'::jsonb)`)}`
  const summed = `${scalars.map((column) => `sum(${column})`).join(', ')}, ` +
    `${array((slot) => `sum(answered[${slot}])`)}, ${array((slot) => `sum(met[${slot}])`)}`
  const local = (column: string, unit: string): string => unit === 'hour'
    ? `(date_trunc('hour', ${column} at time zone 'UTC') at time zone 'UTC')`
    : `((date_trunc('${unit}', (${column} at time zone 'UTC') + interval '7 hours') - interval '7 hours') at time zone 'UTC')`
  const run = (text: string): Promise<unknown> => sql.raw(text).execute(db)
  await run(`insert into rating_rollups (grain, unit_id, bucket, counter_id, officer_id, misuse, ${counts.join(', ')})
    select 'day', unit_id, ${local('counted_at', 'day')}, counter_id, officer_id, misuse, ${raw}
    from ratings group by 2, 3, 4, 5, 6`)
  for (const [grain, from] of [['month', 'day'], ['year', 'month']]) {
    await run(`insert into rating_rollups (grain, unit_id, bucket, counter_id, officer_id, misuse, ${counts.join(', ')})
      select '${grain}', unit_id, ${local('bucket', grain!)}, counter_id, officer_id, misuse, ${summed}
      from rating_rollups where grain = '${from}' group by 2, 3, 4, 5, 6`)
  }
  await run(`insert into subtree_rollups (grain, unit_id, bucket, misuse, ${counts.join(', ')})
    select 'hour', a.ancestor_id, o.bucket, o.misuse, ${summed}
    from (select unit_id, ${local('counted_at', 'hour')} as bucket, misuse, ${raw} from ratings group by 1, 2, 3) o (unit_id, bucket, misuse, ${counts.join(', ')})
    join (with recursive up (unit_id, ancestor_id) as (
        select id, id from units
        union all
        select up.unit_id, u.parent_id from up join units u on u.id = up.ancestor_id where u.parent_id is not null
      ) select * from up) a on a.unit_id = o.unit_id
    group by 2, 3, 4`)
  for (const [grain, from] of [['day', 'hour'], ['month', 'day'], ['year', 'month']]) {
    await run(`insert into subtree_rollups (grain, unit_id, bucket, misuse, ${counts.join(', ')})
      select '${grain}', unit_id, ${local('bucket', grain!)}, misuse, ${summed}
      from subtree_rollups where grain = '${from}' group by 2, 3, 4`)
  }
  await run('update ratings set rolled_up = true where not rolled_up')
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`drop trigger units_moved_subtree_rollups on units`.execute(db)
  await sql`drop function subtree_rollups_unit_moved ()`.execute(db)
  await db.schema.dropTable('subtree_rollups').execute()
  // The old layout's rollups are rebuilt by analytics' rebuildRollups of that version.
  await sql`delete from rating_rollups`.execute(db)
  await db.schema.alterTable('rating_rollups').dropColumn('answered').dropColumn('met').execute()
  await db.schema.alterTable('rating_rollups').dropConstraint('rating_rollups_grain_check').execute()
  await db.schema.alterTable('rating_rollups')
    .addCheckConstraint('rating_rollups_grain_check', sql`grain in ('hour', 'day', 'month')`).execute()
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
  await db.schema.dropTable('criterion_slots').execute()
  await sql`drop function int_array_add (integer[], integer[])`.execute(db)
}
