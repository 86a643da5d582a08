// Plan guard: every figure read stays off parallel workers however the planner costs them, and a year's figures touch only year rows.
import t from 'tap'
import { sql } from 'kysely'
import { figurePlan, type FigureFilter, type FigureName, type PlanNode } from '../../analytics/queries.ts'
import { rebuildRollups } from '../../analytics/rollup-tables.ts'
import type { Db } from '../../db/schema.ts'

import { migratedDatabase, databaseKind } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'

const figures: FigureName[] = [
  'summary',
  'officers',
  'counters',
  'units',
  'timeseries day',
  'timeseries week',
  'timeseries month',
  'timeseries hour',
  'heatmap'
]

function nodes (plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)]
}

/** Rows a scan of `table` looked at: those it returned and those its filters threw away, over all its loops. */
function rowsTouched (plan: PlanNode, table: string): number {
  return nodes(plan)
    .filter((node) => node['Relation Name'] === table)
    .reduce((sum, node) => {
      const looked =
        Number(node['Actual Rows'] ?? 0) + Number(node['Rows Removed by Filter'] ?? 0) + Number(node['Rows Removed by Index Recheck'] ?? 0)
      return sum + looked * Number(node['Actual Loops'] ?? 1)
    }, 0)
}

/**
 * Unsatisfied ratings as the ingest leaves them, stored and queued for the rollup worker (not rolled up): `perCounter`
 * a minute apart at every counter with a terminal, of the unit `unitId` only when given.
 */
async function queuePending (db: Db, perCounter: number, unitId?: string): Promise<void> {
  await sql`with stored as (
      insert into ratings (id, unit_id, counter_id, terminal_id, level, category, weight, criteria, rated_at, received_at, counted_at,
        source)
      select gen_random_uuid(), c.unit_id, c.id, t.id, 1, 'unsatisfied', 0, '{"xin_chao": true}'::jsonb, at, at, at, 'touch'
      from counters c join terminals t on t.counter_id = c.id
      cross join generate_series(1, ${perCounter}::int) g
      cross join lateral (select timestamptz '2026-11-20 09:00:00+07' + g * interval '1 minute' as at) w
      where ${unitId ?? null}::uuid is null or c.unit_id = ${unitId ?? null}::uuid
      returning unit_id, id)
    insert into rollup_queue (unit_id, rating_id) select unit_id, id from stored`.execute(db)
}

/** A province of `communes` communes, a centre each, and two years of ratings on working hours, rolled up. */
async function province (db: Db, communes: number, ratingsPerCounter: number): Promise<{ provinceId: string; centreId: string }> {
  const first = await seedCentre(db as never, { counters: 2, officers: 2 })
  for (let n = 1; n < communes; n++) await seedCentre(db as never, { counters: 2, officers: 2, parentId: first.provinceId })
  // Spread by arithmetic on the row number (no random): the same data, hence the same plans, every run.
  await sql`insert into ratings (id, unit_id, counter_id, terminal_id, officer_id, level, category, weight, criteria,
      rated_at, received_at, counted_at, source, misuse)
    select gen_random_uuid(), c.unit_id, c.id, t.id, o.id, l.level, l.category, l.weight, '{"xin_chao": true}'::jsonb,
      at, at, at, 'touch', g % 50 = 0
    from counters c
    join lateral (select id from terminals where unit_id = c.unit_id limit 1) t on true
    join lateral (select id from officers where unit_id = c.unit_id order by id limit 1) o on true
    cross join generate_series(1, ${ratingsPerCounter}) g
    cross join lateral (
      select timestamptz '2025-01-01 08:00:00+07' + make_interval(days => (g * 7) % 730, hours => g % 9, mins => g % 60) as at
    ) w
    join (values (4, 'satisfied', 100), (3, 'satisfied', 75), (2, 'neutral', 40), (1, 'unsatisfied', 0)) as l (level, category, weight)
      on l.level = 1 + g % 4`.execute(db)
  await rebuildRollups(db)
  await sql`analyze`.execute(db)
  return { provinceId: first.provinceId, centreId: first.centreId }
}

t.test(`a year's figures read only year rows (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const { provinceId } = await province(db, 8, 150)
  const year: FigureFilter = { unitId: provinceId, from: '2026-01-01', to: '2026-12-31' }
  const yearRows = Number(
    (await sql<{ n: number }>`select count(*)::int as n from subtree_rollups where grain = 'year'`.execute(db)).rows[0]!.n
  )
  const allRows = Number((await sql<{ n: number }>`select count(*)::int as n from subtree_rollups`.execute(db)).rows[0]!.n)
  t.ok(allRows > 20 * yearRows, `the hour, day and month rows (${allRows - yearRows}) far outnumber the year rows (${yearRows})`)
  for (const figure of ['units', 'summary'] as const) {
    const { plan } = await figurePlan(db, figure, year, { analyze: true })
    const touched = rowsTouched(plan, 'subtree_rollups')
    t.ok(
      touched > 0 && touched <= yearRows,
      `${figure} of the province for 2026 looked at ${touched} subtree rows, at most the ${yearRows} year rows`
    )
  }
  const heat = await figurePlan(db, 'heatmap', year, { analyze: true })
  t.equal(rowsTouched(heat.plan, 'subtree_rollups'), 0, 'the heat map of a whole year reads no hour rows')
})

t.test(`the pending ratings are read through the rollup queue, not by scanning ratings (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const { provinceId, centreId } = await province(db, 8, 150)
  // Six ratings as the ingest leaves them: stored and queued for the worker.
  await queuePending(db, 3, centreId)
  await sql`analyze`.execute(db)
  const stored = Number((await sql<{ n: number }>`select count(*)::int as n from ratings`.execute(db)).rows[0]!.n)
  const queued = Number((await sql<{ n: number }>`select count(*)::int as n from rollup_queue`.execute(db)).rows[0]!.n)
  t.ok(queued > 0 && queued <= 6 && stored > 100 * queued, `${queued} queued among ${stored} stored`)
  for (const unitId of [provinceId, centreId]) {
    for (const figure of ['summary', 'units', 'officers', 'timeseries day'] as const) {
      const { plan } = await figurePlan(db, figure, { unitId, from: '2026-11-01', to: '2026-11-30' }, { analyze: true })
      const touched = rowsTouched(plan, 'ratings')
      t.ok(
        touched <= queued,
        `${figure} of the ${unitId === provinceId ? 'province' : 'centre'}: ${touched} ratings rows looked at, at most the ${queued} queued`
      )
    }
  }
})

t.test(`a centre's figures read the centre's pending ratings, not the whole queue's (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const { provinceId, centreId } = await province(db, 8, 150)
  // A province's worth of units (communes without ratings): what the planner guesses any subtree holds.
  await sql`insert into units (kind, code, name, parent_id)
    select 'commune', 'XE' || n, 'Xã ' || n, ${provinceId} from generate_series(1, 300) n`.execute(db)
  // Forty ratings pending at every counter of the province, as the ingest leaves them: stored and queued for the worker.
  await queuePending(db, 40)
  await sql`analyze`.execute(db)
  const count = async (where: ReturnType<typeof sql>): Promise<number> =>
    Number((await sql<{ n: number }>`select count(*)::int as n from rollup_queue q where ${where}`.execute(db)).rows[0]!.n)
  const queued = await count(sql`true`)
  const atCentre = await count(sql`q.unit_id = ${centreId}`)
  t.ok(atCentre > 0 && queued >= 8 * atCentre, `${atCentre} of the ${queued} queued ratings are the centre's`)
  for (const figure of ['summary', 'units', 'officers', 'counters', 'timeseries day', 'timeseries month'] as const) {
    const { plan } = await figurePlan(db, figure, { unitId: centreId, from: '2026-11-01', to: '2026-11-30' }, { analyze: true })
    // The queued ratings fetched: before, every queued rating of the province was fetched, then joined to the centre.
    const ratingRows = rowsTouched(plan, 'ratings')
    t.ok(ratingRows <= atCentre, `${figure} of the centre: ${ratingRows} ratings looked at, at most the centre's ${atCentre} queued`)
  }
  const { plan } = await figurePlan(db, 'summary', { unitId: provinceId, from: '2026-11-01', to: '2026-11-30' }, { analyze: true })
  t.equal(rowsTouched(plan, 'ratings'), queued, 'the province\'s summary fetches every queued rating (all are its)')
})

t.test(`a figure's per-dossier counts are read in its own statement (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const { provinceId, centreId } = await province(db, 4, 50)
  for (const unitId of [provinceId, centreId]) {
    for (const figure of figures) {
      const { plan } = await figurePlan(db, figure, { unitId, from: '2026-11-01', to: '2026-11-30' }, { analyze: true })
      const dossierScans = nodes(plan).filter((node) => node['Index Name'] === 'ratings_dossier_figures_idx')
      // No rating here carries a code: the read is an empty range of the partial index per unit, no second statement.
      t.ok(
        dossierScans.length > 0 && rowsTouched({ 'Node Type': 'Result', Plans: dossierScans }, 'ratings') === 0,
        `${figure} of the ${unitId === provinceId ? 'province' : 'centre'}: the dossier rows in the statement, none looked at`
      )
    }
  }
})

// Only on the server: PGlite is one process that plans no parallel workers whatever the costs, so there the guard
// could not fail.
if (databaseKind === 'postgres') {
  t.test('no figure read plans parallel workers, even when the planner is told they are free (postgres)', async (t) => {
    const { db, drop } = await migratedDatabase()
    t.teardown(async () => {
      await db.destroy()
      await drop()
    })
    const { provinceId, centreId } = await province(db, 6, 100)
    await db.transaction().execute(async (trx) => {
    // The planner's view of a large database: starting workers and passing rows from them cost nothing, any table is
    // big enough to split. This is what made the units read start two workers at 1 M ratings (~100 ms of start-up).
      for (const setting of [
        'parallel_setup_cost',
        'parallel_tuple_cost',
        'min_parallel_table_scan_size',
        'min_parallel_index_scan_size'
      ]) {
        await sql`select set_config(${setting}, '0', true)`.execute(trx)
      }
      const control = await sql<{ 'QUERY PLAN': string }>`explain select count(*) from subtree_rollups where grain = 'hour'`.execute(trx)
      t.match(
        control.rows.map((row) => row['QUERY PLAN']).join('\n'),
        /Gather/,
        'with these costs the planner does go parallel on a plain scan'
      )
      for (const unitId of [provinceId, centreId]) {
        for (const [from, to] of [
          ['2026-01-01', '2026-12-31'],
          ['2025-11-28', '2026-11-27'],
          ['2026-11-01', '2026-11-30']
        ] as const) {
          for (const figure of figures) {
            if (figure === 'timeseries hour' && from !== '2026-11-01') continue
            const { plan } = await figurePlan(trx, figure, { unitId, from, to })
            const parallel = nodes(plan).filter((node) => node['Node Type'].startsWith('Gather') || node['Parallel Aware'] === true)
            t.same(
              parallel.map((node) => node['Node Type']),
              [],
              `${figure} of the ${unitId === provinceId ? 'province' : 'centre'} ${from}…${to}: no parallel node`
            )
          }
        }
      }
    })
  })
}
