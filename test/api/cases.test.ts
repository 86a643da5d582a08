// Cases: the follow-up of unsatisfied ratings, listed with filters oldest first, resolved once with a note, scoped, pushed live.
import t from 'tap'
import { build } from '../helper.ts'
import { seedCase as seedCaseIn, seedCentre, seedUser, type SeededCentre } from '../fixtures.ts'
import type { LiveEvent } from '../../api/plugins/app/live.ts'

// One app for the file (a database per test costs seconds); each test seeds its own centres.
const app = await build(t)

let address = 0
async function signIn (user: { username: string; password: string }): Promise<Record<string, string>> {
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: `10.7.0.${++address % 250}`,
    payload: { username: user.username, password: user.password }
  })
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`)
  return { hl_session: login.cookies[0]!.value }
}

/** An unsatisfied rating and its case, as the ingest stores them. */
const seedCase = (centre: SeededCentre, ratedAt: string, options: { counter?: number; officer?: number | null; level?: number } = {}) =>
  seedCaseIn(app.db, centre, { ratedAt, ...options })

t.test("list with filters, oldest first, with the rating's level, time and age", async (t) => {
  const centre = await seedCentre(app.db)
  const supervisor = await signIn(await seedUser(app.db, 'supervisor', centre.centreId))
  const late = await seedCase(centre, '2026-11-20T16:30:00.000Z', { counter: 1, officer: 1 }) // 23:30 on the 20th in Hà Nội
  const early = await seedCase(centre, '2026-11-20T17:10:00.000Z', { officer: null }) // 00:10 on the 21st
  const first = await seedCase(centre, '2026-11-19T01:00:00.000Z', { level: 2 })
  const list = (query = '') => app.inject({ url: `/api/v1/cases?unitId=${centre.centreId}${query}`, cookies: supervisor })

  const all = await list()
  t.equal(all.statusCode, 200)
  t.same(
    all.json().items.map((item: { id: string }) => item.id),
    [first, late, early],
    'oldest rating first'
  )
  const item = all.json().items[1]
  t.match(item, {
    id: late,
    unitId: centre.centreId,
    counterId: centre.counterIds[1],
    counterNumber: 2,
    officerId: centre.officers[1]!.id,
    officerName: centre.officers[1]!.fullName,
    status: 'open',
    level: 1,
    category: 'unsatisfied',
    ratedAt: '2026-11-20T16:30:00.000Z',
    resolvedAt: null,
    note: null
  })
  const age = (Date.now() - Date.parse('2026-11-20T16:30:00.000Z')) / 1000
  t.ok(Math.abs(item.ageSeconds - age) < 60, 'age counts from the rating')
  t.equal(all.json().items[2].officerId, null, 'a case with nobody signed in')

  t.same(
    (await list('&from=2026-11-20&to=2026-11-20')).json().items.map((i: { id: string }) => i.id),
    [late],
    'a day is a whole day in Hà Nội time'
  )
  t.same(
    (await list('&from=2026-11-21')).json().items.map((i: { id: string }) => i.id),
    [early]
  )
  t.same(
    (await list('&to=2026-11-20T16:30:00.000Z')).json().items.map((i: { id: string }) => i.id),
    [first, late],
    'an instant `to` is inclusive'
  )
  t.same(
    (await list(`&counterId=${centre.counterIds[1]}`)).json().items.map((i: { id: string }) => i.id),
    [late]
  )
  t.same(
    (await list(`&officerId=${centre.officers[0]!.id}`)).json().items.map((i: { id: string }) => i.id),
    [first]
  )
  t.same(
    (await list('&limit=1')).json().items.map((i: { id: string }) => i.id),
    [first]
  )
  t.same((await list('&status=resolved')).json().items, [])
  t.equal(all.json().total, 3, 'the total counts every page')
  t.equal(all.json().nextCursor, null, 'one page holds them all')

  const badQueries: Array<[string, string]> = [
    ['&from=2026-11-21&to=2026-11-20', 'RANGE_INVALID'],
    ['&from=2026-02-30', 'VALIDATION_FAILED'],
    ['&from=yesterday', 'VALIDATION_FAILED'],
    ['&status=closed', 'VALIDATION_FAILED'],
    ['&limit=0', 'VALIDATION_FAILED']
  ]
  for (const [query, code] of badQueries) {
    const bad = await list(query)
    t.equal(bad.statusCode, 400, query)
    t.equal(bad.json().code, code, query)
  }
})

t.test('resolve with a note, once; audited and pushed live to the centre', async (t) => {
  const centre = await seedCentre(app.db)
  const other = await seedCentre(app.db)
  const supervisorUser = await seedUser(app.db, 'supervisor', centre.centreId)
  const supervisor = await signIn(supervisorUser)
  const caseId = await seedCase(centre, new Date(Date.now() - 3600_000).toISOString())
  const events: Array<{ who: string; event: LiveEvent }> = []
  const subscriptions = [
    app.live.subscribeUser({ rootUnitId: centre.provinceId, officerId: null, send: (event) => events.push({ who: 'province', event }) }),
    app.live.subscribeUser({ rootUnitId: other.centreId, officerId: null, send: (event) => events.push({ who: 'other centre', event }) }),
    app.live.subscribeUser({
      rootUnitId: centre.centreId,
      officerId: centre.officers[0]!.id,
      send: (event) => events.push({ who: 'the officer', event })
    }),
    app.live.subscribeUser({
      rootUnitId: centre.centreId,
      officerId: centre.officers[1]!.id,
      send: (event) => events.push({ who: 'a colleague', event })
    })
  ]
  t.teardown(() => {
    for (const stop of subscriptions) stop()
  })
  const resolve = (payload: Record<string, unknown>) =>
    app.inject({ method: 'PATCH', url: `/api/v1/cases/${caseId}`, cookies: supervisor, payload })

  for (const [name, payload] of [
    ['no note', { status: 'resolved' }],
    ['an empty note', { status: 'resolved', note: '' }],
    ['a blank note', { status: 'resolved', note: '  \n ' }],
    ['a note too long', { status: 'resolved', note: 'x'.repeat(2001) }],
    ['an unknown status', { status: 'closed', note: 'đóng' }]
  ] as const) {
    const bad = await resolve(payload)
    t.equal(bad.statusCode, 400, name)
    t.equal(bad.json().code, 'VALIDATION_FAILED', name)
  }
  const reopenOpen = await resolve({ status: 'open', note: 'mở lại' })
  t.equal(reopenOpen.statusCode, 409, 'an open case cannot be reopened')
  t.equal(reopenOpen.json().code, 'CASE_NOT_RESOLVED')
  t.equal(
    (await app.db.selectFrom('cases').select('status').where('id', '=', caseId).executeTakeFirstOrThrow()).status,
    'open',
    'nothing changed'
  )
  t.same(events, [])

  const note = 'Đã gọi điện xin lỗi công dân và hướng dẫn bổ sung hồ sơ.'
  const resolved = await resolve({ status: 'resolved', note })
  t.equal(resolved.statusCode, 200)
  t.match(resolved.json(), { id: caseId, status: 'resolved', note, resolvedBy: supervisorUser.id })
  t.not(resolved.json().resolvedAt, null)
  t.same(
    events.map((entry) => entry.who).sort(),
    ['province', 'the officer'],
    "the case event reaches the centre's scope and its officer only"
  )
  t.match(events[0]!.event, { type: 'case', case: { id: caseId, status: 'resolved', note } })

  const twice = await resolve({ status: 'resolved', note: 'Lần hai' })
  t.equal(twice.statusCode, 409)
  t.equal(twice.json().code, 'CASE_ALREADY_RESOLVED')
  const stored = await app.db.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirstOrThrow()
  t.equal(stored.note, note, 'the first note stays')

  const audit = await app.db.selectFrom('audit_log').selectAll().where('entity', '=', 'case').where('entity_id', '=', caseId).execute()
  t.equal(audit.length, 1)
  t.match(audit[0], { action: 'resolve', actor_id: supervisorUser.id, before: { status: 'open' }, after: { status: 'resolved', note } })

  const open = await app.inject({ url: `/api/v1/cases?unitId=${centre.centreId}&status=open`, cookies: supervisor })
  t.same(open.json().items, [])
  const done = await app.inject({ url: `/api/v1/cases/${caseId}`, cookies: supervisor })
  t.equal(done.json().status, 'resolved')
})

t.test('analysts read, officers see their own, nobody sees outside', async (t) => {
  const centre = await seedCentre(app.db)
  const other = await seedCentre(app.db)
  const mine = await seedCase(centre, '2026-11-25T03:00:00.000Z', { officer: 0 })
  const colleagues = await seedCase(centre, '2026-11-25T04:00:00.000Z', { officer: 1 })
  const foreign = await seedCase(other, '2026-11-25T05:00:00.000Z')
  const analyst = await signIn(await seedUser(app.db, 'analyst', centre.communeId))
  const officer = await signIn(await seedUser(app.db, 'officer', centre.centreId, { officerId: centre.officers[0]!.id }))
  const supervisor = await signIn(await seedUser(app.db, 'supervisor', centre.centreId))

  const read = await app.inject({ url: '/api/v1/cases', cookies: analyst })
  t.same(
    read.json().items.map((item: { id: string }) => item.id),
    [mine, colleagues]
  )
  const analystResolve = await app.inject({
    method: 'PATCH',
    url: `/api/v1/cases/${mine}`,
    cookies: analyst,
    payload: { status: 'resolved', note: 'Phân tích viên' }
  })
  t.equal(analystResolve.statusCode, 403)
  const own = await app.inject({ url: '/api/v1/cases', cookies: officer })
  t.same(
    own.json().items.map((item: { id: string }) => item.id),
    [mine],
    'an officer sees the cases about itself'
  )
  t.equal((await app.inject({ url: `/api/v1/cases/${colleagues}`, cookies: officer })).statusCode, 404)
  t.equal(
    (
      await app.inject({
        method: 'PATCH',
        url: `/api/v1/cases/${mine}`,
        cookies: officer,
        payload: { status: 'resolved', note: 'Tự đóng' }
      })
    ).statusCode,
    403
  )

  t.equal((await app.inject({ url: `/api/v1/cases/${foreign}`, cookies: supervisor })).statusCode, 404)
  const outside = await app.inject({
    method: 'PATCH',
    url: `/api/v1/cases/${foreign}`,
    cookies: supervisor,
    payload: { status: 'resolved', note: 'Không phải của tôi' }
  })
  t.equal(outside.statusCode, 404)
  t.equal(outside.json().code, 'CASE_NOT_FOUND')
  t.equal((await app.inject({ url: `/api/v1/cases?unitId=${other.centreId}`, cookies: supervisor })).statusCode, 404)
  t.equal((await app.db.selectFrom('cases').select('status').where('id', '=', foreign).executeTakeFirstOrThrow()).status, 'open')
})
