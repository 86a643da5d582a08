// Ingest benchmark on real PostgreSQL: autocannon against the rating route and, in the same run, a bare Fastify POST as the ceiling.
// Usage: npm run bench -- ingest   (DATABASE_URL: a server where a scratch database may be created; default local postgres)
//        npm run bench -- ingest --rolling-restart   (bench/ingest/rolling-restart.ts)
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { loadavg } from 'node:os'
import autocannon from 'autocannon'
import { sql } from 'kysely'
import { openDatabase } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import { hashToken, newToken } from '../../api/lib/secrets.ts'
import { cpuSeconds, cpuUsedBetween, freePort, scratchDatabase, startProcess } from '../lib/processes.ts'

if (process.argv.includes('--rolling-restart')) {
  await import('./rolling-restart.ts')
  process.exit()
}

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const seconds = Number(process.env.BENCH_SECONDS ?? 15)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const terminalCount = 200

interface Run { requestsPerSecond: number, p50: number, p99: number, non2xx: number, errors: number, acknowledged: string[] }

async function load (url: string, tokens: string[], connections: number, duration: number): Promise<Run> {
  const acknowledged: string[] = []
  let next = 0
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [{
      method: 'POST',
      setupRequest: (request: Record<string, unknown>, context: Record<string, unknown>) => {
        const id = randomUUID()
        context.id = id
        const token = tokens[next++ % tokens.length]!
        const rating = { id, level: 1 + (next % 4), ratedAt: new Date().toISOString(), criteria: { xin_chao: true } }
        const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` }
        return { ...request, headers, body: JSON.stringify({ ratings: [rating] }) }
      },
      onResponse: (status: number, body: string, context: Record<string, unknown>) => {
        if (status === 200 && body.includes('"created"')) acknowledged.push(context.id as string)
      }
    }]
  } as unknown as autocannon.Options)
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    acknowledged
  }
}

const scratch = await scratchDatabase(serverUrl, 'hl_bench_ingest')
const databaseUrl = scratch.url
const children: ChildProcess[] = []
try {
  const db = await openDatabase({ databaseUrl, dataDir: null })
  await migrateToLatest(db)
  const unit = await db.insertInto('units').values({ kind: 'centre', code: 'BENCH', name: 'Trung tâm đo tải' })
    .returning('id').executeTakeFirstOrThrow()
  const tokens: string[] = []
  for (let i = 1; i <= terminalCount; i++) {
    const counter = await db.insertInto('counters').values({ unit_id: unit.id, number: i, name: `Quầy ${i}` })
      .returning('id').executeTakeFirstOrThrow()
    const token = newToken('hlt')
    tokens.push(token)
    await db.insertInto('terminals').values({
      unit_id: unit.id,
      counter_id: counter.id,
      kind: 'touch',
      token_hash: hashToken(token),
      pairing_code_hash: null,
      pairing_expires_at: null,
      paired_at: new Date(),
      revoked_at: null,
      last_seen_at: null
    }).execute()
  }

  const loadBefore = loadavg().map((n) => n.toFixed(1)).join(' ')
  const barePort = await freePort()
  const bare = await startProcess(['bench/ingest/bare-server.ts'], {}, barePort, '/ping')
  children.push(bare)
  const insertPorts = [await freePort(), await freePort()]
  const inserts: ChildProcess[] = []
  for (const port of insertPorts) {
    inserts.push(await startProcess(['bench/ingest/insert-server.ts'], { DATABASE_URL: databaseUrl }, port, '/ping'))
  }
  children.push(...inserts)
  const apiPorts = [await freePort(), await freePort()]
  const env = { DATABASE_URL: databaseUrl, ADMIN_PASSWORD: 'bench-root-secret' }
  const apis: ChildProcess[] = []
  for (const port of apiPorts) apis.push(await startProcess(['api/server.ts'], env, port, '/readyz'))
  children.push(...apis)

  console.log(`ingest benchmark: ${connections} connections, ${seconds} s each, single-rating requests from ${terminalCount} terminals, PostgreSQL ${new URL(serverUrl).host}`)
  // Warm up briefly so JIT and pools are ready.
  await autocannon({ url: `http://127.0.0.1:${barePort}/ratings`, method: 'POST', body: '{"ratings":[]}', headers: { 'content-type': 'application/json' }, connections, duration: 2 })
  // CPU seconds of the servers under test, of PostgreSQL serving this database (its backends and the server's own
  // processes: WAL writer, checkpointer, …; not other databases' sessions) and of this process (autocannon).
  const ours = [bare, ...inserts, ...apis].map((child) => child.pid!)
  const postgresPids = async (): Promise<number[]> => (await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = current_database() or backend_type <> 'client backend'`.execute(db))
    .rows.map((row) => row.pid)
  type Reading = Map<number, number>
  const cpu = async (): Promise<Reading> => cpuSeconds([...ours, process.pid, ...await postgresPids()])

  interface Measured extends Run {
    server: number
    client: number
    postgres: number
    transactions: number
    /** WAL flushes (fsyncs) and WAL bytes of the whole server over the run (pg_stat_wal: other databases' too). */
    walSyncs: number
    walBytes: number
    /** The API processes' event-loop delay during the run (ms; 10 ms is the sampling step itself): p99 and max. */
    loopDelay: Array<{ p99: number, max: number }>
    /** PostgreSQL's time per rating by statement (pg_stat_statements), when the server loads it. */
    statements: Array<{ microsPerRating: number, calls: number, rowsPerCall: number, text: string }>
  }
  // Where PostgreSQL's time goes, statement by statement: only if the server preloads pg_stat_statements
  // (shared_preload_libraries); the figures above do not depend on it.
  const statementsTracked = await sql`create extension if not exists pg_stat_statements`.execute(db)
    .then(async () => sql`select pg_stat_statements_reset()`.execute(db))
    .then(() => true, () => false)
  if (!statementsTracked) console.log('(pg_stat_statements is not loaded on this server: no per-statement times)')
  const statementTimes = async (ratings: number): Promise<Measured['statements']> => {
    if (!statementsTracked) return []
    const rows = await sql<{ ms: number, calls: number, rows: number, text: string }>`
      select total_exec_time + total_plan_time as ms, calls, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) as text
      from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
      order by 1 desc limit ${Number(process.env.BENCH_STATEMENTS ?? 5)}`.execute(db)
    return rows.rows.map((row) => ({
      microsPerRating: row.ms * 1000 / Math.max(1, ratings),
      calls: row.calls,
      rowsPerCall: row.rows / Math.max(1, row.calls),
      text: row.text
    }))
  }
  /** The API's event-loop delay since the last scrape (prom-client resets it on each): null for the yardsticks. */
  const loopDelay = async (url: string): Promise<{ p99: number, max: number } | null> => {
    if (!url.includes('/api/')) return null
    const text = await (await fetch(new URL('/metrics', url))).text()
    const gauge = (name: string): number =>
      Number(new RegExp(`^hailong_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000
    return { p99: gauge('p99'), max: gauge('max') }
  }
  // Transactions committed in this database (each autocommit statement is one): PostgreSQL's statistics lag up to a
  // second behind, so read after a pause.
  const commits = async (): Promise<number> => {
    await new Promise((resolve) => setTimeout(resolve, 1100))
    return Number((await sql<{ n: string }>`select xact_commit as n from pg_stat_database where datname = current_database()`.execute(db))
      .rows[0]!.n)
  }
  // WAL flushes: the one-INSERT route commits once a rating but its connections share flushes; the ingest commits
  // once a batch. Read after commits() has waited for the statistics.
  const wal = async (): Promise<{ syncs: number, bytes: number }> => {
    const read = sql<{ syncs: string, bytes: string }>`select wal_sync as syncs, wal_bytes as bytes from pg_stat_wal`
    const row = (await read.execute(db)).rows[0]!
    return { syncs: Number(row.syncs), bytes: Number(row.bytes) }
  }
  /**
   * Load spread over the given servers: the connections and the terminals split evenly, each part on one server (a
   * proxy keeps a terminal's connection on one process). Rates add up; p50/p99 are the worst part's.
   */
  const measure = async (targets: Array<{ url: string, pid: number }>, warmUp: boolean): Promise<Measured> => {
    const share = (list: string[], part: number): string[] => list.filter((_, index) => index % targets.length === part)
    const perTarget = connections / targets.length
    if (warmUp) await Promise.all(targets.map((target, part) => load(target.url, share(tokens, part).slice(0, 10), perTarget, 3)))
    const commitsBefore = await commits()
    const walBefore = await wal()
    await Promise.all(targets.map(async (target) => loopDelay(target.url)))
    if (statementsTracked) await sql`select pg_stat_statements_reset()`.execute(db)
    const before = await cpu()
    const runs = await Promise.all(targets.map((target, part) => load(target.url, share(tokens, part), perTarget, seconds)))
    const after = await cpu()
    const delays = await Promise.all(targets.map(async (target) => loopDelay(target.url)))
    const statements = await statementTimes(runs.reduce((sum, run) => sum + run.acknowledged.length, 0))
    const transactions = await commits() - commitsBefore
    const walAfter = await wal()
    const pids = targets.map((target) => target.pid)
    return {
      loopDelay: delays.filter((delay) => delay !== null),
      statements,
      transactions,
      walSyncs: walAfter.syncs - walBefore.syncs,
      walBytes: walAfter.bytes - walBefore.bytes,
      requestsPerSecond: runs.reduce((sum, run) => sum + run.requestsPerSecond, 0),
      p50: Math.max(...runs.map((run) => run.p50)),
      p99: Math.max(...runs.map((run) => run.p99)),
      non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
      acknowledged: runs.flatMap((run) => run.acknowledged),
      server: cpuUsedBetween(before, after, pids),
      client: cpuUsedBetween(before, after, [process.pid]),
      postgres: cpuUsedBetween(before, after) - cpuUsedBetween(before, after, [...ours, process.pid])
    }
  }
  const insertUrl = (index: number): { url: string, pid: number } =>
    ({ url: `http://127.0.0.1:${insertPorts[index]}/ratings`, pid: inserts[index]!.pid! })
  const apiUrl = (index: number): { url: string, pid: number } =>
    ({ url: `http://127.0.0.1:${apiPorts[index]}/api/v1/terminal/ratings`, pid: apis[index]!.pid! })

  const ceiling = await measure([{ url: `http://127.0.0.1:${barePort}/ratings`, pid: bare.pid! }], false)
  const perRequest = (cpuUsed: number, run: Run): string => `${(cpuUsed * 1e6 / (run.requestsPerSecond * seconds)).toFixed(0)} µs`
  const line = (label: string, run: Measured, unit: string): string =>
    `${label.padEnd(34)} ${run.requestsPerSecond.toFixed(0)} ${unit}, p50 ${run.p50} ms, p99 ${run.p99} ms, non-2xx ${run.non2xx}, errors ${run.errors}; ` +
    `CPU per request: server ${perRequest(run.server, run)}, PostgreSQL ${perRequest(run.postgres, run)}, autocannon ${perRequest(run.client, run)}; ` +
    `${(run.transactions / (run.requestsPerSecond * seconds) * 1000).toFixed(0)} transactions and ` +
    `${(run.walSyncs / (run.requestsPerSecond * seconds) * 1000).toFixed(0)} WAL flushes per 1,000, ` +
    `${(run.walBytes / (run.requestsPerSecond * seconds)).toFixed(0)} WAL bytes each`
  const verdict = (processes: number, ratio: number, run: Measured, checked: { lost: number, doubled: number }): string =>
    `${processes} process${processes === 1 ? '' : 'es'}: ingest/one-INSERT route ${ratio.toFixed(2)} ` +
    `(target ≥ 1.0) · p99 ${run.p99} ms (target < 50) · acknowledged ${run.acknowledged.length} · lost ${checked.lost} · doubled ${checked.doubled}`
  console.log(line('bare Fastify POST (ceiling):', ceiling, 'req/s'))
  // Every acknowledged rating must be in the database, once.
  const check = async (acknowledged: string[]): Promise<{ lost: number, doubled: number }> => {
    let found = 0
    for (let i = 0; i < acknowledged.length; i += 5000) {
      const slice = acknowledged.slice(i, i + 5000)
      // By the primary key (unit_id, id): no index serves the id alone since ratings_id_idx went.
      const rows = await db.selectFrom('ratings').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('unit_id', '=', unit.id).where('id', 'in', slice)
        .executeTakeFirstOrThrow()
      found += Number(rows.n)
    }
    // The primary key makes a second copy impossible; counted anyway: acknowledged ids found more than once, or
    // acknowledged as created twice.
    const distinct = new Set(acknowledged).size
    return { lost: distinct - found, doubled: Math.max(0, found - distinct) + (acknowledged.length - distinct) }
  }
  const queued = async (): Promise<number> => (await sql<{ n: number }>`select count(*)::int as n from rollup_queue`.execute(db)).rows[0]!.n

  // BENCH_ROUNDS=N repeats the four phases N times in one run and ends with the medians: the ratios move ±10 % from
  // run to run on a shared machine, and one round is one sample.
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1))
  const ratios: Array<{ one: number, two: number, p99: number }> = []
  let faults = 0
  for (let round = 1; round <= rounds; round++) {
    if (rounds > 1) console.log(`round ${round} of ${rounds}:`)
    // One process each, then two each (the same database): the one-INSERT route and the ingest back to back.
    const plainInsert = await measure([insertUrl(0)], true)
    const ingest = await measure([apiUrl(0)], true) // its warm-up ratings count too
    const plainInsert2 = await measure([insertUrl(0), insertUrl(1)], true)
    const ingest2 = await measure([apiUrl(0), apiUrl(1)], true)

    // The rollup worker runs beside the ingest: how far behind it is when the load stops, and how long it needs.
    const pendingAtEnd = await queued()
    const caughtUpStarted = Date.now()
    while (await queued() > 0 && Date.now() - caughtUpStarted < 120_000) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const caughtUpMs = Date.now() - caughtUpStarted
    const one = await check(ingest.acknowledged)
    const two = await check(ingest2.acknowledged)
    faults += one.lost + one.doubled + two.lost + two.doubled

    console.log(line('one INSERT per request, 1 process:', plainInsert, 'ratings/s'))
    console.log(line('rating ingest, 1 API process:', ingest, 'ratings/s'))
    console.log(line('one INSERT per request, 2 proc.:', plainInsert2, 'ratings/s'))
    console.log(line('rating ingest, 2 API processes:', ingest2, 'ratings/s'))
    for (const [label, run] of [['1 API process', ingest], ['2 API processes', ingest2]] as const) {
      const delays = run.loopDelay.map((delay) => `p99 ${delay.p99.toFixed(0)} ms, max ${delay.max.toFixed(0)} ms`).join(' · ')
      console.log(`event-loop delay, ${label} (10 ms is the sampling step): ${delays}`)
      for (const statement of run.statements) {
        console.log(`  PostgreSQL, ${label}: ${statement.microsPerRating.toFixed(0).padStart(4)} µs per rating, ${statement.calls} calls of ` +
          `${statement.rowsPerCall.toFixed(1)} rows: ${statement.text}`)
      }
    }
    console.log(`rollup worker: ${pendingAtEnd} ratings queued when the load stopped, all rolled up ${(caughtUpMs / 1000).toFixed(1)} s later`)
    console.log(`load average at the start of the run / now: ${loadBefore} / ${loadavg().map((n) => n.toFixed(1)).join(' ')}`)
    const ratio = {
      one: ingest.requestsPerSecond / plainInsert.requestsPerSecond,
      two: ingest2.requestsPerSecond / plainInsert2.requestsPerSecond
    }
    ratios.push({ ...ratio, p99: Math.max(ingest.p99, ingest2.p99) })
    console.log(verdict(1, ratio.one, ingest, one))
    console.log(verdict(2, ratio.two, ingest2, two))
    console.log(`ratio ingest (1 process)/ceiling: ${(ingest.requestsPerSecond / ceiling.requestsPerSecond).toFixed(2)}`)
  }
  await db.destroy()
  if (rounds > 1) {
    const median = (values: number[]): number => {
      const sorted = [...values].sort((a, b) => a - b)
      const middle = Math.floor(sorted.length / 2)
      return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
    }
    const spread = (values: number[]): string =>
      `median ${median(values).toFixed(2)} (${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)})`
    const met = ratios.filter((ratio) => ratio.one >= 1 && ratio.two >= 1 && ratio.p99 < 50).length
    console.log(`${rounds} rounds: ingest/one-INSERT route, 1 process ${spread(ratios.map((ratio) => ratio.one))}, ` +
      `2 processes ${spread(ratios.map((ratio) => ratio.two))}; both targets met in ${met} of ${rounds} rounds; ` +
      `lost or doubled ${faults}`)
  }
  process.exitCode = faults === 0 ? 0 : 1
} finally {
  for (const child of children) child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 2000))
  await scratch.drop()
}
