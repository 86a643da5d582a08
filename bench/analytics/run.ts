// Analytics benchmark on PostgreSQL: generates a province of ratings, rebuilds the rollups, times each figure from rollups vs the raw GROUP BY.
// Usage: node --import tsx bench/analytics/run.ts [--ratings 10000000] [--url postgres://postgres@127.0.0.1:5432/postgres]
//   [--phase all|generate|rollups|measure] [--keep] [--runs 20] [--raw-runs 3] [--periods 'year,365 days'] [--pending 500]
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { sql } from 'kysely'
import { openDatabase } from '../../api/db/database.ts'
import { migrateToLatest } from '../../api/db/migrate.ts'
import { rebuildRollups } from '../../analytics/rollups.ts'
import { byCounter, byOfficer, byUnit, heatmap, summary, timeseries, type FigureFilter, type QueryOptions } from '../../analytics/queries.ts'

const { values: options } = parseArgs({
  options: {
    ratings: { type: 'string', default: '10000000' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    database: { type: 'string', default: 'hl_bench_analytics' },
    communes: { type: 'string', default: '100' },
    runs: { type: 'string', default: '20' },
    'raw-runs': { type: 'string', default: '3' },
    periods: { type: 'string', default: 'year,365 days' },
    pending: { type: 'string', default: '500' },
    keep: { type: 'boolean', default: false },
    // generate: a fresh database with ratings only; rollups: (re)build the rollups of a kept database; measure: time the figures.
    phase: { type: 'string', default: 'all' }
  }
})
const ratingCount = Number(options.ratings)
const communes = Number(options.communes)
const serverUrl = options.url
const databaseName = options.database
const benchUrl = (() => { const url = new URL(serverUrl); url.pathname = `/${databaseName}`; return url.toString() })()

const log = (message: string): void => { console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`) }

async function onServer (statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try { await client.query(statement) } finally { await client.end() }
}

async function timed<T> (fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now()
  const result = await fn()
  return [result, performance.now() - started]
}

function percentile (samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

async function main (): Promise<void> {
  const phase = options.phase
  const generate = !options.keep && (phase === 'all' || phase === 'generate')
  if (generate) {
    await onServer(`drop database if exists ${databaseName} with (force)`)
    await onServer(`create database ${databaseName}`)
  }
  const db = await openDatabase({ databaseUrl: benchUrl, dataDir: null, poolSize: 4 })
  try {
    await migrateToLatest(db)
    if (generate) {
      log(`generating ${communes} communes with 2 centres each, 5 counters and 10 officers per centre`)
      await sql`insert into units (id, kind, code, name) values ('00000000-0000-4000-8000-000000000001', 'province', 'P01', 'Tỉnh Thử Nghiệm')`.execute(db)
      await sql`insert into units (kind, code, name, parent_id)
        select 'commune', 'X' || c, 'Xã ' || c, '00000000-0000-4000-8000-000000000001' from generate_series(1, ${communes}) c`.execute(db)
      await sql`insert into units (kind, code, name, parent_id)
        select 'centre', 'TT' || u.code || '-' || k, 'Trung tâm ' || u.code || '-' || k, u.id from units u, generate_series(1, 2) k where u.kind = 'commune'`.execute(db)
      await sql`insert into counters (unit_id, number, name) select u.id, n, 'Quầy ' || n from units u, generate_series(1, 5) n where u.kind = 'centre'`.execute(db)
      await sql`insert into officers (unit_id, staff_code, full_name) select u.id, 'CB' || u.code || '-' || n, 'Cán bộ ' || u.code || '-' || n from units u, generate_series(1, 10) n where u.kind = 'centre'`.execute(db)
      await sql`insert into terminals (unit_id, counter_id, kind) select unit_id, id, 'touch' from counters`.execute(db)
      // Each counter has two officers who take turns at it.
      await sql`create unlogged table bench_counters as
        with numbered as (select id, unit_id, row_number() over (partition by unit_id order by id) as k from officers)
        select row_number() over (order by c.id)::int as idx, c.id as counter_id, c.unit_id, t.id as terminal_id,
          (select array_agg(o.id order by o.k) from numbered o where o.unit_id = c.unit_id and (o.k - 1) / 2 = c.number - 1) as officer_ids
        from counters c join terminals t on t.counter_id = c.id`.execute(db)
      const counters = Number((await sql<{ n: number }>`select count(*) as n from bench_counters`.execute(db)).rows[0]!.n)
      // Keys, foreign keys and indexes are built after the load: far faster than checking and maintaining them row by row.
      const constraints = (await sql<{ table: string, name: string, definition: string }>`
        select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
        where (conrelid = 'ratings'::regclass and contype in ('p', 'f')) or (confrelid = 'ratings'::regclass and contype = 'f')
        order by contype desc`.execute(db)).rows
      const indexes = (await sql<{ name: string, definition: string }>`
        select indexname as name, indexdef as definition from pg_indexes where tablename = 'ratings' and indexname not in (select conname from pg_constraint)`.execute(db)).rows
      for (const index of indexes) await sql`drop index ${sql.ref(index.name)}`.execute(db)
      for (const constraint of [...constraints].reverse()) await sql`alter table ${sql.ref(constraint.table)} drop constraint ${sql.ref(constraint.name)}`.execute(db)
      const chunk = 1_000_000
      for (let done = 0; done < ratingCount; done += chunk) {
        const size = Math.min(chunk, ratingCount - done)
        const [, ms] = await timed(() => sql`insert into ratings (id, unit_id, counter_id, terminal_id, officer_id, level, category, weight, criteria, rated_at, received_at, counted_at, source, misuse, misuse_reason, rolled_up)
          select gen_random_uuid(), c.unit_id, c.counter_id, c.terminal_id,
            case when g.r_officer < 0.05 then null else c.officer_ids[1 + floor(g.r_officer * 2)::int % 2] end,
            l.level, l.category, l.weight,
            case when g.r_criteria < 0.4 then jsonb_build_object('xin_chao', random() < 0.95, 'xin_cam_on', random() < 0.9, 'luon_mim_cuoi', random() < 0.85, 'luon_lang_nghe', random() < 0.9) else '{}'::jsonb end,
            g.at, g.at, g.at, 'touch', g.r_misuse < 0.01, case when g.r_misuse < 0.01 then 'burst' end, true
          from (
            select 1 + floor(random() * ${counters})::int as ci, random() as r_officer, random() as r_level, random() as r_criteria, random() as r_misuse,
              -- Two years of working days (weekend presses moved to Friday), office hours peaking late morning.
              timestamptz '2025-01-01 00:00:00+07' + make_interval(days => d - case extract(isodow from date '2025-01-01' + d) when 6 then 1 when 7 then 2 else 0 end)
                + make_interval(hours => 7 + floor(10 * (random() + random()) / 2)::int, mins => floor(random() * 60)::int, secs => floor(random() * 60)::int) as at
            from (select floor(random() * 730)::int as d from generate_series(1, ${size})) days
          ) g
          join bench_counters c on c.idx = g.ci
          cross join lateral (select case when g.r_level < 0.55 then 4 when g.r_level < 0.85 then 3 when g.r_level < 0.95 then 2 else 1 end as level) pick
          join (values (4, 'satisfied', 100), (3, 'satisfied', 75), (2, 'neutral', 40), (1, 'unsatisfied', 0)) as l (level, category, weight) on l.level = pick.level`.execute(db))
        log(`ratings ${done + size} / ${ratingCount} (${Math.round(size / (ms / 1000))} rows/s)`)
      }
      const [, indexMs] = await timed(async () => {
        for (const constraint of constraints) await sql`alter table ${sql.ref(constraint.table)} add constraint ${sql.ref(constraint.name)} ${sql.raw(constraint.definition)}`.execute(db)
        for (const index of indexes) await sql.raw(index.definition).execute(db)
      })
      log(`keys and indexes built in ${(indexMs / 1000).toFixed(1)} s`)
      await sql`vacuum analyze ratings`.execute(db)
    }
    if (phase === 'all' || phase === 'rollups') {
      const [, rebuildMs] = await timed(() => rebuildRollups(db))
      log(`rollups rebuilt from raw ratings in ${(rebuildMs / 1000).toFixed(1)} s`)
      await sql`vacuum analyze`.execute(db)
    }
    if (phase !== 'all' && phase !== 'measure') return

    // The rollup worker keeps up, but a few ratings are always pending: figures add them from the ratings table.
    const pendingCount = Number(options.pending)
    await sql`delete from ratings where not rolled_up`.execute(db)
    await sql`insert into ratings (id, unit_id, counter_id, terminal_id, officer_id, level, category, weight, criteria, rated_at, received_at, counted_at, source, misuse, misuse_reason, rolled_up)
      select gen_random_uuid(), unit_id, counter_id, terminal_id, officer_id, level, category, weight, criteria, at, at, at, source, misuse, misuse_reason, false
      from (select *, timestamptz '2026-11-27 08:00:00+07' + random() * interval '8 hours' as at from ratings where counted_at >= '2026-11-01' limit ${pendingCount}) recent`.execute(db)
    await sql`analyze ratings`.execute(db)

    const sizes = await sql<{ name: string, rows: number, bytes: number }>`
      select relname as name, reltuples::bigint as rows, pg_total_relation_size(oid) as bytes
      from pg_class where relname in ('ratings', 'rating_rollups', 'subtree_rollups', 'officer_rollups', 'counter_rollups', 'heatmap_rollups') order by relname`.execute(db)
    const grains = await sql<{ name: string, grain: string, rows: number }>`
      select 'rating_rollups' as name, grain, count(*) as rows from rating_rollups group by grain
      union all select 'subtree_rollups', grain, count(*) from subtree_rollups group by grain
      union all select 'officer_rollups', grain, count(*) from officer_rollups group by grain
      union all select 'counter_rollups', grain, count(*) from counter_rollups group by grain
      union all select 'heatmap_rollups', grain, count(*) from heatmap_rollups group by grain order by 1, 2`.execute(db)
    console.log(`\nData size (${pendingCount} ratings pending, not yet rolled up)`)
    for (const row of sizes.rows) console.log(`  ${row.name.padEnd(26)} ${String(Math.round(row.rows)).padStart(12)} rows  ${(row.bytes / 1024 / 1024).toFixed(0).padStart(7)} MB`)
    for (const row of grains.rows) console.log(`  ${row.name} grain ${row.grain.padEnd(6)} ${String(row.rows).padStart(11)} rows`)
    console.log(`  database ${(Number((await sql<{ b: number }>`select pg_database_size(current_database()) as b`.execute(db)).rows[0]!.b) / 1024 / 1024).toFixed(0)} MB`)

    const province = '00000000-0000-4000-8000-000000000001'
    const centre = (await sql<{ id: string }>`select id from units where kind = 'centre' order by code limit 1`.execute(db)).rows[0]!.id
    const periods: Record<string, { from: string, to: string }> = {
      year: { from: '2026-01-01', to: '2026-12-31' },
      // Not aligned on a year: 11 whole months and the days around them.
      '365 days': { from: '2025-11-28', to: '2026-11-27' }
    }
    const figures: Array<[string, (filter: FigureFilter, source: QueryOptions) => Promise<unknown>, Partial<FigureFilter>?]> = [
      ['summary', (filter, source) => summary(db, filter, source)],
      ['officers', (filter, source) => byOfficer(db, filter, { ...source, minSample: 30 })],
      ['counters', (filter, source) => byCounter(db, filter, source)],
      ['units', (filter, source) => byUnit(db, filter, source)],
      ['timeseries day', (filter, source) => timeseries(db, { ...filter, interval: 'day' }, source)],
      ['timeseries week', (filter, source) => timeseries(db, { ...filter, interval: 'week' }, source)],
      ['timeseries month', (filter, source) => timeseries(db, { ...filter, interval: 'month' }, source)],
      ['timeseries hour (1 month)', (filter, source) => timeseries(db, { ...filter, interval: 'hour' }, source), { from: '2026-11-01', to: '2026-11-30' }],
      ['heatmap', (filter, source) => heatmap(db, filter, source)]
    ]
    const runs = Number(options.runs)
    const rawRuns = Number(options['raw-runs'])
    for (const periodName of options.periods.split(',')) {
      const period = periods[periodName]
      if (period === undefined) throw new Error(`unknown period ${periodName}; known: ${Object.keys(periods).join(', ')}`)
      console.log(`\nFigures for ${periodName} (${period.from} … ${period.to}); p50 / p95 in ms over ${runs} runs (raw GROUP BY: ${rawRuns} runs)`)
      console.log(`  ${'figure'.padEnd(28)} ${'scope'.padEnd(9)} ${'rollups p50'.padStart(12)} ${'p95'.padStart(8)} ${'raw p50'.padStart(10)} ${'p95'.padStart(8)} ${'speed-up'.padStart(9)}  same figures`)
      for (const [scopeName, unitId] of [['province', province], ['centre', centre]] as const) {
        for (const [name, run, override] of figures) {
          const filter: FigureFilter = { unitId, ...period, ...override }
          const measure = async (source: QueryOptions, count: number, warmUp: boolean): Promise<[unknown, number[]]> => {
            const first = await timed(() => run(filter, source))
            const samples: number[] = warmUp ? [] : [first[1]]
            while (samples.length < count) samples.push((await timed(() => run(filter, source)))[1])
            return [first[0], samples]
          }
          const [rollupResult, fromRollups] = await measure({ source: 'rollups' }, runs, true)
          // The raw GROUP BY is slow: its first run counts (no warm-up).
          const [rawResult, fromRaw] = await measure({ source: 'ratings' }, rawRuns, false)
          const same = JSON.stringify(rollupResult) === JSON.stringify(rawResult)
          const p50 = percentile(fromRollups, 50)
          const rawP50 = percentile(fromRaw, 50)
          console.log(`  ${name.padEnd(28)} ${scopeName.padEnd(9)} ${p50.toFixed(1).padStart(12)} ${percentile(fromRollups, 95).toFixed(1).padStart(8)} ${rawP50.toFixed(0).padStart(10)} ${percentile(fromRaw, 95).toFixed(0).padStart(8)} ${(rawP50 / p50).toFixed(0).padStart(8)}×  ${same ? 'yes' : 'NO'}`)
        }
      }
    }
  } finally {
    await db.destroy()
  }
}

await main()
