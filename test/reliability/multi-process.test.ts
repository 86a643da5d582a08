// Several API processes on one PostgreSQL (issue 20): live events and cache invalidations cross processes through
// LISTEN/NOTIFY, attempt counts and rate limits are shared, an alert fires once. On PGlite (one process by
// construction) one test shows the hub stays in its process, and the rest run in .ci/run's PostgreSQL pass.
import fsp from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import pg from 'pg'
import WebSocket from 'ws'
import { buildApp } from '../../api/app.ts'
import { openDatabase } from '../../db/database.ts'
import { migratedDatabase, serverUrl, testConfig, type TestContext } from '../helper.ts'
import { rateOnTerminal, seedCentre, seedUser, signIn, type SeededCentre } from '../fixtures.ts'
import { ApiProcess } from './api-process.ts'
import { TERMINAL_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../api/plugins/app/auth.ts'
import { freePort } from './postgres.ts'
import type { StoredRating } from '../../api/services/ingest.ts'

/** A test of two processes: on PostgreSQL only (PGlite is one process by construction). */
const acrossProcesses = (name: string, fn: (t: Test) => Promise<void>): void => {
  if (serverUrl !== null) t.test(name, fn)
}

if (serverUrl === null) {
  t.comment('two API processes need a PostgreSQL server (DATABASE_URL): .ci/run runs those tests in its PostgreSQL pass')
  t.test('on PGlite the live hub stays in its one process: nothing is sent over LISTEN/NOTIFY, events reach its own sockets', async (t) => {
    const { db, drop } = await migratedDatabase()
    const app = await buildApp({ config: testConfig(), db })
    t.teardown(async () => {
      await app.close()
      await drop()
    })
    t.equal(app.changes.shared, false, 'no transport attached')
    const centre = await seedCentre(db)
    const heard: string[] = []
    const stop = app.live.subscribeUser({ rootUnitId: centre.centreId, officerId: null, send: (event) => heard.push(event.type) })
    t.teardown(stop)
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/terminal/ratings',
      headers: { authorization: `Bearer ${centre.terminal.token}` },
      payload: { ratings: [{ id: randomUUID(), level: 4, ratedAt: new Date().toISOString() }] }
    })
    t.equal(response.json().results[0].status, 'created')
    for (let i = 0; i < 50 && !heard.includes('rating'); i++) await new Promise((resolve) => setTimeout(resolve, 20))
    t.ok(heard.includes('rating'), 'the rating reached the subscriber in this process')
  })
}

interface LiveMessage { type: string, rating?: { id: string }, alert?: { kind: string, ruleId?: string } }
interface Live {
  messages: LiveMessage[]
  closed: Promise<number>
  close: () => void
}

/** Opens a user's live socket; resolves once its hello has come. */
function openLive (host: string, cookie: Record<string, string>): Promise<Live> {
  const header = Object.entries(cookie).map(([name, value]) => `${name}=${value}`).join('; ')
  const socket = new WebSocket(`ws://${host}/api/v1/live`, { headers: { cookie: header } })
  const messages: LiveMessage[] = []
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    socket.on('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)))
    socket.on('error', reject)
    socket.on('message', (data) => {
      const parsed = JSON.parse(String(data)) as LiveMessage | LiveMessage[]
      for (const message of Array.isArray(parsed) ? parsed : [parsed]) messages.push(message)
      if (messages.length === 1) resolve({ messages, closed, close: () => socket.close() })
    })
  })
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const ratingIds = (live: Live) => live.messages.filter((message) => message.type === 'rating').map((message) => message.rating!.id)
const ruleAlerts = (live: Live) => live.messages.filter((message) => message.type === 'alert' && message.alert?.kind === 'rule')

// On both databases: what another process's `ratings` change brings to this process's sockets. The change is handed
// to the feed as if heard on the channel (on PostgreSQL the NOTIFY round trip itself is tested below).
t.test('a ratings change from another process brings the rating and its case to the sockets here, with or without units', async (t) => {
  const { db, drop } = await migratedDatabase()
  const app = await buildApp({ config: testConfig(), db })
  t.teardown(async () => {
    await app.close()
    await drop()
  })
  const centre = await seedCentre(db)
  const rate = async (level: number): Promise<string> => {
    const id = randomUUID()
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/terminal/ratings',
      headers: { authorization: `Bearer ${centre.terminal.token}` },
      payload: { ratings: [{ id, level, ratedAt: new Date().toISOString() }] }
    })
    t.equal(response.json().results[0].status, 'created')
    return id
  }
  // Stored before anyone listened here: only the change brings them.
  const unsatisfied = await rate(1)
  const satisfied = await rate(4)
  const heard: Array<{ type: string, id: string | undefined, caseId: string | undefined }> = []
  const stop = app.live.subscribeUser({
    rootUnitId: centre.centreId,
    officerId: null,
    send: (event) => {
      const body = event as { type: string, rating?: { id: string }, case?: { ratingId: string, id: string } }
      heard.push({ type: body.type, id: body.rating?.id ?? body.case?.ratingId, caseId: body.case?.id })
    }
  })
  t.teardown(stop)
  const hear = async (change: object, count: number): Promise<typeof heard> => {
    heard.length = 0
    app.changes.receive(JSON.stringify({ o: randomUUID(), s: 1, c: [change] }))
    for (let i = 0; i < 100 && heard.length < count; i++) await wait(20)
    return [...heard]
  }

  // This release: each id with its unit, read by the primary key.
  const keyed = await hear({ kind: 'ratings', ids: [unsatisfied, satisfied], unitIds: [centre.centreId, centre.centreId] }, 4)
  t.same(keyed.filter((event) => event.type === 'rating').map((event) => event.id), [unsatisfied, satisfied], 'both ratings, in order')
  const opened = keyed.find((event) => event.type === 'case')
  t.equal(opened?.id, unsatisfied, 'the unsatisfied rating\'s case comes with it')
  t.match(opened?.caseId, /^[0-9a-f-]{36}$/, 'with the case\'s id')
  t.ok(keyed.some((event) => event.type === 'alert'), 'and its alert')

  // A process of the earlier release during a rolling upgrade sends the ids alone: the events still come.
  const idsOnly = await hear({ kind: 'ratings', ids: [satisfied, unsatisfied] }, 4)
  t.same(idsOnly.filter((event) => event.type === 'rating').map((event) => event.id), [satisfied, unsatisfied], 'ids alone: both ratings')
  t.equal(idsOnly.find((event) => event.type === 'case')?.caseId, opened?.caseId, 'and the same case')

  // A unit that is not the rating's finds nothing: the key is the unit and the id together.
  const otherUnit = await hear({ kind: 'ratings', ids: [satisfied], unitIds: [randomUUID()] }, 1)
  t.same(otherUnit, [], 'no event for a key that is not stored')
})

/** Waits until `predicate` holds; answers how long that took, or null after `ms`. */
async function within (ms: number, predicate: () => boolean): Promise<number | null> {
  const started = performance.now()
  while (!predicate()) {
    if (performance.now() - started > ms) return null
    await wait(5)
  }
  return performance.now() - started
}

/** Presses a minute apart, the last one now: none is misuse (cooldown), so alert rules count them all. */
function ratingBody (levels: number[]) {
  const now = Date.now()
  return {
    ratings: levels.map((level, i) => ({
      id: randomUUID(), level, ratedAt: new Date(now - (levels.length - 1 - i) * 60_000).toISOString()
    }))
  }
}

/** Two apps in this process on one PostgreSQL database, each with its own pool and LISTEN connection, listening. */
async function twoApps (t: TestContext): Promise<{ a: FastifyInstance, b: FastifyInstance, hostA: string, hostB: string }> {
  const fresh = await migratedDatabase()
  const config = testConfig({ databaseUrl: fresh.url })
  const a = await buildApp({ config, db: fresh.db })
  const b = await buildApp({ config, db: await openDatabase({ databaseUrl: fresh.url, dataDir: null, poolSize: 5 }) })
  t.teardown(async () => {
    await Promise.all([a.close(), b.close()])
    await fresh.drop()
  })
  const host = async (app: FastifyInstance): Promise<string> => {
    await app.listen({ port: 0, host: '127.0.0.1' })
    return `127.0.0.1:${(app.server.address() as { port: number }).port}`
  }
  return { a, b, hostA: await host(a), hostB: await host(b) }
}

async function rateAt (app: FastifyInstance, centre: SeededCentre, levels: number[]): Promise<string[]> {
  return rateOnTerminal(app, centre.terminal.token, levels.map((level, i) => ({ level, secondsAgo: (levels.length - 1 - i) * 60 })))
}

acrossProcesses('real processes: a rating posted to process A reaches a dashboard socket on process B within 1 s, each socket once', async (t) => {
  const fresh = await migratedDatabase()
  t.teardown(async () => {
    await fresh.db.destroy()
    await fresh.drop()
  })
  const centre = await seedCentre(fresh.db)
  const supervisor = await seedUser(fresh.db, 'supervisor', centre.provinceId)
  const folder = await fsp.mkdtemp(path.join(os.tmpdir(), 'hl-multi-'))
  const ports = [await freePort(), await freePort()]
  const processes = [0, 1].map((n) => new ApiProcess({
    databaseUrl: fresh.url!,
    port: ports[n]!,
    adminPassword: 'kiem-thu-quan-tri-2026',
    logFile: path.join(folder, `api-${n}.log`),
    env: { PAIRING_SECRET: 'test-pairing-key-not-a-secret-0123456789' }
  }))
  t.teardown(async () => {
    await Promise.all(processes.map((api) => api.stop('SIGTERM')))
    if (t.passing()) await fsp.rm(folder, { recursive: true, force: true })
    else t.comment(`API logs kept in ${folder}`)
  })
  // One after the other: each start migrates and makes sure the admin exists.
  for (const api of processes) await api.start()
  const [a, b] = processes as [ApiProcess, ApiProcess]

  const session = async (api: ApiProcess): Promise<Record<string, string>> => {
    const response = await fetch(`${api.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: supervisor.username, password: supervisor.password })
    })
    t.equal(response.status, 200, 'the supervisor signs in')
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('hl_session='))!
    return { hl_session: cookie.slice('hl_session='.length).split(';')[0]! }
  }
  const host = (api: ApiProcess) => api.baseUrl.slice('http://'.length)
  const onA = await openLive(host(a), await session(a))
  const onB = await openLive(host(b), await session(b))
  let onAClosed: number | null = null
  void onA.closed.then((code) => { onAClosed = code })

  const post = async (api: ApiProcess, levels: number[]): Promise<string[]> => {
    const body = ratingBody(levels)
    const response = await fetch(`${api.baseUrl}/api/v1/terminal/ratings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${centre.terminal.token}` },
      body: JSON.stringify(body)
    })
    t.equal(response.status, 200)
    return body.ratings.map((rating) => rating.id)
  }

  const started = performance.now()
  const [first] = await post(a, [4])
  const arrived = await within(5000, () => ratingIds(onB).includes(first!))
  t.ok(arrived !== null, 'the socket on B receives the rating stored by A')
  const elapsed = arrived === null ? Number.POSITIVE_INFINITY : performance.now() - started
  t.ok(elapsed < 1000, `from the POST to A to the event on B: ${Math.round(elapsed)} ms (under 1 s)`)

  // More ratings, to both processes, some in one request: every socket gets every rating exactly once. Each
  // crossing is timed, from the POST to the event on the other process's socket.
  const sent = [first!]
  const crossings: number[] = []
  for (let round = 0; round < 10; round++) {
    for (const [to, other, levels] of [[a, onB, [4, 3]], [b, onA, [2]]] as const) {
      const postedAt = performance.now()
      const ids = await post(to, [...levels])
      sent.push(...ids)
      if (await within(5000, () => ids.every((id) => ratingIds(other).includes(id))) !== null) crossings.push(performance.now() - postedAt)
    }
  }
  crossings.sort((x, y) => x - y)
  t.equal(crossings.length, 20, 'every one crossed')
  const at = (q: number) => Math.round(crossings[Math.min(crossings.length - 1, Math.floor(q * crossings.length))]!)
  t.comment(`POST to one process → event on the other: median ${at(0.5)} ms, slowest ${at(1)} ms (load average ${os.loadavg()[0]!.toFixed(1)})`)
  t.ok(at(1) < 1000, 'each within 1 s')
  await within(3000, () => ratingIds(onA).length >= sent.length && ratingIds(onB).length >= sent.length)
  await wait(300)
  t.same([...ratingIds(onA)].sort(), [...sent].sort(), 'the socket on A got each rating once (its own, and B\'s through NOTIFY)')
  t.same([...ratingIds(onB)].sort(), [...sent].sort(), 'the socket on B got each rating once (its own, and A\'s through NOTIFY)')
  // An unsatisfied rating's alert and case cross too, the same on both sockets (the other process reads them by id).
  // Dated 90 s ahead (within the clock skew allowed), so no earlier press makes it misuse, which opens no case.
  const unhappy = { id: randomUUID(), level: 1, ratedAt: new Date(Date.now() + 90_000).toISOString() }
  const posted = await fetch(`${a.baseUrl}/api/v1/terminal/ratings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${centre.terminal.token}` },
    body: JSON.stringify({ ratings: [unhappy] })
  })
  t.equal(posted.status, 200)
  const followUps = (live: Live) => live.messages
    .filter((message) => (message.type === 'case' || message.type === 'alert') && JSON.stringify(message).includes(unhappy.id))
    .map((message) => JSON.stringify(message)).sort()
  await within(3000, () => followUps(onB).length >= 2)
  await wait(300)
  t.same(followUps(onA).map((text) => (JSON.parse(text) as LiveMessage).type), ['alert', 'case'], 'A\'s socket: the alert and the case')
  t.same(followUps(onB), followUps(onA), 'B\'s socket got the same alert and case, each once')
  sent.push(unhappy.id)

  // A restarts (a rolling deploy): its socket closes, B's stays, and the new A's ratings reach B, each once.
  t.equal((await a.stop('SIGTERM')).code, 0, 'A stops cleanly')
  t.ok(await within(5000, () => onAClosed !== null), 'the socket on A closed with it')
  await a.start()
  const afterRestart = await post(a, [4, 1])
  t.ok(await within(1000, () => afterRestart.every((id) => ratingIds(onB).includes(id))), 'the restarted A\'s ratings reach B within 1 s')
  await wait(300)
  t.equal(ratingIds(onB).length, sent.length + 2, 'B\'s socket got each once, nothing twice across the restart')
  onB.close()
})

acrossProcesses('10 wrong passwords spread over two processes lock the account as one; the address limit is shared too', async (t) => {
  const { a, b } = await twoApps(t)
  const user = await seedUser(a.db, 'admin', null)
  const codes: number[] = []
  for (let i = 0; i < 10; i++) {
    const app = i % 2 === 0 ? a : b
    const answer = await app.inject({
      method: 'POST', url: '/api/v1/auth/login', remoteAddress: '203.0.113.7', payload: { username: user.username, password: `guess ${i}` }
    })
    codes.push(answer.statusCode)
    if (answer.statusCode === 429) t.match(answer.headers['retry-after'], /^\d+$/)
  }
  t.same(codes, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429], 'five wrong passwords over A and B together, then both refuse')
  const right = await b.inject({
    method: 'POST', url: '/api/v1/auth/login', remoteAddress: '203.0.113.7', payload: { username: user.username, password: user.password }
  })
  t.equal(right.statusCode, 429, 'even the right password waits, on either process')
  t.equal(right.json().code, 'RATE_LIMITED')

  // Ten sign-ins a minute per address (the route limit), over both processes: the eleventh is refused.
  const perAddress: number[] = []
  for (let i = 0; i < 11; i++) {
    const app = i % 2 === 0 ? a : b
    const answer = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '198.51.100.77',
      payload: { username: `nobody${i}`, password: 'whatever it is' }
    })
    perAddress.push(answer.statusCode)
  }
  t.same(perAddress, [...Array(10).fill(401), 429], 'the per-address rate limit counts both processes\' requests')

  // Concurrent attempts on both processes at once: at most five are judged.
  const other = await seedUser(a.db, 'admin', null)
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).inject({
    method: 'POST', url: '/api/v1/auth/login', remoteAddress: '203.0.113.8', payload: { username: other.username, password: `guess ${i}` }
  })))
  const judged = answers.filter((answer) => answer.statusCode === 401).length
  t.ok(judged <= 5, `${judged} of 10 concurrent wrong passwords over two processes were judged (at most 5)`)
  t.equal(answers.filter((answer) => answer.statusCode === 429).length, 10 - judged, 'the others are 429')
})

acrossProcesses('wrong PINs for an unknown staff code spread over two processes lock it as one', async (t) => {
  const { a, b } = await twoApps(t)
  const centre = await seedCentre(a.db)
  const codes: number[] = []
  for (let i = 0; i < 6; i++) {
    const answer = await (i % 2 === 0 ? a : b).inject({
      method: 'PUT',
      url: '/api/v1/terminal/officer',
      headers: { authorization: `Bearer ${centre.terminal.token}` },
      payload: { staffCode: 'khong-co-ai', pin: `00${i}0` }
    })
    codes.push(answer.statusCode)
  }
  t.same(codes, [401, 401, 401, 401, 423, 423], 'the fifth wrong PIN locks, whichever process it reaches')
})

acrossProcesses('a unit moved through A is out of scope on B\'s sockets at once', async (t) => {
  const { a, b, hostB } = await twoApps(t)
  const centre = await seedCentre(a.db)
  const elsewhere = await seedCentre(a.db)
  const admin = await signIn(a, await seedUser(a.db, 'admin', null))
  const before = await openLive(hostB, await signIn(b, await seedUser(a.db, 'supervisor', centre.provinceId)))
  const after = await openLive(hostB, await signIn(b, await seedUser(a.db, 'supervisor', elsewhere.provinceId)))

  const [first] = await rateAt(a, centre, [4])
  t.ok(await within(1000, () => ratingIds(before).includes(first!)), 'before the move, the old province\'s supervisor on B sees the centre')
  const move = await a.inject({
    method: 'PATCH', url: `/api/v1/units/${centre.centreId}`, cookies: admin, payload: { parentId: elsewhere.communeId }
  })
  t.equal(move.statusCode, 200, 'the centre moves to the other province, through A')
  const [second] = await rateAt(a, centre, [4])
  t.ok(await within(1000, () => ratingIds(after).includes(second!)), 'the new province\'s supervisor on B gets the next rating')
  await wait(300)
  t.notOk(ratingIds(before).includes(second!), 'the old province\'s supervisor on B does not: B forgot the ancestry at once')
  t.same(ratingIds(after), [second], 'nor did the new one get the rating from before the move')
  before.close()
  after.close()
})

acrossProcesses('a session ended, an officer signed in and a terminal revoked through A reach their sockets on B', async (t) => {
  const { a, b, hostB } = await twoApps(t)
  const centre = await seedCentre(a.db)
  const supervisor = await seedUser(a.db, 'supervisor', centre.provinceId)
  const cookie = await signIn(b, supervisor)
  const live = await openLive(hostB, cookie)
  const started = performance.now()
  await a.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: cookie })
  const code = await Promise.race([live.closed, wait(2000).then(() => 0)])
  t.equal(code, 4401, `the socket on B closed as ended (${Math.round(performance.now() - started)} ms after the logout on A)`)

  // The terminal's own socket on B, and its token cached by B: the revocation through A ends both.
  const bearer = { authorization: `Bearer ${centre.terminal.token}` }
  t.equal((await b.inject({ url: '/api/v1/terminal/state', headers: bearer })).statusCode, 200, 'B knows (and caches) the terminal')
  const terminal = new WebSocket(`ws://${hostB}/api/v1/terminal/live`, [TERMINAL_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${centre.terminal.token}`])
  const terminalMessages: string[] = []
  terminal.on('message', (data) => terminalMessages.push(String(data)))
  const terminalClosed = new Promise<number>((resolve) => terminal.on('close', (closeCode) => resolve(closeCode)))
  t.ok(await within(10_000, () => terminalMessages.length > 0), 'the terminal socket on B is open (its state came)')
  // An officer signs in through A (the tablet's request went there): the tablet's socket on B shows them.
  const officer = centre.officers[0]!
  const signedIn = await a.inject({
    method: 'PUT', url: '/api/v1/terminal/officer', headers: bearer, payload: { staffCode: officer.staffCode, pin: officer.pin }
  })
  t.equal(signedIn.statusCode, 200, 'the officer signs in through A')
  t.ok(await within(1000, () => terminalMessages.some((message) => message.includes(officer.fullName))),
    'the terminal\'s socket on B gets the state with the officer within 1 s')
  const admin = await signIn(a, await seedUser(a.db, 'admin', null))
  const revoked = await a.inject({ method: 'POST', url: `/api/v1/terminals/${centre.terminal.id}/revoke`, cookies: admin })
  t.equal(revoked.statusCode, 200, 'revoked through A')
  const closed = await Promise.race([terminalClosed, wait(2000).then(() => 0)])
  t.ok(closed !== 0, `the terminal socket on B closed (${closed})`)
  t.ok(terminalMessages.some((message) => message.includes('"revoked"')), 'after telling the terminal it was revoked')
  const refused = await b.inject({ url: '/api/v1/terminal/state', headers: bearer })
  t.equal(refused.statusCode, 401, 'B refuses the token at once (its cache forgot it)')
})

acrossProcesses('an alert rule evaluated by two processes on the same ratings fires once, and each socket hears it once', async (t) => {
  const { a, b, hostA, hostB } = await twoApps(t)
  const centre = await seedCentre(a.db)
  const admin = await seedUser(a.db, 'admin', null)
  const adminCookie = await signIn(a, admin)
  const rule = await a.inject({
    method: 'POST',
    url: '/api/v1/alert-rules',
    cookies: adminCookie,
    payload: { unitId: centre.centreId, kind: 'unsatisfied_streak', parameters: {} }
  })
  t.equal(rule.statusCode, 201)
  const onA = await openLive(hostA, await signIn(a, admin))
  const onB = await openLive(hostB, await signIn(b, admin))
  // Both processes evaluate each batch A stores, at the same moment: as if both had stored it.
  const evaluations: Array<Promise<void>> = []
  a.onRatingsStored((ratings: readonly StoredRating[]) => { evaluations.push(b.alerts.handle(ratings)) })
  await rateAt(a, centre, [1, 1, 1])
  await a.alerts.settled()
  await Promise.all(evaluations)
  t.ok(evaluations.length > 0, 'B evaluated the batch too')
  const fired = await sql<{ n: number }>`select count(*)::int as n from alerts where rule_id = ${rule.json().id}`.execute(a.db)
  t.equal(fired.rows[0]!.n, 1, 'one alert in the database')
  await within(1000, () => ruleAlerts(onA).length > 0 && ruleAlerts(onB).length > 0)
  await wait(300)
  t.equal(ruleAlerts(onA).length, 1, 'the socket on A heard it once')
  t.equal(ruleAlerts(onB).length, 1, 'the socket on B heard it once')
  onA.close()
  onB.close()
})

acrossProcesses('the LISTEN connection comes back after it is cut, and events cross again', async (t) => {
  const { a, b, hostB } = await twoApps(t)
  const centre = await seedCentre(a.db)
  const supervisor = await seedUser(a.db, 'supervisor', centre.provinceId)
  const first = await openLive(hostB, await signIn(b, supervisor))
  const admin = new pg.Client({ connectionString: serverUrl! })
  await admin.connect()
  t.teardown(() => admin.end())
  // Every LISTEN connection of this test's database (A's and B's) is cut, as a network failure would.
  const dbName = new URL((a.config.databaseUrl)!).pathname.slice(1)
  const cut = await admin.query(
    "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query ilike 'listen %'", [dbName]
  )
  t.ok(cut.rowCount! >= 2, `both LISTEN connections were cut (${cut.rowCount})`)
  const code = await Promise.race([first.closed, wait(5000).then(() => 0)])
  t.equal(code, 4409, 'once B listens again, its user sockets are asked to reconnect (events of the gap may be missing)')
  const again = await openLive(hostB, await signIn(b, supervisor))
  const [id] = await rateAt(a, centre, [4])
  t.ok(await within(1000, () => ratingIds(again).includes(id!)), 'a rating stored by A reaches B again')
})
