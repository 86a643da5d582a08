// The queue integration (issue 17): a per-unit integration token that can only report calls, the call stored once, the
// counter's terminal told over its live socket (also when it is connected to another API process), and the next rating.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import WebSocket from 'ws'
import { build, migratedDatabase, serverUrl, testConfig, type TestContext } from '../helper.ts'
import { rateOnTerminal, seedCentre, seedUser, signIn, type SeededCentre } from '../fixtures.ts'
import { buildApp } from '../../api/app.ts'
import { openDatabase } from '../../db/database.ts'
import { hashToken } from '../../api/lib/secrets.ts'
import { TERMINAL_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../api/plugins/app/auth.ts'

type App = FastifyInstance

/** A token made in Quản trị by a supervisor of `unitId`'s scope; answers its secret and id. */
async function createToken (app: App, cookies: Record<string, string>, unitId: string, purpose?: 'stats' | 'queue') {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/api-tokens',
    cookies,
    payload: { name: 'Hệ thống xếp hàng', unitId, ...(purpose === undefined ? {} : { purpose }) }
  })
  if (response.statusCode !== 201) throw new Error(response.body)
  return response.json() as { id: string, token: string, purpose: string }
}

const postCall = (app: App, headers: Record<string, string>, payload: unknown, remoteAddress = '10.1.1.1') =>
  app.inject({ method: 'POST', url: '/api/v1/queue/calls', headers, payload: payload as object, remoteAddress })

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const call = (centre: SeededCentre, extra: Record<string, unknown> = {}) =>
  ({ counterId: centre.counterIds[0]!, ticket: '1023', calledAt: new Date(Date.now() - 5_000).toISOString(), ...extra })

async function setUp (t: TestContext) {
  const app = await build(t)
  const centre = await seedCentre(app.db, { counters: 2 })
  const supervisor = await seedUser(app.db, 'supervisor', centre.communeId)
  const cookies = await signIn(app, supervisor)
  return { app, centre, cookies }
}

t.test('an integration token is shown once, stored hashed, audited, and reports a call to a counter of its unit', async (t) => {
  const { app, centre, cookies } = await setUp(t)
  const queue = await createToken(app, cookies, centre.centreId, 'queue')
  t.match(queue.token, /^hlq_[A-Za-z0-9_-]{40,}$/, 'its prefix says it is a queue token')
  t.equal(queue.purpose, 'queue')
  const row = await app.db.selectFrom('api_tokens').selectAll().where('id', '=', queue.id).executeTakeFirstOrThrow()
  t.equal(row.token_hash, hashToken(queue.token), 'only the hash is stored')
  const audit = await app.db.selectFrom('audit_log').select(['action', 'entity']).where('entity_id', '=', queue.id).execute()
  t.same(audit, [{ action: 'create', entity: 'api_token' }], 'its creation is audited')
  const listed = await app.inject({ url: '/api/v1/api-tokens', cookies })
  t.match(listed.json().items, [{ id: queue.id, purpose: 'queue' }], 'listed with its purpose, never its secret')
  t.notMatch(listed.body, queue.token)

  const sent = call(centre, { dossierCode: '000.00.12.H56-261130-0042' })
  const created = await postCall(app, bearer(queue.token), sent)
  t.equal(created.statusCode, 201, created.body)
  t.match(created.json(), { counterId: sent.counterId, ticket: '1023', dossierCode: '000.00.12.H56-261130-0042' })
  t.equal(Date.parse(created.json().calledAt), Date.parse(sent.calledAt))
  const stored = await app.db.selectFrom('queue_calls').selectAll().execute()
  t.equal(stored.length, 1)
  t.match(stored[0], { unit_id: centre.centreId, counter_id: sent.counterId, ticket: '1023', token_id: queue.id })

  const state = await app.inject({ url: '/api/v1/terminal/state', headers: bearer(centre.terminal.token) })
  t.match(state.json().call, { ticket: '1023', dossierCode: '000.00.12.H56-261130-0042' }, 'the counter\'s terminal shows the call')
})

t.test('a retried call is kept once and answered as success; the same call with another dossier code is a conflict', async (t) => {
  const { app, centre, cookies } = await setUp(t)
  const queue = await createToken(app, cookies, centre.communeId, 'queue')
  const sent = call(centre)
  const first = await postCall(app, bearer(queue.token), sent)
  const again = await postCall(app, bearer(queue.token), sent)
  t.equal(first.statusCode, 201)
  t.equal(again.statusCode, 200, 'the retry succeeds')
  t.equal(again.json().id, first.json().id, 'and answers the stored call')
  const other = await postCall(app, bearer(queue.token), { ...sent, dossierCode: 'HS-2' })
  t.equal(other.statusCode, 409)
  t.equal(other.json().code, 'QUEUE_CALL_CONFLICT')
  t.equal((await app.db.selectFrom('queue_calls').select('id').execute()).length, 1, 'one row whatever was retried')
})

t.test('bad input is a 400 with a stable code and stores nothing', async (t) => {
  const { app, centre, cookies } = await setUp(t)
  const queue = await createToken(app, cookies, centre.centreId, 'queue')
  const bad: Array<[string, unknown]> = [
    ['a ticket over 16 characters', call(centre, { ticket: '12345678901234567' })],
    ['an empty ticket', call(centre, { ticket: '' })],
    ['a dossier code with a space', call(centre, { dossierCode: 'HS 1' })],
    ['a dossier code over 40 characters', call(centre, { dossierCode: 'A'.repeat(41) })],
    ['calledAt not a date', call(centre, { calledAt: 'yesterday' })],
    ['calledAt an hour ahead', call(centre, { calledAt: new Date(Date.now() + 3600_000).toISOString() })],
    ['counterId not a uuid', call(centre, { counterId: 'quầy 1' })],
    ['no ticket', { counterId: centre.counterIds[0], calledAt: new Date().toISOString() }]
  ]
  for (const [what, payload] of bad) {
    const response = await postCall(app, bearer(queue.token), payload)
    t.equal(response.statusCode, 400, what)
    t.type(response.json().code, 'string', `${what}: ${response.json().code}`)
  }
  t.equal((await app.db.selectFrom('queue_calls').select('id').execute()).length, 0)
})

t.test('a counter outside the token\'s unit answers exactly like one that does not exist', async (t) => {
  const { app, centre, cookies } = await setUp(t)
  const neighbour = await seedCentre(app.db, { parentId: centre.provinceId })
  const queue = await createToken(app, cookies, centre.centreId, 'queue')
  const outside = await postCall(app, bearer(queue.token), call(neighbour))
  const missing = await postCall(app, bearer(queue.token), call(centre, { counterId: randomUUID() }))
  t.equal(outside.statusCode, 404)
  t.equal(outside.json().code, 'COUNTER_NOT_FOUND')
  t.same({ ...outside.json() }, { ...missing.json() }, 'the same answer, word for word')
  t.equal((await app.db.selectFrom('queue_calls').select('id').execute()).length, 0)
})

t.test('the token can do nothing else, and no other credential can post calls', async (t) => {
  const { app, centre, cookies } = await setUp(t)
  const queue = await createToken(app, cookies, centre.centreId, 'queue')
  const stats = await createToken(app, cookies, centre.centreId)
  t.equal(stats.purpose, 'stats', 'a token is a statistics token unless asked')
  const asQueue = bearer(queue.token)
  const reads = [
    `/api/v1/stats/summary?unitId=${centre.centreId}&from=2026-11-01&to=2026-11-30`,
    `/api/v1/ratings?unitId=${centre.centreId}`,
    '/api/v1/terminal/state',
    '/api/v1/api-tokens',
    '/api/v1/units'
  ]
  for (const url of reads) {
    t.equal((await app.inject({ url, headers: asQueue })).statusCode, 401, `the queue token cannot GET ${url}`)
  }
  const rating = { ratings: [{ id: randomUUID(), level: 4, ratedAt: new Date().toISOString() }] }
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/terminal/ratings', headers: asQueue, payload: rating })).statusCode, 401,
    'nor post ratings')
  const token = { name: 'x', unitId: centre.centreId }
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/api-tokens', headers: asQueue, payload: token })).statusCode, 401,
    'nor make tokens')

  const others: Array<[string, Record<string, string>, Record<string, string> | undefined]> = [
    ['a statistics token', bearer(stats.token), undefined],
    ['a terminal token', bearer(centre.terminal.token), undefined],
    ['a supervisor\'s session', {}, cookies],
    ['nothing', {}, undefined]
  ]
  for (const [who, headers, sessionCookies] of others) {
    const response = await app.inject({
      method: 'POST', url: '/api/v1/queue/calls', headers, cookies: sessionCookies, payload: call(centre)
    })
    t.equal(response.statusCode, 401, `${who} cannot post a call`)
    t.equal(response.json().code, 'QUEUE_TOKEN_INVALID')
  }
  t.equal((await app.db.selectFrom('queue_calls').select('id').execute()).length, 0)

  const revoked = await app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${queue.id}`, cookies })
  t.equal(revoked.statusCode, 204)
  const after = await postCall(app, asQueue, call(centre))
  t.equal(after.statusCode, 401, 'a revoked token stops at once')
  const audit = await app.db.selectFrom('audit_log').select('action').where('entity_id', '=', queue.id).orderBy('id').execute()
  t.same(audit.map((row) => row.action), ['create', 'revoke'], 'its revocation is audited')
})

t.test('the call stays on the counter until a rating carries its ticket, the next call replaces it, and it goes stale', async (t) => {
  const { app, centre, cookies } = await setUp(t)
  const queue = await createToken(app, cookies, centre.centreId, 'queue')
  const terminal = bearer(centre.terminal.token)
  const stateCall = async () => (await app.inject({ url: '/api/v1/terminal/state', headers: terminal })).json().call
  t.equal(await stateCall(), null, 'no call yet')
  await postCall(app, bearer(queue.token), call(centre, { ticket: '7', calledAt: new Date(Date.now() - 20_000).toISOString() }))
  await postCall(app, bearer(queue.token), call(centre, { counterId: centre.counterIds[1], ticket: '8' }))
  t.match(await stateCall(), { ticket: '7', dossierCode: null }, 'a call to another counter is not this one\'s')
  await postCall(app, bearer(queue.token), call(centre, { ticket: '9' }))
  t.match(await stateCall(), { ticket: '9' }, 'the latest call is shown')
  await rateOnTerminal(app, centre.terminal.token, [{ level: 4, ticket: '9' }])
  t.equal(await stateCall(), null, 'once rated, the counter shows no call')

  await postCall(app, bearer(queue.token), call(centre, { ticket: '10' }))
  await app.db.updateTable('queue_calls').set({ received_at: new Date(Date.now() - 31 * 60_000) }).where('ticket', '=', '10').execute()
  t.equal(await stateCall(), null, 'a call received over 30 minutes ago is stale')
})

t.test('the rate limit is per token: past 600 calls in a minute it answers 429, whatever the address', async (t) => {
  const { app, centre, cookies } = await setUp(t)
  const queue = await createToken(app, cookies, centre.centreId, 'queue')
  const other = await createToken(app, cookies, centre.centreId, 'queue')
  t.equal((await postCall(app, bearer(queue.token), call(centre, { ticket: '1' }), '10.2.0.1')).statusCode, 201)
  // 600 calls take half a minute on this machine: the token's window is set to its 600th call instead.
  const counted = await app.db.updateTable('rate_limit_counters').set({ hits: 600 }).where('key', 'like', `%queue:${queue.id}`)
    .returning('key').execute()
  t.equal(counted.length, 1, 'the token has one window, in the shared table')
  const refused = await postCall(app, bearer(queue.token), call(centre, { ticket: '2' }), '10.2.0.2')
  t.equal(refused.statusCode, 429, 'refused from another address too')
  t.equal(refused.json().code, 'RATE_LIMITED')
  t.equal((await postCall(app, bearer(other.token), call(centre, { ticket: '3' }), '10.2.0.1')).statusCode, 201,
    'another token of the same centre is not held back')
})

/** Opens the terminal's live socket; collects the states it is sent. */
function openTerminal (host: string, token: string) {
  const socket = new WebSocket(`ws://${host}/api/v1/terminal/live`, [TERMINAL_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`])
  const states: Array<{ call?: { ticket: string } | null }> = []
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string, state?: { call?: { ticket: string } | null } }
    if (message.type === 'state' && message.state !== undefined) states.push(message.state)
  })
  return { states, close: () => socket.close() }
}

async function within (ms: number, predicate: () => boolean): Promise<boolean> {
  const started = Date.now()
  while (!predicate()) {
    if (Date.now() - started > ms) return false
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return true
}

const listen = async (app: App): Promise<string> => {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `127.0.0.1:${(app.server.address() as { port: number }).port}`
}

t.test('the terminal learns of the call over its live socket', async (t) => {
  const { app, centre, cookies } = await setUp(t)
  const host = await listen(app)
  const queue = await createToken(app, cookies, centre.centreId, 'queue')
  const terminal = openTerminal(host, centre.terminal.token)
  t.teardown(terminal.close)
  t.ok(await within(3000, () => terminal.states.length > 0), 'the first state came')
  t.equal(terminal.states[0]!.call, null, 'with no call')
  await postCall(app, bearer(queue.token), call(centre, { ticket: 'A-017' }))
  t.ok(await within(1000, () => terminal.states.some((state) => state.call?.ticket === 'A-017')), 'the call was pushed within 1 s')
  const pushed = terminal.states.length
  await rateOnTerminal(app, centre.terminal.token, [{ level: 4, ticket: 'A-017' }])
  t.ok(await within(1000, () => terminal.states.slice(pushed).some((state) => state.call === null)),
    'once a rating carries it (from this or another device at the counter), the counter\'s terminals are told it is gone')
})

if (serverUrl !== null) {
  t.test('a call posted to one API process reaches a terminal connected to another (PostgreSQL)', async (t) => {
    const fresh = await migratedDatabase()
    const config = testConfig({ databaseUrl: fresh.url })
    const a = await buildApp({ config, db: fresh.db })
    const b = await buildApp({ config, db: await openDatabase({ databaseUrl: fresh.url, dataDir: null, poolSize: 5 }) })
    t.teardown(async () => {
      await Promise.all([a.close(), b.close()])
      await fresh.drop()
    })
    await listen(a)
    const hostB = await listen(b)
    const centre = await seedCentre(a.db)
    const cookies = await signIn(a, await seedUser(a.db, 'supervisor', centre.centreId))
    const queue = await createToken(a, cookies, centre.centreId, 'queue')
    const terminal = openTerminal(hostB, centre.terminal.token)
    t.teardown(terminal.close)
    t.ok(await within(5000, () => terminal.states.length > 0), 'the terminal socket on B is open')
    const started = Date.now()
    t.equal((await postCall(a, bearer(queue.token), call(centre, { ticket: '2048' }))).statusCode, 201, 'posted to A')
    t.ok(await within(1000, () => terminal.states.some((state) => state.call?.ticket === '2048')),
      `the terminal on B shows it (${Date.now() - started} ms)`)
  })
} else {
  t.comment('the call across two API processes needs a PostgreSQL server (DATABASE_URL): it runs in the PostgreSQL pass')
}
