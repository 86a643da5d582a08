// Analytics benchmark on PostgreSQL: at several sizes (100 k, 1 M, 10 M ratings) generates a province of ratings, rebuilds the rollups,
// times each figure from rollups vs the raw GROUP BY.
// Usage: node --import tsx bench/analytics/run.ts [--sizes 100000,1000000,10000000] [--url postgres://postgres@127.0.0.1:5432/postgres]
//   [--phase all|generate|rollups|measure] [--reuse] [--runs 20] [--raw-runs 2] [--periods 'year,365 days'] [--pending 500]
//   (or `npm run bench -- analytics …`; --ratings N: one size only)
import { createHash } from 'node:crypto'
import os from 'node:os'
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import v8 from 'node:v8'
import pg from 'pg'
import { sql, type Kysely } from 'kysely'
import { openDatabase } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import type { Database } from '../../db/schema.ts'
import { rebuildRollups } from '../../analytics/rollup-tables.ts'
import {
  byCounter,
  byOfficer,
  byUnit,
  figurePlan,
  heatmap,
  summary,
  timeseries,
  type FigureFilter,
  type FigureName,
  type PlanNode,
  type QueryOptions
} from '../../analytics/queries.ts'

const { values: options } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000,10000000' },
    ratings: { type: 'string' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    database: { type: 'string', default: 'hl_bench_analytics' },
    communes: { type: 'string', default: '100' },
    runs: { type: 'string', default: '20' },
    'raw-runs': { type: 'string', default: '2' },
    periods: { type: 'string', default: 'year' },
    pending: { type: 'string', default: '500' },
    // Measure the database of a size left by an earlier run instead of generating it again.
    reuse: { type: 'boolean', default: false },
    // generate: fresh databases with ratings only; rollups: (re)build the rollups of kept databases; measure: time the figures.
    phase: { type: 'string', default: 'all' }
  }
})
const sizes = (options.ratings ?? options.sizes).split(',').map(Number)
const communes = Number(options.communes)
const serverUrl = options.url
const runs = Number(options.runs)
const rawRuns = Number(options['raw-runs'])

const log = (message: string): void => {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`)
}
const label = (ratings: number): string => {
  if (ratings >= 1_000_000 && ratings % 1_000_000 === 0) return `${ratings / 1_000_000}M`
  return ratings >= 1000 && ratings % 1000 === 0 ? `${ratings / 1000}k` : String(ratings)
}
const load = (): string =>
  os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')

async function onServer (statement: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return await client.query(statement, values)
  } finally {
    await client.end()
  }
}

async function timed<T> (fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now()
  const result = await fn()
  return [result, performance.now() - started]
}

/** What one call cost this process's heap: bytes allocated, garbage collections and their pauses (V8's own accounting). */
interface HeapCost {
  allocatedBytes: number
  scavenges: number
  markCompacts: number
  gcMs: number
  maxPauseMs: number
}

/**
 * Runs `fn` timed, and counts what it allocated on the V8 heap: the heap's growth over the call plus what each
 * garbage collection during it freed. Unlike wall time this does not move with the machine's load. The profiler is
 * started and stopped outside the timed span.
 */
async function timedWithHeap<T> (fn: () => Promise<T>): Promise<[T, number, HeapCost]> {
  const profiler = new v8.GCProfiler()
  const before = v8.getHeapStatistics().used_heap_size
  profiler.start()
  const [result, ms] = await timed(fn)
  const { statistics } = profiler.stop()
  const after = v8.getHeapStatistics().used_heap_size
  const cost: HeapCost = { allocatedBytes: after - before, scavenges: 0, markCompacts: 0, gcMs: 0, maxPauseMs: 0 }
  for (const gc of statistics) {
    cost.allocatedBytes += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize
    if (gc.gcType === 'Scavenge' || gc.gcType === 'MinorMarkCompact') cost.scavenges++
    else if (gc.gcType === 'MarkSweepCompact') cost.markCompacts++
    // `cost` is in microseconds.
    cost.gcMs += gc.cost / 1000
    cost.maxPauseMs = Math.max(cost.maxPauseMs, gc.cost / 1000)
  }
  return [result, ms, cost]
}

/** A figures answer reduced to a digest: comparing answers must not keep thousands of figures objects alive on the heap. */
const digest = (answer: unknown): string => createHash('sha256').update(JSON.stringify(answer)).digest('hex')

function percentile (samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** One province: 100 communes → 200 centres, 1,000 counters, 2,000 officers, `ratingCount` ratings over 2025–2026. */
async function generate (db: Kysely<Database>, ratingCount: number): Promise<void> {
  await sql`insert into units (id, kind, code, name)
    values ('00000000-0000-4000-8000-000000000001', 'province', 'P01', 'Tỉnh Thử Nghiệm')`.execute(db)
  await sql`insert into units (kind, code, name, parent_id)
    select 'commune', 'X' || c, 'Xã ' || c, '00000000-0000-4000-8000-000000000001' from generate_series(1, ${communes}) c`.execute(db)
  await sql`insert into units (kind, code, name, parent_id)
    select 'centre', 'TT' || u.code || '-' || k, 'Trung tâm ' || u.code || '-' || k, u.id
    from units u, generate_series(1, 2) k where u.kind = 'commune'`.execute(db)
  await sql`insert into counters (unit_id, number, name)
    select u.id, n, 'Quầy ' || n from units u, generate_series(1, 5) n where u.kind = 'centre'`.execute(db)
  await sql`insert into officers (unit_id, staff_code, full_name)
    select u.id, 'CB' || u.code || '-' || n, 'Cán bộ ' || u.code || '-' || n
    from units u, generate_series(1, 10) n where u.kind = 'centre'`.execute(db)
  await sql`insert into terminals (unit_id, counter_id, kind) select unit_id, id, 'touch' from counters`.execute(db)
  // Each counter has two officers who take turns at it.
  await sql`create unlogged table bench_counters as
    with numbered as (select id, unit_id, row_number() over (partition by unit_id order by id) as k from officers)
    select row_number() over (order by c.id)::int as idx, c.id as counter_id, c.unit_id, t.id as terminal_id,
      (select array_agg(o.id order by o.k) from numbered o where o.unit_id = c.unit_id and (o.k - 1) / 2 = c.number - 1) as officer_ids
    from counters c join terminals t on t.counter_id = c.id`.execute(db)
  const counters = Number((await sql<{ n: number }>`select count(*) as n from bench_counters`.execute(db)).rows[0]!.n)
  // Keys, foreign keys and indexes are built after the load: far faster than checking and maintaining them row by row.
  const constraints = (
    await sql<{ table: string; name: string; definition: string }>`
    select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
    where (conrelid = 'ratings'::regclass and contype in ('p', 'f')) or (confrelid = 'ratings'::regclass and contype = 'f')
    order by contype desc`.execute(db)
  ).rows
  const indexes = (
    await sql<{ name: string; definition: string }>`
    select indexname as name, indexdef as definition from pg_indexes
    where tablename = 'ratings' and indexname not in (select conname from pg_constraint)`.execute(db)
  ).rows
  for (const index of indexes) await sql`drop index ${sql.ref(index.name)}`.execute(db)
  for (const constraint of [...constraints].reverse()) {
    await sql`alter table ${sql.ref(constraint.table)} drop constraint ${sql.ref(constraint.name)}`.execute(db)
  }
  const chunk = 1_000_000
  for (let done = 0; done < ratingCount; done += chunk) {
    const size = Math.min(chunk, ratingCount - done)
    const [, ms] = await timed(() =>
      sql`insert into ratings (id, unit_id, counter_id, terminal_id, officer_id, level, category, weight,
        criteria, rated_at, received_at, counted_at, source, misuse, misuse_reason)
      select gen_random_uuid(), c.unit_id, c.counter_id, c.terminal_id,
        case when g.r_officer < 0.05 then null else c.officer_ids[1 + floor(g.r_officer * 2)::int % 2] end,
        l.level, l.category, l.weight,
        case when g.r_criteria < 0.4
          then jsonb_build_object('xin_chao', random() < 0.95, 'xin_cam_on', random() < 0.9, 'luon_mim_cuoi', random() < 0.85,
            'luon_lang_nghe', random() < 0.9)
          else '{}'::jsonb end,
        g.at, g.at, g.at, 'touch', g.r_misuse < 0.01, case when g.r_misuse < 0.01 then 'burst' end
      from (
        select 1 + floor(random() * ${counters})::int as ci, random() as r_officer, random() as r_level, random() as r_criteria,
          random() as r_misuse,
          -- Two years of working days (weekend presses moved to Friday), office hours peaking late morning.
          timestamptz '2025-01-01 00:00:00+07'
            + make_interval(days => d - case extract(isodow from date '2025-01-01' + d) when 6 then 1 when 7 then 2 else 0 end)
            + make_interval(hours => 7 + floor(10 * (random() + random()) / 2)::int, mins => floor(random() * 60)::int,
              secs => floor(random() * 60)::int) as at
        from (select floor(random() * 730)::int as d from generate_series(1, ${size})) days
      ) g
      join bench_counters c on c.idx = g.ci
      cross join lateral (
        select case when g.r_level < 0.55 then 4 when g.r_level < 0.85 then 3 when g.r_level < 0.95 then 2 else 1 end as level
      ) pick
      join (values (4, 'satisfied', 100), (3, 'satisfied', 75), (2, 'neutral', 40), (1, 'unsatisfied', 0)) as l (level, category, weight)
        on l.level = pick.level`.execute(db)
    )
    log(`ratings ${done + size} / ${ratingCount} (${Math.round(size / (ms / 1000))} rows/s)`)
  }
  const [, indexMs] = await timed(async () => {
    for (const constraint of constraints) {
      await sql`alter table ${sql.ref(constraint.table)}
        add constraint ${sql.ref(constraint.name)} ${sql.raw(constraint.definition)}`.execute(db)
    }
    for (const index of indexes) await sql.raw(index.definition).execute(db)
  })
  log(`keys and indexes built in ${(indexMs / 1000).toFixed(1)} s`)
  await sql`vacuum analyze ratings`.execute(db)
}

interface Size {
  ratings: number
  name: string
  db: Kysely<Database>
  centre: string
}

const province = '00000000-0000-4000-8000-000000000001'

/** The database of one size: generated (or kept from an earlier run), rolled up, with `--pending` ratings left pending. */
async function prepare (ratingCount: number): Promise<Size> {
  const databaseName = `${options.database}_${label(ratingCount).toLowerCase()}`
  const url = (() => {
    const url = new URL(serverUrl)
    url.pathname = `/${databaseName}`
    return url.toString()
  })()
  const phase = options.phase
  const exists = (await onServer('select 1 from pg_database where datname = $1', [databaseName])).rowCount === 1
  const generating = (phase === 'all' || phase === 'generate') && !(options.reuse && exists)
  if (generating) {
    await onServer(`drop database if exists ${databaseName} with (force)`)
    await onServer(`create database ${databaseName}`)
  }
  const db = await openDatabase({ databaseUrl: url, dataDir: null, poolSize: 4 })
  await migrateToLatest(db)
  if (generating) {
    log(
      `${label(ratingCount)}: generating ${communes} communes with 2 centres each, 5 counters and 10 officers per centre, ${ratingCount} ratings`
    )
    await generate(db, ratingCount)
  } else {
    const held = Number((await sql<{ n: number }>`select (select count(*) from ratings) - (select count(*) from rollup_queue) as n`
      .execute(db)).rows[0]!.n)
    if (held !== ratingCount) throw new Error(`${databaseName} holds ${held} rolled-up ratings, not ${ratingCount}: run without --reuse`)
    log(`${label(ratingCount)}: reusing ${databaseName}`)
  }
  // The pending ratings an earlier run left go first: a rebuild would roll them up, and the database would then hold
  // `--pending` more rolled-up ratings than its size.
  await sql`with queued as (delete from rollup_queue returning unit_id, rating_id)
    delete from ratings r using queued q where r.unit_id = q.unit_id and r.id = q.rating_id`.execute(db)
  if ((generating && phase === 'all') || phase === 'rollups') {
    const [, rebuildMs] = await timed(() => rebuildRollups(db))
    log(`${label(ratingCount)}: rollups rebuilt from raw ratings in ${(rebuildMs / 1000).toFixed(1)} s`)
    await sql`vacuum analyze`.execute(db)
  }
  // The rollup worker keeps up, but a few ratings are always pending: figures add them from the ratings table.
  const pendingCount = Number(options.pending)
  await sql`with stored as (
      insert into ratings (id, unit_id, counter_id, terminal_id, officer_id, level, category, weight, criteria, rated_at, received_at,
        counted_at, source, misuse, misuse_reason)
      select gen_random_uuid(), unit_id, counter_id, terminal_id, officer_id, level, category, weight, criteria, at, at, at, source, misuse,
        misuse_reason
      from (select *, timestamptz '2026-11-27 08:00:00+07' + random() * interval '8 hours' as at
        from ratings where counted_at >= '2026-11-01' limit ${pendingCount}) recent
      returning unit_id, id)
    insert into rollup_queue (unit_id, rating_id) select unit_id, id from stored`.execute(db)
  await sql`vacuum analyze rollup_queue`.execute(db)
  await sql`vacuum analyze ratings`.execute(db)
  const centre = (await sql<{ id: string }>`select id from units where kind = 'centre' order by code limit 1`.execute(db)).rows[0]!.id
  return { ratings: ratingCount, name: label(ratingCount), db, centre }
}

async function printSizes (size: Size): Promise<void> {
  const { db } = size
  const tables = await sql<{ name: string; rows: number; bytes: number }>`
    select relname as name, reltuples::bigint as rows, pg_total_relation_size(oid) as bytes
    from pg_class where relname in ('ratings', 'rating_rollups', 'subtree_rollups', 'officer_rollups', 'counter_rollups', 'heatmap_rollups')
    order by relname`.execute(db)
  const database = Number((await sql<{ b: number }>`select pg_database_size(current_database()) as b`.execute(db)).rows[0]!.b)
  console.log(
    `\n${size.name}: data size (${options.pending} ratings pending, not yet rolled up); database ${(database / 1024 / 1024).toFixed(0)} MB`
  )
  for (const row of tables.rows) {
    console.log(
      `  ${row.name.padEnd(26)} ${String(Math.round(row.rows)).padStart(12)} rows  ${(row.bytes / 1024 / 1024).toFixed(0).padStart(7)} MB`
    )
  }
}

const periods: Record<string, { from: string; to: string }> = {
  year: { from: '2026-01-01', to: '2026-12-31' },
  // Not aligned on a year: 11 whole months and the days around them.
  '365 days': { from: '2025-11-28', to: '2026-11-27' }
}

type Run = (db: Kysely<Database>, filter: FigureFilter, source: QueryOptions) => Promise<unknown>
const figures: Array<[FigureName, string, Run, Partial<FigureFilter>?]> = [
  ['summary', 'summary', (db, filter, source) => summary(db, filter, source)],
  ['officers', 'officers', (db, filter, source) => byOfficer(db, filter, { ...source, minSample: 30 })],
  ['counters', 'counters', (db, filter, source) => byCounter(db, filter, source)],
  ['units', 'units', (db, filter, source) => byUnit(db, filter, source)],
  ['timeseries day', 'timeseries day', (db, filter, source) => timeseries(db, { ...filter, interval: 'day' }, source)],
  ['timeseries week', 'timeseries week', (db, filter, source) => timeseries(db, { ...filter, interval: 'week' }, source)],
  ['timeseries month', 'timeseries month', (db, filter, source) => timeseries(db, { ...filter, interval: 'month' }, source)],
  [
    'timeseries hour',
    'timeseries hour (1 month)',
    (db, filter, source) => timeseries(db, { ...filter, interval: 'hour' }, source),
    { from: '2026-11-01', to: '2026-11-30' }
  ],
  ['heatmap', 'heatmap', (db, filter, source) => heatmap(db, filter, source)]
]

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)]

interface Measured {
  p50: number
  p95: number
  rawP50: number
  rawP95: number
  same: boolean
  workers: number
  planningMs: number
  /** Per call, medians over the runs (allocation and GC counts do not move with the machine's load as wall time does). */
  allocatedMB: number
  gcsPerCall: number
  gcMsPerCall: number
  /** The longest single GC pause during any run of this figure and size. */
  maxPauseMs: number
}

/**
 * Times one figure at every size. The sizes take turns run by run, so a change in the machine's load falls on all of
 * them alike and the sizes compare within the run.
 */
async function measureFigure (all: Size[], filterOf: (size: Size) => FigureFilter, figure: FigureName, run: Run): Promise<Measured[]> {
  const samples = all.map((): number[] => [])
  const heap = all.map((): HeapCost[] => [])
  // Only a digest of each answer is kept: whole answers held over the runs would make every GC walk them.
  const answers = await Promise.all(all.map(async (size) => digest(await run(size.db, filterOf(size), { source: 'rollups' }))))
  for (let index = 0; index < runs; index++) {
    for (const [sizeIndex, size] of all.entries()) {
      const [, ms, cost] = await timedWithHeap(() => run(size.db, filterOf(size), { source: 'rollups' }))
      samples[sizeIndex]!.push(ms)
      heap[sizeIndex]!.push(cost)
    }
  }
  const result: Measured[] = []
  for (const [sizeIndex, size] of all.entries()) {
    // The raw GROUP BY is slow: its first run counts (no warm-up).
    const raw: number[] = []
    let rawAnswer = ''
    for (let index = 0; index < rawRuns; index++) {
      const [answer, ms] = await timed(() => run(size.db, filterOf(size), { source: 'ratings' }))
      rawAnswer = digest(answer)
      raw.push(ms)
    }
    // The statement's plan as the figure read it: parallel workers planned (Gather nodes), planning time.
    const { plan, planningMs } = await figurePlan(size.db, figure, filterOf(size))
    const workers = nodes(plan).reduce((sum, node) => sum + Number(node['Workers Planned'] ?? 0), 0)
    const fromRollups = samples[sizeIndex]!
    const costs = heap[sizeIndex]!
    result.push({
      p50: percentile(fromRollups, 50),
      p95: percentile(fromRollups, 95),
      rawP50: rawRuns === 0 ? NaN : percentile(raw, 50),
      rawP95: rawRuns === 0 ? NaN : percentile(raw, 95),
      same: rawRuns === 0 || answers[sizeIndex] === rawAnswer,
      workers,
      planningMs,
      allocatedMB: percentile(costs.map((cost) => cost.allocatedBytes / 1024 / 1024), 50),
      gcsPerCall: costs.reduce((sum, cost) => sum + cost.scavenges + cost.markCompacts, 0) / costs.length,
      gcMsPerCall: costs.reduce((sum, cost) => sum + cost.gcMs, 0) / costs.length,
      maxPauseMs: Math.max(...costs.map((cost) => cost.maxPauseMs))
    })
  }
  return result
}

const fixed = (value: number, width: number, digits = 1): string => value.toFixed(digits).padStart(width)

async function main (): Promise<void> {
  const all: Size[] = []
  try {
    for (const ratings of sizes) all.push(await prepare(ratings))
    if (options.phase !== 'all' && options.phase !== 'measure') return
    for (const size of all) await printSizes(size)
    // The young generation's size sets how often a figure call meets a scavenge and how long one can take.
    const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].filter((flag) => /semi-space|gc/.test(flag))
    log(`node ${process.version}, GC flags: ${flags.length === 0 ? 'none (V8 defaults)' : flags.join(' ')}; the figures' heap cost per call is measured by v8.GCProfiler`)
    // Targets (issue 21): province p95 < 50 ms, centre p95 < 10 ms at every size; the largest size's p95 within 1.5× of the smallest's.
    const targets = { province: 50, centre: 10 }
    const verdicts: string[] = []
    for (const periodName of options.periods.split(',')) {
      const period = periods[periodName]
      if (period === undefined) throw new Error(`unknown period ${periodName}; known: ${Object.keys(periods).join(', ')}`)
      const table: Array<{ name: string; scope: 'province' | 'centre'; measured: Measured[] }> = []
      log(`measuring ${periodName} (${period.from} … ${period.to}) at ${all.map((size) => size.name).join(', ')}; load average ${load()}`)
      for (const scope of ['province', 'centre'] as const) {
        for (const [figure, name, run, override] of figures) {
          const filterOf = (size: Size): FigureFilter => ({ unitId: scope === 'province' ? province : size.centre, ...period, ...override })
          table.push({ name, scope, measured: await measureFigure(all, filterOf, figure, run) })
        }
      }
      const newSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')
      log(`measured; load average ${load()}; young generation now ${((newSpace?.space_size ?? 0) / 1024 / 1024).toFixed(0)} MB (two semi-spaces)`)
      for (const [sizeIndex, size] of all.entries()) {
        console.log(
          `\n${size.name} ratings, ${periodName} (${period.from} … ${period.to}): p50 / p95 in ms over ${runs} runs (raw GROUP BY: ${rawRuns} runs)`
        )
        console.log(
          `  ${'figure'.padEnd(26)} ${'scope'.padEnd(9)} ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'raw p50'.padStart(9)} ${'raw p95'.padStart(9)} ${'speed-up'.padStart(9)} ${'plan ms'.padStart(8)} ${'workers'.padStart(8)} ${'MB/call'.padStart(8)} ${'GCs/call'.padStart(9)} ${'GC ms/call'.padStart(11)} ${'max GC'.padStart(7)}  same figures`
        )
        for (const row of table) {
          const m = row.measured[sizeIndex]!
          console.log(
            `  ${row.name.padEnd(26)} ${row.scope.padEnd(9)} ${fixed(m.p50, 7)} ${fixed(m.p95, 7)} ${fixed(m.rawP50, 9, 0)} ${fixed(m.rawP95, 9, 0)} ${fixed(m.rawP50 / m.p50, 8, 0)}× ${fixed(m.planningMs, 8, 2)} ${String(m.workers).padStart(8)} ${fixed(m.allocatedMB, 8, 2)} ${fixed(m.gcsPerCall, 9, 2)} ${fixed(m.gcMsPerCall, 11, 2)} ${fixed(m.maxPauseMs, 7)}  ${rawRuns === 0 ? '(no raw run)' : m.same ? 'yes' : 'NO'}`
          )
        }
      }
      const first = all[0]!
      const last = all[all.length - 1]!
      console.log(
        `\nTargets, ${periodName}: p95 (ms) at each size; province < ${targets.province}, centre < ${targets.centre} at every size, ${last.name} within 1.5× of ${first.name}`
      )
      console.log(
        `  ${'figure'.padEnd(26)} ${'scope'.padEnd(9)} ${all.map((size) => size.name.padStart(7)).join(' ')} ${`${last.name}/${first.name}`.padStart(9)}  met`
      )
      for (const row of table) {
        const p95s = row.measured.map((m) => m.p95)
        const ratio = p95s[p95s.length - 1]! / p95s[0]!
        const misses = [
          ...p95s.flatMap((p95, index) => (p95 < targets[row.scope] ? [] : [`${all[index]!.name} p95 ≥ ${targets[row.scope]} ms`])),
          ...(ratio <= 1.5 ? [] : [`${ratio.toFixed(2)}× the ${first.name} p95`]),
          ...(row.measured.every((m) => m.same) ? [] : ['figures differ from raw'])
        ]
        if (misses.length > 0) verdicts.push(`${periodName}, ${row.name}, ${row.scope}: ${misses.join('; ')}`)
        console.log(
          `  ${row.name.padEnd(26)} ${row.scope.padEnd(9)} ${p95s.map((p95) => fixed(p95, 7)).join(' ')} ${fixed(ratio, 8, 2)}×  ${misses.length === 0 ? 'yes' : `NO (${misses.join('; ')})`}`
        )
      }
    }
    console.log(
      verdicts.length === 0
        ? '\nEvery figure met every target.'
        : `\nMissed (${verdicts.length}):\n${verdicts.map((verdict) => `  ${verdict}`).join('\n')}`
    )
    console.log(`load average at the end: ${load()}`)
  } finally {
    for (const size of all) await size.db.destroy()
  }
}

await main()
