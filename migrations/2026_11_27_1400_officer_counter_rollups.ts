// Officers and counters of a whole subtree for a year: per-subtree year rows per officer and per counter, so a province reads its own
// ~2,000 rows instead of every counter × officer row below it.
import { sql, type Kysely } from 'kysely'

const levels = Array.from({ length: 10 }, (_, index) => `level_${index + 1}`)
const scalars = ['total', 'satisfied', 'neutral', 'unsatisfied', 'weight_sum', ...levels]
const counts = [...scalars, 'answered', 'met']
const tables = [
  { table: 'officer_rollups', column: 'officer_id', nullable: true },
  { table: 'counter_rollups', column: 'counter_id', nullable: false }
] as const

export async function up (db: Kysely<any>): Promise<void> {
  // Like subtree_rollups, a row counts the unit's whole subtree (a rating adds to its unit and every unit above
  // it), here for one officer or one counter. Local years only for now (grain kept in the key for finer ones).
  // unit_id leads the key: the Citus path distributes these by the unit whose subtree a row counts.
  for (const { table, column, nullable } of tables) {
    let builder = db.schema.createTable(table)
      .addColumn('unit_id', 'uuid', (c) => c.notNull())
      .addColumn('grain', 'text', (c) => c.notNull().check(sql`grain in ('year')`))
      .addColumn('bucket', 'timestamptz', (c) => c.notNull())
      .addColumn(column, 'uuid', (c) => nullable ? c : c.notNull())
      .addColumn('misuse', 'boolean', (c) => c.notNull())
    for (const scalar of scalars) {
      builder = builder.addColumn(scalar, scalar === 'weight_sum' ? 'bigint' : 'integer', (c) => c.notNull().defaultTo(0))
    }
    await builder.addColumn('answered', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
      .addColumn('met', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
      .execute()
    // officer_id is null for ratings given while nobody was signed in: one row for those too.
    let index = db.schema.createIndex(`${table}_key`).on(table).columns(['unit_id', 'grain', 'bucket', column, 'misuse']).unique()
    if (nullable) index = index.nullsNotDistinct()
    await index.execute()
  }

  // A unit moving to another parent takes its subtree's rows from its old ancestors to its new ones, as
  // subtree_rollups_unit_moved does (the rollup worker holds a SHARE lock on units while it adds ratings).
  const negated = (table: string, column: string): string => column === 'answered' || column === 'met'
    ? `array(select shift.sign * coalesce(x, 0) from unnest(r.${column}) with ordinality as a (x, i) order by i)`
    : `shift.sign * r.${column}`
  const added = (table: string, column: string): string => column === 'answered' || column === 'met'
    ? `${column} = int_array_add(${table}.${column}, excluded.${column})`
    : `${column} = ${table}.${column} + excluded.${column}`
  const shift = `with recursive old_up (id) as (
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
        )`
  const shifts = tables.map(({ table, column }) => `
        ${shift}
        insert into ${table} (unit_id, grain, bucket, ${column}, misuse, ${counts.join(', ')})
        select shift.id, r.grain, r.bucket, r.${column}, r.misuse, ${counts.map((count) => negated(table, count)).join(', ')}
        from ${table} r cross join shift where r.unit_id = new.id
        on conflict (unit_id, grain, bucket, ${column}, misuse) do update set ${counts.map((count) => added(table, count)).join(', ')};`)
  await sql.raw(`create function officer_counter_rollups_unit_moved () returns trigger language plpgsql as $$
    begin
      if new.parent_id is distinct from old.parent_id then
        ${shifts.join('\n')}
      end if;
      return null;
    end
  $$`).execute(db)
  await sql`create trigger units_moved_officer_counter_rollups after update of parent_id on units
    for each row execute function officer_counter_rollups_unit_moved()`.execute(db)

  // Derived data: the year rows of the detail rollups, added to every ancestor of their unit. A rollup worker of
  // another process waits meanwhile, so none of its runs lands in one table and not the other.
  await sql`lock table rating_rollups in share mode`.execute(db)
  for (const { table, column } of tables) {
    const width = await sql<{ n: number }>`select coalesce(max(slot), 0)::int as n from criterion_slots`.execute(db)
    const n = Number(width.rows[0]!.n)
    const array = (name: string): string => n === 0 ? "'{}'::integer[]" : `array[${Array.from({ length: n }, (_, index) => `coalesce(sum(d.${name}[${index + 1}]), 0)::integer`).join(', ')}]`
    await sql.raw(`insert into ${table} (unit_id, grain, bucket, ${column}, misuse, ${counts.join(', ')})
      select a.ancestor_id, 'year', d.bucket, d.${column}, d.misuse, ${scalars.map((scalar) => `sum(d.${scalar})`).join(', ')}, ${array('answered')}, ${array('met')}
      from rating_rollups d
      join (with recursive up (unit_id, ancestor_id) as (
          select id, id from units
          union all
          select up.unit_id, u.parent_id from up join units u on u.id = up.ancestor_id where u.parent_id is not null
        ) select * from up) a on a.unit_id = d.unit_id
      where d.grain = 'year'
      group by a.ancestor_id, d.bucket, d.${column}, d.misuse`).execute(db)
  }
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`drop trigger units_moved_officer_counter_rollups on units`.execute(db)
  await sql`drop function officer_counter_rollups_unit_moved ()`.execute(db)
  await db.schema.dropTable('counter_rollups').execute()
  await db.schema.dropTable('officer_rollups').execute()
}
