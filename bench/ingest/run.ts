// Ingest benchmark on real PostgreSQL: autocannon against the rating route and, in the same run, a bare Fastify POST as the ceiling.
// Usage: npm run bench -- ingest   (DATABASE_URL: a server where a scratch database may be created; default local postgres)
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { loadavg } from 'node:os'
import autocannon from 'autocannon'
import { sql } from 'kysely'
import { openDatabase } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import { hashToken, newToken } from '../../api/lib/secrets.ts'
import { cpuSeconds, cpuUsedBetween, freePort, scratchDatabase, startProcess } from '../lib/processes.ts'

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const seconds = Number(process.env.BENCH_SECONDS ?? 15)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const terminalCount = 200

interface Run { requestsPerSecond: number, p50: number, p99: number, non2xx: number, errors: number, acknowledged: string[] }

async function load (url: string, tokens: string[]): Promise<Run> {
  const acknowledged: string[] = []
  let next = 0
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
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
  children.push(await startProcess(['bench/ingest/bare-server.ts'], {}, barePort, '/ping'))
  const insertPort = await freePort()
  children.push(await startProcess(['bench/ingest/insert-server.ts'], { DATABASE_URL: databaseUrl }, insertPort, '/ping'))
  const apiPort = await freePort()
  const env = { DATABASE_URL: databaseUrl, ADMIN_PASSWORD: 'bench-root-secret' }
  children.push(await startProcess(['api/server.ts'], env, apiPort, '/readyz'))

  console.log(`ingest benchmark: ${connections} connections, ${seconds} s each, single-rating requests from ${terminalCount} terminals, PostgreSQL ${new URL(serverUrl).host}`)
  // Warm both up briefly so JIT and pools are ready; then measure the ceiling and the ingest back to back.
  await autocannon({ url: `http://127.0.0.1:${barePort}/ratings`, method: 'POST', body: '{"ratings":[]}', headers: { 'content-type': 'application/json' }, connections, duration: 2 })
  // CPU seconds of the servers under test, of PostgreSQL serving this database (its backends and the server's own
  // processes: WAL writer, checkpointer, …; not other databases' sessions) and of this process (autocannon).
  const [bare, insert, api] = children.map((child) => child.pid!)
  const postgresPids = async (): Promise<number[]> => (await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = current_database() or backend_type <> 'client backend'`.execute(db))
    .rows.map((row) => row.pid)
  type Reading = Map<number, number>
  const cpu = async (): Promise<Reading> => cpuSeconds([bare!, insert!, api!, process.pid, ...await postgresPids()])
  const usage = (from: Reading, to: Reading, server: number) => ({
    server: cpuUsedBetween(from, to, [server]),
    client: cpuUsedBetween(from, to, [process.pid]),
    postgres: cpuUsedBetween(from, to) - cpuUsedBetween(from, to, [bare!, insert!, api!, process.pid])
  })
  let before = await cpu()
  const ceiling = await load(`http://127.0.0.1:${barePort}/ratings`, tokens)
  let after = await cpu()
  const ceilingCpu = usage(before, after, bare!)
  await autocannon({ url: `http://127.0.0.1:${insertPort}/ratings`, method: 'POST', body: '{"ratings":[]}', headers: { 'content-type': 'application/json' }, connections, duration: 2 })
  before = await cpu()
  const plainInsert = await load(`http://127.0.0.1:${insertPort}/ratings`, tokens)
  after = await cpu()
  const insertCpu = usage(before, after, insert!)
  await load(`http://127.0.0.1:${apiPort}/api/v1/terminal/ratings`, tokens.slice(0, 10)).then(() => {}) // warm-up, its ratings count too
  before = await cpu()
  const ingest = await load(`http://127.0.0.1:${apiPort}/api/v1/terminal/ratings`, tokens)
  after = await cpu()
  const ingestCpu = usage(before, after, api!)

  // The rollup worker runs beside the ingest: how far behind it is when the load stops, and how long it needs.
  const pendingAtEnd = await sql<{ n: number }>`select count(*)::int as n from ratings where not rolled_up`.execute(db)
  const caughtUpStarted = Date.now()
  const pending = async (): Promise<number> =>
    (await sql<{ n: number }>`select count(*)::int as n from ratings where not rolled_up`.execute(db)).rows[0]!.n
  while (await pending() > 0 && Date.now() - caughtUpStarted < 120_000) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const caughtUpMs = Date.now() - caughtUpStarted

  // Every acknowledged rating must be in the database, once.
  let found = 0
  for (let i = 0; i < ingest.acknowledged.length; i += 5000) {
    const slice = ingest.acknowledged.slice(i, i + 5000)
    const rows = await db.selectFrom('ratings').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', slice)
      .executeTakeFirstOrThrow()
    found += Number(rows.n)
  }
  const lost = ingest.acknowledged.length - found
  // The primary key makes a second copy impossible; counted anyway: acknowledged ids found more than once.
  const doubled = Math.max(0, found - new Set(ingest.acknowledged).size)
  await db.destroy()

  const ratio = ingest.requestsPerSecond / ceiling.requestsPerSecond
  console.log(`bare Fastify POST (ceiling): ${ceiling.requestsPerSecond.toFixed(0)} req/s, p50 ${ceiling.p50} ms, p99 ${ceiling.p99} ms`)
  console.log(`one INSERT per request:      ${plainInsert.requestsPerSecond.toFixed(0)} ratings/s, p50 ${plainInsert.p50} ms, p99 ${plainInsert.p99} ms (bench/ingest/insert-server.ts)`)
  console.log(`rating ingest:               ${ingest.requestsPerSecond.toFixed(0)} ratings/s, p50 ${ingest.p50} ms, p99 ${ingest.p99} ms, non-2xx ${ingest.non2xx}, errors ${ingest.errors}`)
  const perRequest = (cpuUsed: number, run: Run): string => `${(cpuUsed * 1e6 / (run.requestsPerSecond * seconds)).toFixed(0)} µs`
  console.log(`CPU per request: bare server ${perRequest(ceilingCpu.server, ceiling)}, autocannon ${perRequest(ceilingCpu.client, ceiling)} · one INSERT: server ${perRequest(insertCpu.server, plainInsert)}, PostgreSQL ${perRequest(insertCpu.postgres, plainInsert)}, autocannon ${perRequest(insertCpu.client, plainInsert)} · ingest API ${perRequest(ingestCpu.server, ingest)}, PostgreSQL ${perRequest(ingestCpu.postgres, ingest)}, autocannon ${perRequest(ingestCpu.client, ingest)}`)
  console.log(`rollup worker: ${pendingAtEnd.rows[0]!.n} ratings pending when the load stopped, all rolled up ${(caughtUpMs / 1000).toFixed(1)} s later`)
  console.log(`load average before/after: ${loadBefore} / ${loadavg().map((n) => n.toFixed(1)).join(' ')}`)
  console.log(`ratio ingest/one-INSERT route: ${(ingest.requestsPerSecond / plainInsert.requestsPerSecond).toFixed(2)}`)
  console.log(`ratio ingest/ceiling: ${ratio.toFixed(2)} (target ≥ 0.6) · p99 ${ingest.p99} ms (target < 50) · acknowledged ${ingest.acknowledged.length} · lost ${lost} · doubled ${doubled}`)
  process.exitCode = lost === 0 && doubled === 0 ? 0 : 1
} finally {
  for (const child of children) child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 2000))
  await scratch.drop()
}
