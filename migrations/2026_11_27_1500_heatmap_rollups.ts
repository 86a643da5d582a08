// Heat maps of a year: per-subtree year rows per local weekday × hour cell, so a year's heat map reads at most 168 rows a unit instead of
// every hour row of the year.
import { sql, type Kysely } from 'kysely'

const levels = Array.from({ length: 10 }, (_, index) => `level_${index + 1}`)
const scalars = ['total', 'satisfied', 'neutral', 'unsatisfied', 'weight_sum', ...levels]
const counts = [...scalars, 'answered', 'met']

export async function up (db: Kysely<any>): Promise<void> {
  // Like subtree_rollups, a row counts the unit's whole subtree. cell = (local ISO weekday − 1) × 24 + local hour
  // (0 = Monday 0:00 … 167 = Sunday 23:00). Local years only; parts of a year come from the hour rows.
  let builder = db.schema.createTable('heatmap_rollups')
    .addColumn('unit_id', 'uuid', (c) => c.notNull())
    .addColumn('grain', 'text', (c) => c.notNull().check(sql`grain in ('year')`))
    .addColumn('bucket', 'timestamptz', (c) => c.notNull())
    .addColumn('cell', 'smallint', (c) => c.notNull().check(sql`cell between 0 and 167`))
    .addColumn('misuse', 'boolean', (c) => c.notNull())
  for (const scalar of scalars) {
    builder = builder.addColumn(scalar, scalar === 'weight_sum' ? 'bigint' : 'integer', (c) => c.notNull().defaultTo(0))
  }
  await builder.addColumn('answered', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('met', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute()
  await db.schema.createIndex('heatmap_rollups_key').on('heatmap_rollups')
    .columns(['unit_id', 'grain', 'bucket', 'cell', 'misuse']).unique().execute()

  // A unit moving to another parent takes its subtree's cells from its old ancestors to its new ones, as
  // subtree_rollups_unit_moved does for the other subtree rows.
  const negated = (column: string): string => column === 'answered' || column === 'met'
    ? `array(select shift.sign * coalesce(x, 0) from unnest(r.${column}) with ordinality as a (x, i) order by i)`
    : `shift.sign * r.${column}`
  const added = (column: string): string => column === 'answered' || column === 'met'
    ? `${column} = int_array_add(heatmap_rollups.${column}, excluded.${column})`
    : `${column} = heatmap_rollups.${column} + excluded.${column}`
  await sql.raw(`create function heatmap_rollups_unit_moved () returns trigger language plpgsql as $$
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
        insert into heatmap_rollups (unit_id, grain, bucket, cell, misuse, ${counts.join(', ')})
        select shift.id, r.grain, r.bucket, r.cell, r.misuse, ${counts.map(negated).join(', ')}
        from heatmap_rollups r cross join shift where r.unit_id = new.id
        on conflict (unit_id, grain, bucket, cell, misuse) do update set ${counts.map(added).join(', ')};
      end if;
      return null;
    end
  $$`).execute(db)
  await sql`create trigger units_moved_heatmap_rollups after update of parent_id on units
    for each row execute function heatmap_rollups_unit_moved()`.execute(db)

  // Derived data: the subtree hour rows (already per subtree) folded into their year and cell. A rollup worker of
  // another process waits meanwhile.
  await sql`lock table subtree_rollups in share mode`.execute(db)
  const width = await sql<{ n: number }>`select coalesce(max(slot), 0)::int as n from criterion_slots`.execute(db)
  const n = Number(width.rows[0]!.n)
  const array = (name: string): string => n === 0 ? "'{}'::integer[]" : `array[${Array.from({ length: n }, (_, index) => `coalesce(sum(${name}[${index + 1}]), 0)::integer`).join(', ')}]`
  const local = "((bucket at time zone 'UTC') + interval '7 hours')"
  await sql.raw(`insert into heatmap_rollups (unit_id, grain, bucket, cell, misuse, ${counts.join(', ')})
    select unit_id, 'year', (date_trunc('year', ${local}) - interval '7 hours') at time zone 'UTC',
      ((extract(isodow from ${local})::int - 1) * 24 + extract(hour from ${local})::int)::smallint, misuse,
      ${scalars.map((scalar) => `sum(${scalar})`).join(', ')}, ${array('answered')}, ${array('met')}
    from subtree_rollups where grain = 'hour'
    group by 1, 3, 4, 5`).execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`drop trigger units_moved_heatmap_rollups on units`.execute(db)
  await sql`drop function heatmap_rollups_unit_moved ()`.execute(db)
  await db.schema.dropTable('heatmap_rollups').execute()
}
