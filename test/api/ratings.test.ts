// Rating ingest: per-item results, exactly-once storage, officer credit, clocks, misuse, cases and the live feed.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import fc from 'fast-check'
import WebSocket from 'ws'
import { build } from '../helper.ts'
import { seedAssignment, seedCentre, seedUser } from '../fixtures.ts'

type App = Awaited<ReturnType<typeof build>>

function post (app: App, token: string, ratings: unknown[]) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/terminal/ratings',
    headers: { authorization: `Bearer ${token}` },
    payload: { ratings }
  })
}

const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString()

t.test('each item is answered on its own; one bad item never rejects the others', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  await seedAssignment(app.db, centre.terminal.counterId, centre.officers[0]!.id)
  const good = randomUUID()
  const response = await post(app, centre.terminal.token, [
    { id: good, level: 4, criteria: { xin_chao: true, luon_lang_nghe: false }, ratedAt: minutesAgo(30) },
    { id: randomUUID(), level: 9, ratedAt: minutesAgo(29) },
    { id: randomUUID(), level: 3, criteria: { smiled_a_lot: true }, ratedAt: minutesAgo(28) },
    { id: 'not-a-uuid', level: 3, ratedAt: minutesAgo(27) },
    { id: randomUUID(), level: 3, ratedAt: 'yesterday' },
    'garbage',
    { id: good, level: 4, ratedAt: minutesAgo(30) }
  ])
  t.equal(response.statusCode, 200)
  const results = response.json().results as Array<{ id: string | null; status: string; error?: { code: string } }>
  t.same(
    results.map((result) => result.status),
    ['created', 'rejected', 'rejected', 'rejected', 'rejected', 'rejected', 'duplicate']
  )
  t.same(
    results.map((result) => result.error?.code ?? null),
    [null, 'LEVEL_UNKNOWN', 'CRITERION_UNKNOWN', 'VALIDATION_FAILED', 'VALIDATION_FAILED', 'VALIDATION_FAILED', null]
  )
  const rows = await app.db.selectFrom('ratings').selectAll().execute()
  t.equal(rows.length, 1)
  const row = rows[0]!
  t.equal(row.id, good)
  t.equal(row.officer_id, centre.officers[0]!.id, 'credited to the officer serving at the counter')
  t.equal(row.counter_id, centre.terminal.counterId)
  t.equal(row.unit_id, centre.centreId)
  t.same(row.criteria, { xin_chao: true, luon_lang_nghe: false })
  t.equal(row.category, 'satisfied')
  t.equal(row.weight, 100)
  t.equal(row.source, 'touch')
  t.equal(row.misuse, false)
})

t.test('a replayed id is a duplicate and stores nothing; 50 concurrent replays store one row', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const id = randomUUID()
  const rating = { id, level: 3, ratedAt: minutesAgo(10) }
  t.equal((await post(app, centre.terminal.token, [rating])).json().results[0].status, 'created')
  t.equal((await post(app, centre.terminal.token, [rating])).json().results[0].status, 'duplicate')

  const burst = { id: randomUUID(), level: 2, ratedAt: minutesAgo(5) }
  const responses = await Promise.all(Array.from({ length: 50 }, () => post(app, centre.terminal.token, [burst])))
  t.ok(responses.every((response) => response.statusCode === 200))
  const statuses = responses.map((response) => response.json().results[0].status as string)
  t.equal(statuses.filter((status) => status === 'created').length, 1)
  t.equal(statuses.filter((status) => status === 'duplicate').length, 49)
  const count = await app.db
    .selectFrom('ratings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', '=', burst.id)
    .executeTakeFirstOrThrow()
  t.equal(count.n, 1)
})

t.test('the officer credited is the one on shift at ratedAt; a differing device officer is kept as a mismatch', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const [first, second] = centre.officers as [(typeof centre.officers)[0], (typeof centre.officers)[0]]
  const counterId = centre.terminal.counterId
  const shiftChange = new Date(Date.now() - 60 * 60_000)
  await app.db
    .insertInto('assignments')
    .values({
      unit_id: centre.centreId,
      counter_id: counterId,
      officer_id: first.id,
      started_at: new Date(Date.now() - 3 * 3600_000),
      ended_at: shiftChange
    })
    .execute()
  await app.db
    .insertInto('assignments')
    .values({ unit_id: centre.centreId, counter_id: counterId, officer_id: second.id, started_at: shiftChange, ended_at: null })
    .execute()

  const offline = randomUUID()
  const now = randomUUID()
  await post(app, centre.terminal.token, [
    { id: offline, level: 4, ratedAt: minutesAgo(90), officerId: second.id },
    { id: now, level: 4, ratedAt: minutesAgo(10), officerId: second.id }
  ])
  const rows = await app.db.selectFrom('ratings').select(['id', 'officer_id', 'device_officer_id']).execute()
  const byId = new Map(rows.map((row) => [row.id, row]))
  t.equal(byId.get(offline)!.officer_id, first.id, 'a rating kept offline goes to the officer serving when it was pressed')
  t.equal(byId.get(offline)!.device_officer_id, second.id, 'the device believed otherwise: recorded')
  t.equal(byId.get(now)!.officer_id, second.id)
  t.equal(byId.get(now)!.device_officer_id, null, 'no mismatch, nothing recorded')
})

t.test('ratings kept offline for days are accepted; a clock far in the future is not trusted', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const old = randomUUID()
  const future = randomUUID()
  const results = (
    await post(app, centre.terminal.token, [
      { id: old, level: 3, ratedAt: new Date(Date.now() - 5 * 86400_000).toISOString() },
      { id: future, level: 3, ratedAt: new Date(Date.now() + 3 * 86400_000).toISOString() }
    ])
  ).json().results
  t.same(
    results.map((result: { status: string }) => result.status),
    ['created', 'created']
  )
  const rows = await app.db.selectFrom('ratings').select(['id', 'rated_at', 'received_at', 'counted_at', 'clock_untrusted']).execute()
  const byId = new Map(rows.map((row) => [row.id, row]))
  t.equal(byId.get(old)!.clock_untrusted, false)
  t.equal(byId.get(old)!.counted_at.getTime(), byId.get(old)!.rated_at.getTime(), 'counted on the day it was pressed')
  t.equal(byId.get(future)!.clock_untrusted, true)
  t.equal(byId.get(future)!.counted_at.getTime(), byId.get(future)!.received_at.getTime(), 'counted when received')
  t.ok(byId.get(future)!.rated_at.getTime() > Date.now(), 'the device time is kept as evidence')
})

t.test('bursts and presses inside the cooldown are stored flagged as misuse, never deleted', async (t) => {
  const app = await build(t, { misuse: { cooldownSeconds: 3, burstCount: 5, burstWindowSeconds: 60 } })
  const centre = await seedCentre(app.db)
  const base = Date.now() - 30 * 60_000
  const at = (seconds: number): string => new Date(base + seconds * 1000).toISOString()
  // Presses at 0 s and 1 s (cooldown), then every 5 s: the 6th press within 60 s is more than 5.
  const offsets = [0, 1, 10, 15, 20, 25, 30, 35]
  const items = offsets.map((offset) => ({ id: randomUUID(), level: 1, ratedAt: at(offset) }))
  const results = (await post(app, centre.terminal.token, items)).json().results
  t.ok(
    results.every((result: { status: string }) => result.status === 'created'),
    'all stored'
  )
  const rows = await app.db.selectFrom('ratings').select(['rated_at', 'misuse', 'misuse_reason']).orderBy('rated_at').execute()
  t.same(
    rows.map((row) => row.misuse_reason),
    [null, 'cooldown', null, null, null, 'burst', 'burst', 'burst']
  )
  const cases = await app.db.selectFrom('cases').select('rating_id').execute()
  t.equal(cases.length, 4, 'every unsatisfied rating not flagged as misuse opens a case')

  const later = (await post(app, centre.terminal.token, [{ id: randomUUID(), level: 4, ratedAt: at(36) }])).json().results[0]
  t.equal(later.status, 'created')
  const flagged = await app.db
    .selectFrom('ratings')
    .select('misuse_reason')
    .where('rated_at', '=', new Date(at(36)))
    .executeTakeFirstOrThrow()
  t.equal(flagged.misuse_reason, 'cooldown', 'earlier stored presses count across requests')
})

t.test('unsatisfied ratings open a case for the centre and reach signed-in supervisors live, in scope only', async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const mine = await seedCentre(app.db)
  const theirs = await seedCentre(app.db)
  const supervisor = await seedUser(app.db, 'supervisor', mine.centreId)
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: supervisor.username, password: supervisor.password }
  })
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, { headers: { cookie: `hl_session=${login.cookies[0]!.value}` } })
  t.teardown(() => socket.close())
  const events: Array<{ type: string; rating?: { id: string }; case?: { ratingId: string } }> = []
  // A message holds one event or an array of them (the events of one tick).
  const messages: unknown[] = []
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)))
    events.push(...([messages.at(-1)].flat() as typeof events))
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  await new Promise((resolve) => setTimeout(resolve, 100))

  const unhappy = randomUUID()
  const elsewhere = randomUUID()
  const sent = Date.now()
  await post(app, mine.terminal.token, [{ id: unhappy, level: 1, ratedAt: minutesAgo(1) }])
  await post(app, theirs.terminal.token, [{ id: elsewhere, level: 1, ratedAt: minutesAgo(1) }])
  const deadline = Date.now() + 2000
  while (!events.some((event) => event.type === 'case') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  t.ok(Date.now() - sent < 1000, 'within a second')
  t.same(
    events.filter((event) => event.type === 'rating').map((event) => event.rating!.id),
    [unhappy],
    "only ratings in the supervisor's centre"
  )
  t.ok(
    events.some((event) => event.type === 'alert'),
    'an alert for the unsatisfied rating'
  )
  t.equal(events.find((event) => event.type === 'case')!.case!.ratingId, unhappy)
  const together = messages.find((message) => Array.isArray(message) && message.some((event: { type: string }) => event.type === 'case'))
  t.same(
    (together as Array<{ type: string }> | undefined)?.map((event) => event.type),
    ['rating', 'alert', 'case'],
    'the rating, its alert and its case came in one message'
  )
  const cases = await app.db.selectFrom('cases').select(['rating_id', 'unit_id', 'status']).where('rating_id', '=', unhappy).execute()
  t.same(cases, [{ rating_id: unhappy, unit_id: mine.centreId, status: 'open' }])

  const anonymous = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`)
  anonymous.on('error', () => {
    /* the refused handshake ends in an error event */
  })
  const refused = await new Promise<number>((resolve) => {
    anonymous.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
    anonymous.once('open', () => resolve(101))
  })
  anonymous.terminate()
  t.equal(refused, 401, 'no feed without signing in')
})

t.test('whole-request limits: over 100 items, or no items, is a 400 and stores nothing', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const tooMany = Array.from({ length: 101 }, () => ({ id: randomUUID(), level: 3, ratedAt: minutesAgo(1) }))
  const response = await post(app, centre.terminal.token, tooMany)
  t.equal(response.statusCode, 400)
  t.equal(response.json().code, 'VALIDATION_FAILED')
  t.equal((await post(app, centre.terminal.token, [])).statusCode, 400)
  const count = await app.db
    .selectFrom('ratings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  t.equal(count.n, 0)
})

t.test('random and malformed bodies never cause a 5xx; rejected items store nothing', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const item = fc.oneof(
    fc.anything(),
    fc.record(
      {
        id: fc.oneof(fc.uuid(), fc.string()),
        level: fc.oneof(fc.integer({ min: -5, max: 15 }), fc.double(), fc.string()),
        ratedAt: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string()
        ),
        criteria: fc.option(fc.dictionary(fc.string(), fc.oneof(fc.boolean(), fc.integer())))
      },
      { requiredKeys: [] }
    )
  )
  const body = fc.oneof(fc.anything(), fc.record({ ratings: fc.array(item, { maxLength: 8 }) }), fc.record({ ratings: fc.anything() }))
  await fc.assert(
    fc.asyncProperty(body, async (payload) => {
      const before = await app.db
        .selectFrom('ratings')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/terminal/ratings',
        headers: { authorization: `Bearer ${centre.terminal.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify(payload) ?? 'null'
      })
      if (response.statusCode >= 500) throw new Error(`5xx for ${JSON.stringify(payload)}: ${response.body}`)
      const after = await app.db
        .selectFrom('ratings')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
      const created =
        response.statusCode === 200
          ? (response.json().results as Array<{ status: string }>).filter((result) => result.status === 'created').length
          : 0
      if (after.n - before.n !== created) throw new Error(`stored ${after.n - before.n}, answered ${created} created`)
    }),
    { numRuns: 150 }
  )
  t.pass('150 random bodies: no 5xx, rows changed only by created items')
})
