// What Decision 766 per dossier costs a figure (issue 17): a province of ratings with dossier codes on a share of them, rollups
// rebuilt, then each figure timed with the codes and again with none (the dossier statement then finds nothing).
// Usage: node --import tsx bench/analytics/dossiers.ts [--ratings 1000000] [--coded 1] [--runs 20]
//   [--url postgres://postgres@127.0.0.1:5432/postgres] [--database hl_bench_dossiers]
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { sql } from 'kysely'
import { openDatabase } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import { rebuildRollups } from '../../analytics/rollup-tables.ts'
import { byChannel, byCounter, summary, timeseries, visits, type FigureFilter } from '../../analytics/queries.ts'

const { values: options } = parseArgs({
  options: {
    ratings: { type: 'string', default: '1000000' },
    coded: { type: 'string', default: '1' },
    runs: { type: 'string', default: '20' },
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    database: { type: 'string', default: 'hl_bench_dossiers' }
  }
})
const ratings = Number(options.ratings)
const coded = Number(options.coded)
const runs = Number(options.runs)
const log = (message: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`)

const server = new pg.Client({ connectionString: options.url })
await server.connect()
await server.query(`drop database if exists ${options.database} with (force)`)
await server.query(`create database ${options.database}`)
await server.end()
const url = new URL(options.url)
url.pathname = `/${options.database}`
const db = await openDatabase({ databaseUrl: url.toString(), dataDir: null, poolSize: 5 })
await migrateToLatest(db)

// A province, 10 communes, each with a centre of 10 counters; the ratings spread over 2026, a dossier per 1.25 ratings.
await sql`insert into units (id, kind, code, name) values ('00000000-0000-4000-8000-000000000001', 'province', 'P', 'Tỉnh')`.execute(db)
await sql`insert into units (id, parent_id, kind, code, name)
  select ('00000000-0000-4000-8000-0000000001' || lpad(c::text, 2, '0'))::uuid, '00000000-0000-4000-8000-000000000001', 'commune',
    'X' || c, 'Xã ' || c from generate_series(1, 10) c`.execute(db)
await sql`insert into units (id, parent_id, kind, code, name)
  select ('00000000-0000-4000-8000-0000000002' || lpad(c::text, 2, '0'))::uuid,
    ('00000000-0000-4000-8000-0000000001' || lpad(c::text, 2, '0'))::uuid, 'centre', 'C' || c, 'Trung tâm ' || c
  from generate_series(1, 10) c`.execute(db)
await sql`insert into counters (id, unit_id, number, name)
  select ('00000000-0000-4000-8000-0000000' || lpad((c * 100 + n)::text, 5, '0'))::uuid,
    ('00000000-0000-4000-8000-0000000002' || lpad(c::text, 2, '0'))::uuid, n, 'Quầy ' || n
  from generate_series(1, 10) c, generate_series(1, 10) n`.execute(db)
await sql`insert into terminals (id, unit_id, counter_id, kind, token_hash)
  select gen_random_uuid(), unit_id, id, 'touch', md5(id::text) from counters`.execute(db)
log(`generating ${ratings} ratings, ${coded * 100} % with a dossier code`)
await sql`insert into ratings (id, unit_id, counter_id, terminal_id, officer_id, level, category, weight, criteria, rated_at, counted_at,
    source, misuse, dossier_code)
  select gen_random_uuid(), c.unit_id, c.id, t.id, null, l.level, l.category, l.weight, '{}'::jsonb, at, at,
    case when i % 10 = 0 then 'button' when i % 25 = 1 then 'phone' else 'touch' end, false,
    case when (i % 1000) < ${coded * 1000} then 'HS-' || (i * 4 / 5) else null end
  from generate_series(1::bigint, ${ratings}::bigint) i
  cross join lateral (select '2026-01-01T01:00:00Z'::timestamptz + ((i * 7919) % (365 * 86400)) * interval '1 second' as at) a
  join (select row_number() over (order by id) - 1 as k, id, unit_id from counters) c on c.k = i % 100
  join terminals t on t.counter_id = c.id
  join (values (4, 'satisfied', 100), (3, 'satisfied', 75), (2, 'neutral', 40), (1, 'unsatisfied', 0)) l (level, category, weight)
    on l.level = 1 + (i * 31) % 4`.execute(db)
await sql`analyze ratings`.execute(db)
log('rebuilding the rollups')
await rebuildRollups(db)
await sql`vacuum analyze`.execute(db)

const province: FigureFilter = { unitId: '00000000-0000-4000-8000-000000000001', from: '2026-01-01', to: '2026-12-31' }
const centre: FigureFilter = { unitId: '00000000-0000-4000-8000-000000000201', from: '2026-01-01', to: '2026-12-31' }
const month: FigureFilter = { unitId: '00000000-0000-4000-8000-000000000201', from: '2026-11-01', to: '2026-11-30' }
const figures: Array<[string, () => Promise<unknown>]> = [
  ['summary, province, year', () => summary(db, province)],
  ['summary, centre, year', () => summary(db, centre)],
  ['summary, centre, month', () => summary(db, month)],
  ['counters, centre, year', () => byCounter(db, centre)],
  ['timeseries day, centre, year', () => timeseries(db, { ...centre, interval: 'day' })],
  ['channels, centre, year', () => byChannel(db, centre)],
  ['channels, province, year', () => byChannel(db, province)],
  ['visits, centre, month', () => visits(db, month)]
]
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
async function measure (label: string): Promise<void> {
  for (const [name, run] of figures) {
    await run()
    const times: number[] = []
    for (let i = 0; i < runs; i++) {
      const start = performance.now()
      await run()
      times.push(performance.now() - start)
    }
    times.sort((a, b) => a - b)
    log(`${label} | ${name} | p50 ${percentile(times, 0.5).toFixed(1)} ms | p95 ${percentile(times, 0.95).toFixed(1)} ms`)
  }
}
await measure('with codes')
const check = await summary(db, centre)
log(`centre year: ${check.total} ratings, ${check.dossiers} dossiers, rate766 ${check.rate766} (${check.rate766Basis})`)
await sql`update ratings set dossier_code = null where dossier_code is not null`.execute(db)
await sql`vacuum analyze ratings`.execute(db)
await measure('no codes')
await db.destroy()
