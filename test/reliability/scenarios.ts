// The two reliability scenarios on a private PostgreSQL: crash/restart/offline under steady presses, and SIGTERM during load.
import { randomUUID } from 'node:crypto'
import fsp from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import type { Kysely } from 'kysely'
import { openDatabase } from '../../db/database.ts'
import type { Database } from '../../db/schema.ts'
import { ApiProcess, type Exit } from './api-process.ts'
import { compareFigures, ledger, waitForRollups, type FigureComparison, type Ledger } from './checks.ts'
import { freePort, type PrivatePostgres } from './postgres.ts'
import { ChaosProxy } from './proxy.ts'
import { AdminClient, SimulatedTerminal, routeTerminalFetch, seedProvince } from './terminals.ts'

const ADMIN_PASSWORD = 'reliability-root-secret'
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)))

export interface TimelineEvent { at: number, what: string }

/** Seconds since `start`, and a timeline that is also printed as it happens. */
class Timeline {
  readonly events: TimelineEvent[] = []
  private readonly start = performance.now()
  constructor (private readonly log: (line: string) => void) {}
  now (): number { return (performance.now() - this.start) / 1000 }
  mark (what: string): void {
    const at = this.now()
    this.events.push({ at, what })
    this.log(`t=${at.toFixed(1).padStart(6)} s  ${what}`)
  }

  until (seconds: number): Promise<void> { return sleep((seconds - this.now()) * 1000) }
}

export interface CrashScenarioOptions {
  terminals: number
  /** How long the terminals press. The faults happen at 15 %, 40 % and 60–75 % of it. */
  seconds: number
  /** Mean time between two presses on one terminal. */
  intervalMs: number
  pgRestart: 'fast' | 'immediate'
  /** How long to wait, after the presses stop, for the outboxes to empty and the rollups to catch up (each). */
  settleSeconds?: number
  log: (line: string) => void
}

export interface CrashScenarioReport {
  timeline: TimelineEvent[]
  ledger: Ledger
  /** Answers the terminals received, summed; duplicates are replays of ratings whose first answer was lost. */
  answers: { created: number, duplicate: number, rejected: number }
  sends: number
  failedSends: number
  /** Taps the outbox failed to store (must be none). */
  pressErrors: string[]
  /** Ratings still in an outbox when the suite stopped waiting (must be 0). */
  unsent: number
  /** Ratings not yet rolled up when the suite stopped waiting (must be 0). */
  rollupsPending: number
  figures: FigureComparison
  /** Times the API exited without being asked to (each restarted, as a process supervisor would). */
  crashes: Exit[]
  /** How the API ended on the final SIGTERM. */
  finalExit: Exit
  apiLog: string
  /** Holds the API's log; remove it once the run is judged. */
  workDir: string
}

/** Terminals press through the proxy while the API is SIGKILLed and restarted, PostgreSQL restarts and the network is cut. */
export async function runCrashScenario (pg: PrivatePostgres, options: CrashScenarioOptions): Promise<CrashScenarioReport> {
  const { log } = options
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'hl-reliability-'))
  const databaseUrl = await pg.createDatabase('crash_restart_offline')
  const api = new ApiProcess({
    databaseUrl,
    port: await freePort(),
    adminPassword: ADMIN_PASSWORD,
    logFile: path.join(work, 'api.log'),
    // Terminals press about once a second, far faster than citizens: a 1 s cooldown (and no burst limit) flags
    // about half the presses as misuse, so both halves of the figures and rollups are exercised.
    env: { TRUST_PROXY: '1', MISUSE_COOLDOWN_SECONDS: '1', MISUSE_BURST_COUNT: '10000' }
  })
  log(`PostgreSQL (private cluster) on 127.0.0.1:${pg.port}; API log ${api.options.logFile}`)
  const startMs = await api.start()
  const proxy = await ChaosProxy.start(api.options.port)
  const restoreFetch = routeTerminalFetch(proxy.url)
  let db: Kysely<Database> | null = null
  const terminals: SimulatedTerminal[] = []
  let watcher: NodeJS.Timeout | undefined
  let restarting: Promise<void> | null = null
  let pressing = false
  const pressErrors: string[] = []
  try {
    const admin = await AdminClient.signIn(api.baseUrl, ADMIN_PASSWORD)
    const province = await seedProvince(admin, options.terminals, 'REL')
    for (const [index, counter] of province.counters.entries()) terminals.push(await SimulatedTerminal.pair(index, counter.pairingCode))
    log(`API ready in ${startMs} ms; ${terminals.length} terminals paired through the proxy (${terminals.filter((t) => t.state.officer !== null).length} with an officer on shift), ${terminals[0]!.state.criteria.length} criteria asked after each press`)

    const timeline = new Timeline(log)
    const seconds = options.seconds
    const settleSeconds = options.settleSeconds ?? 120
    // A crash nobody caused is a failure, but the run goes on as in production: a supervisor restarts the API.
    let crashesSeen = 0
    watcher = setInterval(() => {
      if (api.crashes.length === crashesSeen || api.running || restarting !== null) return
      crashesSeen = api.crashes.length
      const crash = api.crashes.at(-1)!
      timeline.mark(`API EXITED ON ITS OWN (code ${crash.code}, signal ${crash.signal}); restarting it as a supervisor would`)
      restarting = api.start()
        .then((ms) => timeline.mark(`API ready again (${ms} ms to ready)`),
          (error: unknown) => timeline.mark(`API restart failed: ${String(error)}`))
        .finally(() => { restarting = null })
    }, 250)
    pressing = true
    timeline.mark(`${terminals.length} terminals start pressing, one press every ~${options.intervalMs} ms each`)
    const presses = terminals.map(async (terminal) => {
      // eslint-disable-next-line no-unmodified-loop-condition -- the run's timer sets pressing to false
      while (pressing) {
        await sleep(options.intervalMs * (0.5 + Math.random()))
        // A tap the outbox could not even store would be lost on a tablet too: counted as a failure.
        if (pressing) await terminal.press().catch((error: unknown) => { pressErrors.push(String(error)) })
      }
    })

    await timeline.until(seconds * 0.15)
    await restarting
    timeline.mark(`API killed (SIGKILL, pid ${api.pid})`)
    const killed = await api.stop('SIGKILL')
    timeline.mark(`API gone (${killed.signal}); restarting`)
    const restartMs = await api.start()
    timeline.mark(`API ready again (${restartMs} ms to ready)`)

    await timeline.until(seconds * 0.4)
    timeline.mark(`PostgreSQL restart -m ${options.pgRestart}`)
    await pg.restart(options.pgRestart)
    timeline.mark('PostgreSQL accepting connections again')

    await timeline.until(seconds * 0.6)
    const open = proxy.cutNetwork()
    const cutAt = timeline.now()
    timeline.mark(`network cut: answers on ${open} open connection(s) dropped, new connections reset`)
    await timeline.until(Math.max(seconds * 0.75, cutAt + 5))
    const dropped = proxy.dropped
    proxy.restoreNetwork()
    timeline.mark(`network restored after ${(timeline.now() - cutAt).toFixed(1)} s (${dropped} connection attempts reset meanwhile)`)

    await timeline.until(seconds)
    pressing = false
    await Promise.all(presses)
    const tapped = terminals.flatMap((terminal) => terminal.tapped)
    const waiting = (await Promise.all(terminals.map((terminal) => terminal.pending()))).reduce((a, b) => a + b, 0)
    timeline.mark(`presses stop: ${tapped.length} taps, ${waiting} still in the outboxes`)

    // The app kicks its sender when its live socket (re)connects; here every few seconds until the outboxes are empty.
    let unsent = waiting
    const drainStarted = timeline.now()
    for (let round = 0; unsent > 0 && timeline.now() - drainStarted < settleSeconds; round++) {
      if (round % 20 === 0) for (const terminal of terminals) terminal.kick()
      await sleep(250)
      unsent = (await Promise.all(terminals.map((terminal) => terminal.pending()))).reduce((a, b) => a + b, 0)
    }
    timeline.mark(unsent === 0 ? 'every outbox empty: all taps acknowledged' : `gave up waiting: ${unsent} taps still unsent`)

    db = await openDatabase({ databaseUrl, dataDir: null })
    const rollupsPending = await waitForRollups(db, settleSeconds * 1000)
    timeline.mark(rollupsPending === 0
      ? 'rollup worker caught up (no rating pending)'
      : `gave up waiting: ${rollupsPending} ratings not rolled up`)
    const counted = await ledger(db, tapped)
    const figures = await compareFigures(db, province.provinceId)
    timeline.mark(`checked: ${figures.compared.length} figure queries on rollups vs raw ratings`)

    clearInterval(watcher)
    await restarting
    const finalExit = await api.stop('SIGTERM')
    timeline.mark(`API stopped with SIGTERM (exit code ${finalExit.code})`)

    const answers = { created: 0, duplicate: 0, rejected: 0 }
    for (const terminal of terminals) for (const key of ['created', 'duplicate', 'rejected'] as const) answers[key] += terminal.answers[key]
    const sends = terminals.reduce((sum, terminal) => sum + terminal.sends, 0)
    const failedSends = terminals.reduce((sum, terminal) => sum + terminal.failedSends, 0)
    return {
      timeline: timeline.events,
      ledger: counted,
      answers,
      sends,
      failedSends,
      pressErrors,
      unsent,
      rollupsPending,
      figures,
      crashes: api.crashes,
      finalExit,
      apiLog: api.options.logFile,
      workDir: work
    }
  } finally {
    pressing = false
    clearInterval(watcher)
    await restarting
    for (const terminal of terminals) await terminal.close()
    restoreFetch()
    await proxy.close()
    await api.stop('SIGKILL')
    await db?.destroy()
  }
}

export function describeCrashReport (report: CrashScenarioReport): string[] {
  const { ledger: l, answers, figures } = report
  return [
    `taps ${l.tapped} · rows stored ${l.stored} · lost ${l.lost} · extra ${l.extra} · duplicate rows ${l.duplicates}`,
    `answers to the terminals: created ${answers.created} · duplicate (replays after a lost answer) ${answers.duplicate} · rejected ${answers.rejected} · sends ${report.sends}, of which failed and retried ${report.failedSends}`,
    `misuse-flagged ${l.misuse} of ${l.stored} · cases: ${l.cases} for ${l.casesForDistinctRatings} ratings · unsatisfied ratings (not misuse) ${l.unsatisfied}`,
    `rollups: pending ${report.rollupsPending} · summary total (misuse included) ${figures.rollupTotal} · Σ rollup rows by grain ${Object.entries(figures.grainTotals).map(([grain, total]) => `${grain} ${total}`).join(', ')}`,
    `API crashes (exits nobody asked for): ${report.crashes.length}`,
    `figures rollups vs raw: ${figures.compared.length - figures.mismatches.length}/${figures.compared.length} equal${figures.mismatches.length > 0 ? ` · differ: ${figures.mismatches.map((m) => `${m.query} (rollups ${JSON.stringify(m.rollups)} vs raw ${JSON.stringify(m.ratings)})`).join('; ')}` : ''}`
  ]
}

/** Everything the crash scenario promises, as a list of broken promises (empty: all kept). */
export function crashFailures (report: CrashScenarioReport): string[] {
  const { ledger: l, figures } = report
  const failures: string[] = []
  if (l.tapped === 0) failures.push('no press was made')
  if (report.pressErrors.length > 0) failures.push(`${report.pressErrors.length} taps not stored in the outbox: ${report.pressErrors[0]}`)
  if (report.unsent !== 0) failures.push(`${report.unsent} taps never acknowledged`)
  if (l.stored !== l.tapped || l.lost !== 0 || l.extra !== 0 || l.duplicates !== 0) failures.push(`taps ${l.tapped} ≠ rows ${l.stored} (lost ${l.lost}, extra ${l.extra}, duplicates ${l.duplicates})`)
  if (report.answers.rejected !== 0) failures.push(`${report.answers.rejected} ratings rejected`)
  if (l.cases !== l.unsatisfied || l.casesForDistinctRatings !== l.cases) failures.push(`cases ${l.cases} (distinct ratings ${l.casesForDistinctRatings}) ≠ unsatisfied ratings ${l.unsatisfied}`)
  if (report.rollupsPending !== 0) failures.push(`${report.rollupsPending} ratings never rolled up`)
  if (figures.mismatches.length > 0) failures.push(`figures differ: ${figures.mismatches.map((m) => m.query).join(', ')}`)
  if (figures.rollupTotal !== l.stored) failures.push(`rollup summary total ${figures.rollupTotal} ≠ rows ${l.stored}`)
  if (Object.keys(figures.grainTotals).length === 0) failures.push('the rollups have no rows')
  for (const [grain, total] of Object.entries(figures.grainTotals)) {
    if (total !== l.stored) failures.push(`${grain} rollups count ${total} ≠ rows ${l.stored}`)
  }
  if (report.crashes.length > 0) failures.push(`the API exited on its own ${report.crashes.length} time(s): ${JSON.stringify(report.crashes)}`)
  if (report.finalExit.code !== 0) failures.push(`the API's SIGTERM exit code was ${report.finalExit.code}`)
  return failures
}

export interface ShutdownOptions {
  /** Concurrent clients, each on its own keep-alive connection, as tablets are. */
  clients: number
  /** Load before the SIGTERM. */
  loadSeconds: number
  log: (line: string) => void
}

export interface ShutdownReport {
  requests: number
  /** Complete HTTP answers, by status. */
  answered: Record<number, number>
  /** Requests sent before the SIGTERM and answered after it. */
  answeredAfterTerm: number
  /** New connections refused once the server stopped listening: the clean way to say no. */
  refused: number
  /** Requests that got a reset or a half answer instead of a response. */
  resets: Array<{ code: string, message: string, sentAfterTermMs: number }>
  acknowledged: number
  acknowledgedLost: number
  /** Ratings answered 503 ("nothing was stored") that were stored anyway. */
  refusedButStored: number
  exit: Exit
  /** From SIGTERM to the process's exit. */
  shutdownMs: number
  apiLog: string
  workDir: string
}

type Outcome =
  | { kind: 'response', status: number, body: string }
  | { kind: 'refused' }
  | { kind: 'reset', code: string, message: string }

function post (agent: http.Agent, port: number, token: string, body: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) }
    const options = { host: '127.0.0.1', port, method: 'POST', path: '/api/v1/terminal/ratings', agent, headers }
    const request = http.request(options, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => { text += chunk })
      response.on('end', () => resolve({ kind: 'response', status: response.statusCode ?? 0, body: text }))
      response.on('error', (error: NodeJS.ErrnoException) => {
        resolve({ kind: 'reset', code: error.code ?? 'RESPONSE_ABORTED', message: error.message })
      })
      response.on('aborted', () => resolve({ kind: 'reset', code: 'RESPONSE_ABORTED', message: 'the answer was cut off' }))
    })
    request.on('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'reset', code: error.code ?? 'ERROR', message: error.message })
    })
    request.end(body)
  })
}

/** Clients post ratings on keep-alive connections; the API gets SIGTERM mid-load. */
export async function runGracefulShutdown (pg: PrivatePostgres, options: ShutdownOptions): Promise<ShutdownReport> {
  const { log } = options
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'hl-reliability-'))
  const databaseUrl = await pg.createDatabase('graceful_shutdown')
  const api = new ApiProcess({
    databaseUrl, port: await freePort(), adminPassword: ADMIN_PASSWORD, logFile: path.join(work, 'api.log'), env: { TRUST_PROXY: '1' }
  })
  const startMs = await api.start()
  const restoreFetch = routeTerminalFetch(api.baseUrl)
  let db: Kysely<Database> | null = null
  const agents: http.Agent[] = []
  try {
    const admin = await AdminClient.signIn(api.baseUrl, ADMIN_PASSWORD)
    const province = await seedProvince(admin, options.clients, 'GS')
    const tokens: string[] = []
    for (const [index, counter] of province.counters.entries()) {
      const terminal = await SimulatedTerminal.pair(index, counter.pairingCode)
      tokens.push(terminal.token)
      await terminal.close()
    }
    log(`API ready in ${startMs} ms; ${options.clients} clients post 1–5 ratings per request on keep-alive connections`)

    const timeline = new Timeline(log)
    let termAt: number | null = null
    let exitedAt: number | null = null
    const sent = new Map<string, 'acknowledged' | 'refused' | 'unknown'>()
    const answered: Record<number, number> = {}
    const resets: ShutdownReport['resets'] = []
    let requests = 0
    let refused = 0
    let answeredAfterTerm = 0
    const clients = tokens.map(async (token) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      agents.push(agent)
      for (;;) {
        if (exitedAt !== null && timeline.now() - exitedAt > 1) return
        const ratings = Array.from({ length: 1 + Math.floor(Math.random() * 5) }, () => ({
          id: randomUUID(), level: 1 + Math.floor(Math.random() * 4), ratedAt: new Date().toISOString()
        }))
        const sentAt = timeline.now()
        requests++
        const outcome = await post(agent, api.options.port, token, JSON.stringify({ ratings }))
        if (outcome.kind === 'refused') {
          refused++
          for (const rating of ratings) sent.set(rating.id, 'refused')
          if (termAt !== null) return
          continue
        }
        if (outcome.kind === 'reset') {
          const sentAfterTermMs = termAt === null ? -1 : Math.round((sentAt - termAt) * 1000)
          resets.push({ code: outcome.code, message: outcome.message, sentAfterTermMs })
          for (const rating of ratings) sent.set(rating.id, 'unknown')
          continue
        }
        answered[outcome.status] = (answered[outcome.status] ?? 0) + 1
        if (termAt !== null && sentAt < termAt) answeredAfterTerm++
        if (outcome.status === 200) {
          const results = (JSON.parse(outcome.body) as { results: Array<{ id: string, status: string }> }).results
          for (const result of results) sent.set(result.id, result.status === 'rejected' ? 'refused' : 'acknowledged')
        } else {
          for (const rating of ratings) sent.set(rating.id, outcome.status === 503 ? 'refused' : 'unknown')
        }
      }
    })

    await timeline.until(options.loadSeconds)
    timeline.mark(`SIGTERM to the API (pid ${api.pid}) after ${requests} requests`)
    termAt = timeline.now()
    api.signal('SIGTERM')
    // close-with-grace gives up after 10 s; a process still there after 30 s is hung, and killed.
    const hung = setTimeout(() => api.signal('SIGKILL'), 30_000)
    const exit = await api.exited()
    clearTimeout(hung)
    exitedAt = timeline.now()
    timeline.mark(`API exited (code ${exit.code}) ${Math.round((exitedAt - termAt) * 1000)} ms after SIGTERM`)
    await Promise.all(clients)
    timeline.mark(`clients stop: ${requests} requests, ${refused} refused connections`)

    db = await openDatabase({ databaseUrl, dataDir: null })
    const stored = new Set((await db.selectFrom('ratings').select('id').execute()).map((row) => row.id))
    let acknowledged = 0
    let acknowledgedLost = 0
    let refusedButStored = 0
    for (const [id, fate] of sent) {
      if (fate === 'acknowledged') {
        acknowledged++
        if (!stored.has(id)) acknowledgedLost++
      } else if (fate === 'refused' && stored.has(id)) refusedButStored++
    }
    return {
      requests,
      answered,
      answeredAfterTerm,
      refused,
      resets,
      acknowledged,
      acknowledgedLost,
      refusedButStored,
      exit,
      shutdownMs: Math.round((exitedAt - termAt) * 1000),
      apiLog: api.options.logFile,
      workDir: work
    }
  } finally {
    for (const agent of agents) agent.destroy()
    restoreFetch()
    await api.stop('SIGKILL')
    await db?.destroy()
  }
}

export function describeShutdownReport (report: ShutdownReport): string[] {
  return [
    `requests ${report.requests} · answered ${Object.entries(report.answered).map(([status, n]) => `${status}×${n}`).join(', ')} · answered after SIGTERM ${report.answeredAfterTerm} · refused new connections ${report.refused} · resets ${report.resets.length}${report.resets.length > 0 ? ` (${report.resets.map((r) => `${r.code} sent ${r.sentAfterTermMs} ms after SIGTERM`).join('; ')})` : ''}`,
    `ratings acknowledged ${report.acknowledged} · acknowledged but lost ${report.acknowledgedLost} · answered 503 but stored ${report.refusedButStored} · exit code ${report.exit.code} after ${report.shutdownMs} ms`
  ]
}

export function shutdownFailures (report: ShutdownReport): string[] {
  const failures: string[] = []
  if (report.acknowledged === 0) failures.push('no rating was acknowledged before the SIGTERM')
  if (report.answeredAfterTerm === 0) failures.push('no request was in flight at the SIGTERM')
  if (report.acknowledgedLost !== 0) failures.push(`${report.acknowledgedLost} acknowledged ratings lost`)
  if (report.refusedButStored !== 0) failures.push(`${report.refusedButStored} ratings answered "nothing stored" were stored`)
  if (report.resets.length !== 0) failures.push(`${report.resets.length} requests reset instead of answered`)
  const serverErrors = Object.entries(report.answered).filter(([status]) => Number(status) >= 500 && Number(status) !== 503)
  if (serverErrors.length > 0) failures.push(`server errors: ${serverErrors.map(([status, n]) => `${status}×${n}`).join(', ')}`)
  if (report.exit.code !== 0) failures.push(`exit code ${report.exit.code} (signal ${report.exit.signal})`)
  return failures
}
