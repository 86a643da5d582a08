// Rolling restart under load: two API processes on one PostgreSQL, terminals sending ratings and dashboards on
// WS /api/v1/live; process A is stopped mid-run (SIGTERM: close-with-grace drains the ingest) and started again.
// Prints ratings acknowledged vs stored (0 lost), doubled (0), the dashboards that reconnected and how long it took,
// and the live events received.
// Usage: npm run bench -- ingest --rolling-restart   (DATABASE_URL: a server where a scratch database may be created;
// BENCH_SECONDS run length, default 30; BENCH_RATE ratings/s, default 300; BENCH_SOCKETS dashboards, default 20)
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { sql } from 'kysely'
import WebSocket from 'ws'
import { openDatabase } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import { SESSION_COOKIE } from '../../api/plugins/app/auth.ts'
import { createSession } from '../../api/repositories/users.ts'
import { hashSecret, hashToken, newToken } from '../../api/lib/secrets.ts'
import { freePort, scratchDatabase, startProcess } from '../lib/processes.ts'

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const seconds = Number(process.env.BENCH_SECONDS ?? 30)
const rate = Number(process.env.BENCH_RATE ?? 300)
const socketCount = Number(process.env.BENCH_SOCKETS ?? 20)
const terminalCount = 100
/** A terminal's outbox sends what piled up since its last answer, up to this many ratings a request. */
const maxBatch = 20
const restartAt = Math.min(10, seconds / 3) * 1000

const now = (): number => performance.now()
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const log = (message: string): void => { console.log(`[${(now() / 1000).toFixed(1).padStart(6)} s] ${message}`) }
const load = (): string => loadavg().map((value) => value.toFixed(1)).join(' ')

function percentile (values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

interface Totals {
  created: Map<string, number>
  duplicate: number
  rejected: number
  retries: number
  failures: Map<string, number>
  /** Time from a batch's first send to its answer (retries included). */
  latencies: number[]
}

/**
 * One terminal: taps arrive in its outbox at its share of the rate; it sends the outbox as one batch to its process,
 * and on a connection failure or a 503 sends the same batch (same ids) to the other process, as the device's outbox
 * does behind a proxy. A batch leaves the outbox only when answered item by item.
 */
async function terminal (token: string, bases: string[], first: number, until: number, totals: Totals): Promise<void> {
  const outbox: Array<{ id: string, level: number, ratedAt: string }> = []
  const interval = (terminalCount / rate) * 1000
  let nextTap = now() + Math.random() * interval
  let target = first
  while (now() < until || outbox.length > 0) {
    while (now() >= nextTap && now() < until) {
      outbox.push({ id: randomUUID(), level: 1 + Math.floor(Math.random() * 4), ratedAt: new Date().toISOString() })
      nextTap += interval
    }
    if (outbox.length === 0) {
      await sleep(Math.max(1, nextTap - now()))
      continue
    }
    const batch = outbox.slice(0, maxBatch)
    const sentAt = now()
    for (let attempt = 0; ; attempt++) {
      let failure: string | null = null
      try {
        const response = await fetch(`${bases[target]}/api/v1/terminal/ratings`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ ratings: batch }),
          signal: AbortSignal.timeout(10_000)
        })
        if (response.status === 200) {
          const { results } = await response.json() as { results: Array<{ id: string, status: string }> }
          for (const result of results) {
            if (result.status === 'created') totals.created.set(result.id, (totals.created.get(result.id) ?? 0) + 1)
            else if (result.status === 'duplicate') totals.duplicate++
            else totals.rejected++
          }
          totals.latencies.push(now() - sentAt)
          outbox.splice(0, batch.length)
          break
        }
        await response.body?.cancel()
        failure = `HTTP ${response.status}`
      } catch (error) {
        failure = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name
      }
      totals.failures.set(failure, (totals.failures.get(failure) ?? 0) + 1)
      totals.retries++
      // The other process now; after a round of both, wait a little (the device's backoff).
      target = 1 - target
      if (attempt % 2 === 1) await sleep(Math.min(1000, 50 * attempt))
    }
  }
}

interface Dashboard {
  /** Rating ids received (a set: a second copy on one socket would be a doubled event). */
  ratings: Set<string>
  doubledEvents: number
  otherEvents: number
  /** Milliseconds from each close to the next `hello`. */
  reconnects: number[]
  connectedTo: number[]
}

/** A supervisor's dashboard: connects to its process, and after a close reconnects (that process, else the other). */
function dashboard (cookie: string, ports: number[], first: number, stopped: () => boolean): Dashboard {
  const state: Dashboard = { ratings: new Set(), doubledEvents: 0, otherEvents: 0, reconnects: [], connectedTo: [] }
  let target = first
  let closedAt: number | null = null
  const open = (attempt: number): void => {
    if (stopped()) return
    const socket = new WebSocket(`ws://127.0.0.1:${ports[target]}/api/v1/live`, { headers: { cookie } })
    let opened = false
    socket.on('message', (raw) => {
      const events = [JSON.parse(raw.toString())].flat() as Array<{ type: string, rating?: { id: string } }>
      for (const event of events) {
        if (event.type === 'hello') {
          opened = true
          state.connectedTo.push(target)
          if (closedAt !== null) state.reconnects.push(now() - closedAt)
          closedAt = null
        } else if (event.type === 'rating' && event.rating !== undefined) {
          if (state.ratings.has(event.rating.id)) state.doubledEvents++
          state.ratings.add(event.rating.id)
        } else {
          state.otherEvents++
        }
      }
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      if (stopped()) return
      closedAt ??= now()
      // As web/socket.ts: at once after an open socket closed, then with a backoff; here alternating processes.
      if (!opened || attempt > 0) target = 1 - target
      setTimeout(() => open(opened ? 0 : attempt + 1), opened ? 0 : Math.min(1000, 100 * (attempt + 1)))
    })
    stopSockets.push(() => socket.close())
  }
  open(0)
  return state
}
const stopSockets: Array<() => void> = []

const scratch = await scratchDatabase(serverUrl, 'hl_bench_restart')
const children: ChildProcess[] = []
let stopping = false
try {
  const db = await openDatabase({ databaseUrl: scratch.url, dataDir: null })
  await migrateToLatest(db)
  const province = await db.insertInto('units').values({ kind: 'province', code: 'BENCH', name: 'Tỉnh đo tải' })
    .returning('id').executeTakeFirstOrThrow()
  const centre = await db.insertInto('units').values({ kind: 'centre', code: 'BENCH-TT', name: 'Trung tâm đo tải', parent_id: province.id })
    .returning('id').executeTakeFirstOrThrow()
  await sql`insert into counters (unit_id, number, name)
    select ${centre.id}, n, 'Quầy ' || n from generate_series(1, ${terminalCount}) n`.execute(db)
  const counters = await db.selectFrom('counters').select(['id', 'unit_id']).orderBy('number').execute()
  const tokens = counters.map(() => newToken('hlt'))
  await sql`insert into terminals (unit_id, counter_id, kind, token_hash, paired_at)
    select unit_id, counter_id, 'touch', token_hash, now() - interval '1 day'
    from unnest(${sql.val(counters.map((counter) => counter.unit_id))}::uuid[], ${sql.val(counters.map((counter) => counter.id))}::uuid[],
      ${sql.val(tokens.map(hashToken))}::text[]) as t(unit_id, counter_id, token_hash)`.execute(db)
  // Supervisors of the province, signed in as the login route signs them in.
  const passwordHash = await hashSecret(randomUUID())
  const cookies: string[] = []
  for (let i = 0; i < socketCount; i++) {
    const user = await db.insertInto('users').values({
      username: `giamsat${i}`,
      display_name: `Giám sát ${i}`,
      password_hash: passwordHash,
      role: 'supervisor',
      unit_id: province.id,
      officer_id: null
    }).returning('id').executeTakeFirstOrThrow()
    const secret = newToken('hls')
    await createSession(db, hashToken(secret), user.id, new Date(Date.now() + 86400_000))
    cookies.push(`${SESSION_COOKIE}=${secret}`)
  }

  // 100 terminals carry the load here, each pressed a few times a second: no cooldown, and a burst is more than 10
  // presses in 1 s, so every rating counts as real. (A burst count of 10,000, as the live bench sets, makes each
  // commit read the last 10,001 presses of every terminal in it: batches then took a second.)
  const env = {
    DATABASE_URL: scratch.url,
    ADMIN_PASSWORD: 'bench-root-secret',
    MISUSE_COOLDOWN_SECONDS: '0',
    MISUSE_BURST_COUNT: '10',
    MISUSE_BURST_WINDOW_SECONDS: '1'
  }
  const ports = [await freePort(), await freePort()]
  for (const port of ports) children.push(await startProcess(['api/server.ts'], env, port, '/readyz'))
  const bases = ports.map((port) => `http://127.0.0.1:${port}`)
  console.log(`rolling restart: 2 API processes, ${rate} ratings/s from ${terminalCount} terminals for ${seconds} s, ${socketCount} dashboards; ` +
    `process A stopped (SIGTERM) at ${restartAt / 1000} s and started again; PostgreSQL ${new URL(serverUrl).host}; load average ${load()}`)

  const dashboards = cookies.map((cookie, index) => dashboard(cookie, ports, index % 2, () => stopping))
  while (dashboards.some((state) => state.connectedTo.length === 0)) await sleep(50)
  log(`${dashboards.length} dashboards connected`)

  const totals: Totals = { created: new Map(), duplicate: 0, rejected: 0, retries: 0, failures: new Map(), latencies: [] }
  const started = now()
  const until = started + seconds * 1000
  const sending = Promise.all(tokens.map((token, index) => terminal(token, bases, index % 2, until, totals)))

  await sleep(restartAt)
  const a = children[0]!
  const exited = new Promise<number | null>((resolve) => a.once('exit', (code) => resolve(code)))
  const stopAt = now()
  log('SIGTERM to process A')
  a.kill('SIGTERM')
  const exitCode = await exited
  const stoppedMs = now() - stopAt
  log(`process A exited (code ${exitCode}) ${(stoppedMs / 1000).toFixed(1)} s after SIGTERM; starting it again`)
  children[0] = await startProcess(['api/server.ts'], env, ports[0]!, '/readyz')
  const downMs = now() - stopAt
  log(`process A ready again ${(downMs / 1000).toFixed(1)} s after SIGTERM`)

  await sending
  const sentFor = (now() - started) / 1000
  // The server's own view of the ratings route on process B (from its request into its answer): where the time goes.
  const metrics = await (await fetch(`${bases[1]}/metrics`)).text()
  const buckets = metrics.split('\n').filter((line) => line.startsWith('hailong_http_request_duration_seconds_bucket') &&
    line.includes('/terminal/ratings') && line.includes('status="200"'))
    .map((line) => `≤${/le="([^"]+)"/.exec(line)![1]} s: ${line.split(' ').at(-1)}`)
  console.log(`process B, POST ratings answered 200, cumulative: ${buckets.join(', ')}`)
  log('terminals done; waiting 2 s for the last events')
  await sleep(2000)
  stopping = true
  for (const stop of stopSockets) stop()

  // Every acknowledged rating is stored, once; nothing stored that no terminal sent.
  const acknowledged = [...totals.created.keys()]
  const ids = sql.val(acknowledged)
  const found = await sql<{ stored: number, of_acknowledged: number, copies: number }>`
    select (select count(*)::int from ratings) as stored,
      (select count(*)::int from ratings where id = any(${ids}::uuid[])) as of_acknowledged,
      (select coalesce(max(n), 0)::int from (select count(*) as n from ratings group by id) c) as copies`.execute(db)
  const { stored, of_acknowledged: ofAcknowledged, copies } = found.rows[0]!
  const createdTwice = [...totals.created.values()].filter((n) => n > 1).length
  await db.destroy()

  const lost = acknowledged.length - ofAcknowledged
  const doubled = createdTwice + Math.max(0, copies - 1)
  const reconnects = dashboards.flatMap((state) => state.reconnects)
  const received = dashboards.map((state) => state.ratings.size)
  console.log(`ratings: ${acknowledged.length} acknowledged created (+ ${totals.duplicate} answered duplicate on a retry), ${stored} stored, ` +
    `${lost} lost, ${doubled} doubled, ${totals.rejected} rejected; ${(stored / sentFor).toFixed(0)} ratings/s`)
  console.log(`requests retried on the other process: ${totals.retries} (${[...totals.failures].map(([why, n]) => `${why} × ${n}`).join(', ') || 'none'}); ` +
    `batch answered in p50 ${percentile(totals.latencies, 50).toFixed(0)} ms, p99 ${percentile(totals.latencies, 99).toFixed(0)} ms, ` +
    `max ${Math.max(...totals.latencies).toFixed(0)} ms (retries included)`)
  console.log(`process A: exited ${(stoppedMs / 1000).toFixed(1)} s after SIGTERM, answering again after ${(downMs / 1000).toFixed(1)} s`)
  console.log(`dashboards: ${reconnects.length} reconnects by ${dashboards.filter((state) => state.reconnects.length > 0).length} of ${dashboards.length} ` +
    `dashboards, reconnected in p50 ${percentile(reconnects, 50).toFixed(0)} ms, max ${Math.max(0, ...reconnects).toFixed(0)} ms`)
  console.log(`live rating events per dashboard (of ${stored} stored): min ${Math.min(...received)}, median ${percentile(received, 50)}, ` +
    `max ${Math.max(...received)}; doubled on a socket ${dashboards.reduce((sum, state) => sum + state.doubledEvents, 0)}; ` +
    `other events (alert, case) ${dashboards.reduce((sum, state) => sum + state.otherEvents, 0)} ` +
    '(every dashboard watches the whole province: with cross-process delivery each should see every rating stored while it was connected; ' +
    'without it, only those its own process stored)')
  console.log(`load average after: ${load()}`)
  process.exitCode = lost === 0 && doubled === 0 && totals.rejected === 0 ? 0 : 1
} finally {
  stopping = true
  for (const child of children) child.kill('SIGTERM')
  await sleep(2000)
  await scratch.drop()
}
