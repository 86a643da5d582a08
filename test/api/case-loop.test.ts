// The closed loop of a case: pages that stay put, an owner, a due time by the unit's SLA in working days, an overdue
// alert raised once, a timeline with who and when, and reopening.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build } from '../helper.ts'
import { seedCase as seedCaseIn, seedCentre, seedUser, signIn, type SeededCentre } from '../fixtures.ts'
import { raiseOverdueAlerts } from '../../api/repositories/cases.ts'

const app = await build(t)

/** An unsatisfied rating rated at `ratedAt` and its case, opened at `openedAt` (default: now), as the ingest stores them. */
const seedCase = (centre: SeededCentre, ratedAt: string, openedAt?: string) =>
  seedCaseIn(app.db, centre, { ratedAt, ...(openedAt === undefined ? {} : { openedAt }) })

const ids = (response: { json: () => { items: Array<{ id: string }> } }) => response.json().items.map((item) => item.id)

t.test('pages by cursor: every case once, in order, while new cases arrive; the total counts all pages', async (t) => {
  const centre = await seedCentre(app.db)
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const seeded: string[] = []
  for (let day = 1; day <= 5; day++) seeded.push(await seedCase(centre, `2026-11-0${day}T03:00:00.000Z`))
  const page = (query: string) => app.inject({ url: `/api/v1/cases?unitId=${centre.centreId}&limit=2${query}`, cookies: supervisor })

  const first = await page('')
  t.equal(first.statusCode, 200)
  t.same(ids(first), seeded.slice(0, 2), 'oldest first')
  t.equal(first.json().total, 5)
  t.type(first.json().nextCursor, 'string')
  // A backlog case from before the cursor and a fresh one arrive between pages.
  const fresh = await seedCase(centre, '2026-11-20T03:00:00.000Z')
  await seedCase(centre, '2026-10-01T03:00:00.000Z')
  const walked = [...ids(first)]
  let cursor: string | null = first.json().nextCursor
  while (cursor !== null) {
    const next = await page(`&cursor=${encodeURIComponent(cursor)}`)
    t.equal(next.statusCode, 200)
    walked.push(...ids(next))
    cursor = next.json().nextCursor
  }
  t.same(walked, [...seeded, fresh], 'each page starts after the last one: nothing twice, nothing skipped after the cursor')

  const newest = await page('&order=newest')
  t.same(ids(newest), [fresh, seeded[4]], 'newest first')
  const second = await page(`&order=newest&cursor=${encodeURIComponent(newest.json().nextCursor)}`)
  t.same(ids(second), [seeded[3], seeded[2]])
  t.equal(second.json().total, 7)

  for (const bad of ['nonsense', Buffer.from('["x","y"]').toString('base64url'), Buffer.from('{}').toString('base64url')]) {
    const response = await page(`&cursor=${bad}`)
    t.equal(response.statusCode, 400, bad)
    t.equal(response.json().code, 'INVALID_CURSOR', bad)
  }
})

t.test('open cases are never hidden by a period; by=resolved finds a case resolved today whatever its rating day', async (t) => {
  const centre = await seedCentre(app.db)
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const old = await seedCase(centre, '2026-10-15T03:00:00.000Z')
  const recent = await seedCase(centre, new Date(Date.now() - 60_000).toISOString())
  const list = (query: string) => app.inject({ url: `/api/v1/cases?unitId=${centre.centreId}${query}`, cookies: supervisor })
  t.same(ids(await list('&status=open')), [old, recent], 'every open case in scope, oldest first, with no period')

  const resolved = await app.inject({
    method: 'PATCH', url: `/api/v1/cases/${old}`, cookies: supervisor, payload: { status: 'resolved', note: 'Đã gọi lại công dân.' }
  })
  t.equal(resolved.statusCode, 200)
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)
  t.same(ids(await list(`&status=resolved&from=${today}&to=${today}`)), [], 'by rating day, the October case is not in today')
  const byResolution = await list(`&by=resolved&from=${today}&to=${today}&order=newest`)
  t.same(ids(byResolution), [old], 'by resolution day, it is')
  t.equal(byResolution.json().items[0].resolvedByName, resolved.json().resolvedByName)
  t.type(resolved.json().resolvedByName, 'string', 'the list says who resolved it')
})

t.test("due time: the unit's SLA in working days, Monday to Saturday morning, inherited down the tree", async (t) => {
  const centre = await seedCentre(app.db)
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const due = async (openedAt: string) => {
    const id = await seedCase(centre, openedAt, openedAt)
    return (await app.inject({ url: `/api/v1/cases/${id}`, cookies: supervisor })).json().dueAt
  }
  // Hà Nội time is UTC+7: 17:00 there is 10:00Z, 11:30 is 04:30Z.
  t.equal(await due('2026-11-30T03:00:00.000Z'), '2026-12-02T10:00:00.000Z', 'Monday → Wednesday at 17:00')
  t.equal(await due('2026-11-27T08:00:00.000Z'), '2026-11-30T10:00:00.000Z', 'Friday → Saturday, Monday at 17:00')
  t.equal(await due('2026-11-26T08:00:00.000Z'), '2026-11-28T04:30:00.000Z', 'Thursday → Saturday at 11:30')
  t.equal(await due('2026-11-28T02:00:00.000Z'), '2026-12-01T10:00:00.000Z', 'Saturday → Monday, Tuesday (Sunday is no working day)')
  t.equal(await due('2026-11-29T17:30:00.000Z'), '2026-12-02T10:00:00.000Z', '00:30 on Monday in Hà Nội is Monday')

  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const patch = (unitId: string, caseSlaDays: number | null) =>
    app.inject({ method: 'PATCH', url: `/api/v1/units/${unitId}`, cookies: admin, payload: { caseSlaDays } })
  t.equal((await patch(centre.provinceId, 5)).statusCode, 200)
  t.equal(await due('2026-11-30T03:00:00.000Z'), '2026-12-05T04:30:00.000Z', "the province's 5 days hold for its centres")
  const own = await patch(centre.centreId, 1)
  t.equal(own.json().caseSlaDays, 1)
  t.equal(await due('2026-11-30T03:00:00.000Z'), '2026-12-01T10:00:00.000Z', "the centre's own SLA wins")
  for (const bad of [0, -1, 31, 1.5, 'two', false]) {
    const response = await app.inject({
      method: 'PATCH', url: `/api/v1/units/${centre.centreId}`, cookies: admin, payload: { caseSlaDays: bad }
    })
    t.equal(response.statusCode, 400, String(bad))
    t.equal(response.json().code, 'VALIDATION_FAILED')
  }
})

t.test('overdue: on the case and as a filter; its alert is raised once, whoever sweeps', async (t) => {
  const centre = await seedCentre(app.db)
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const late = await seedCase(centre, '2026-11-02T03:00:00.000Z', '2026-11-02T03:00:00.000Z')
  const onTime = await seedCase(centre, new Date().toISOString())
  const list = (query: string) => app.inject({ url: `/api/v1/cases?unitId=${centre.centreId}${query}`, cookies: supervisor })
  t.same(ids(await list('&overdue=true')), [late])
  t.same(ids(await list('&overdue=false')), [onTime])
  t.equal((await list('')).json().items[0].overdue, true)

  const events: unknown[] = []
  const stop = app.live.subscribeUser({ rootUnitId: centre.centreId, officerId: null, send: (event) => events.push(event) })
  t.teardown(stop)
  // Three sweepers at once (as from three processes), then again: one alert.
  await Promise.all([app.caseDeadlines.sweep(), raiseOverdueAlerts(app.db), raiseOverdueAlerts(app.db)])
  await app.caseDeadlines.sweep()
  const overdueAlerts = async () => {
    const alerts = await app.inject({ url: `/api/v1/alerts?unitId=${centre.centreId}`, cookies: supervisor })
    t.equal(alerts.statusCode, 200)
    return alerts.json().items.filter((alert: { kind: string }) => alert.kind === 'case_overdue')
  }
  const overdue = await overdueAlerts()
  t.equal(overdue.length, 1, 'raised once')
  t.match(overdue[0], { ruleId: null, counterNumber: 1, details: { caseId: late, dueAt: '2026-11-04T10:00:00.000Z' } })
  // The server's own sweep tells the dashboards.
  const later = await seedCase(centre, '2026-11-03T03:00:00.000Z', '2026-11-03T03:00:00.000Z')
  const swept = await app.caseDeadlines.sweep()
  t.same(swept, [(await overdueAlerts()).find((alert: { details: { caseId: string } }) => alert.details.caseId === later).id])
  t.ok(events.some((event) => (event as { alert?: { ruleKind?: string, details?: { caseId?: string } } }).alert?.details?.caseId === later),
    'pushed live to the centre')

  // A resolved case is never overdue; reopened, its due time starts again and it may fall due again.
  const resolve = await app.inject({
    method: 'PATCH', url: `/api/v1/cases/${late}`, cookies: supervisor, payload: { status: 'resolved', note: 'Đã xử lý.' }
  })
  t.equal(resolve.json().overdue, false)
  const reopened = await app.inject({ method: 'PATCH', url: `/api/v1/cases/${late}`, cookies: supervisor, payload: { status: 'open' } })
  t.equal(reopened.statusCode, 200)
  t.match(reopened.json(), { status: 'open', resolvedAt: null, resolvedBy: null, note: null, overdue: false })
  t.ok(Date.parse(reopened.json().dueAt) > Date.now(), 'due again from now')
})

t.test('owner: a supervisor or admin in scope; filters; officers and analysts cannot change a case', async (t) => {
  const centre = await seedCentre(app.db)
  const other = await seedCentre(app.db)
  const owner = await seedUser(app.db, 'supervisor', centre.centreId)
  const supervisor = await signIn(app, owner)
  const provinceSupervisor = await seedUser(app.db, 'supervisor', centre.provinceId)
  const analyst = await seedUser(app.db, 'analyst', centre.centreId)
  const outsider = await seedUser(app.db, 'supervisor', other.centreId)
  const gone = await seedUser(app.db, 'supervisor', centre.centreId)
  await app.db.updateTable('users').set({ active: false }).where('id', '=', gone.id).execute()
  const officerUser = await seedUser(app.db, 'officer', centre.centreId, { officerId: centre.officers[0]!.id })
  const caseId = await seedCase(centre, '2026-11-10T03:00:00.000Z')
  const assign = (assigneeId: string | null, cookies = supervisor) =>
    app.inject({ method: 'PATCH', url: `/api/v1/cases/${caseId}`, cookies, payload: { assigneeId } })

  for (const [name, user] of [['an analyst', analyst], ['a supervisor elsewhere', outsider], ['an inactive user', gone]] as const) {
    const response = await assign(user.id)
    t.equal(response.statusCode, 400, name)
    t.equal(response.json().code, 'ASSIGNEE_INVALID', name)
  }
  t.equal((await assign(randomUUID())).json().code, 'ASSIGNEE_INVALID', 'nobody')
  t.equal((await assign(provinceSupervisor.id)).statusCode, 200, "the province's supervisor: the case is in their scope")
  const mine = await assign(owner.id)
  t.match(mine.json(), { assigneeId: owner.id, assigneeName: owner.username })
  t.same(ids(await app.inject({ url: `/api/v1/cases?assigneeId=${owner.id}`, cookies: supervisor })), [caseId])
  t.same(ids(await app.inject({ url: `/api/v1/cases?assigneeId=${provinceSupervisor.id}`, cookies: supervisor })), [])

  for (const user of [analyst, officerUser]) {
    const cookies = await signIn(app, user)
    t.equal((await assign(null, cookies)).statusCode, 403, user.username)
    const note = await app.inject({ method: 'POST', url: `/api/v1/cases/${caseId}/events`, cookies, payload: { kind: 'note', note: 'x' } })
    t.equal(note.statusCode, 403)
  }
  const outsiderCookies = await signIn(app, outsider)
  t.equal((await assign(null, outsiderCookies)).json().code, 'CASE_NOT_FOUND', 'out of scope is not found')
  t.equal((await assign(null)).json().assigneeId, null, 'unassigned')
})

t.test('the timeline: who did what and when, from the opening to the reopening', async (t) => {
  const centre = await seedCentre(app.db)
  const user = await seedUser(app.db, 'supervisor', centre.centreId)
  const supervisor = await signIn(app, user)
  const caseId = await seedCase(centre, '2026-11-10T03:00:00.000Z', '2026-11-10T03:00:01.000Z')
  const url = `/api/v1/cases/${caseId}`
  const step = async (method: 'PATCH' | 'POST', path: string, payload: object) => {
    const response = await app.inject({ method, url: `${url}${path}`, cookies: supervisor, payload })
    t.ok(response.statusCode === 200 || response.statusCode === 201, `${method} ${JSON.stringify(payload)}: ${response.body}`)
  }
  await step('PATCH', '', { assigneeId: user.id })
  await step('POST', '/events', { kind: 'contacted', note: 'Đã gọi điện cho công dân lúc 9 giờ.' })
  await step('POST', '/events', { kind: 'note', note: 'Công dân hẹn quay lại thứ Hai.' })
  await step('PATCH', '', { status: 'resolved', note: 'Đã hướng dẫn bổ sung hồ sơ.' })
  await step('PATCH', '', { status: 'open', note: 'Công dân báo chưa nhận được kết quả.' })

  const timeline = await app.inject({ url: `${url}/events`, cookies: supervisor })
  t.equal(timeline.statusCode, 200)
  const items = timeline.json().items as Array<Record<string, unknown>>
  t.same(items.map((item) => item.kind), ['opened', 'assigned', 'contacted', 'note', 'resolved', 'reopened'])
  t.match(items[0], { at: '2026-11-10T03:00:01.000Z', actorId: null })
  t.match(items[1], { actorId: user.id, actorName: user.username, assigneeId: user.id, assigneeName: user.username })
  t.match(items[4], { note: 'Đã hướng dẫn bổ sung hồ sơ.', actorName: user.username })
  t.match(items[5], { note: 'Công dân báo chưa nhận được kết quả.' })
  const times = items.map((item) => Date.parse(item.at as string))
  t.same(times, [...times].sort((a, b) => a - b), 'in time order')

  for (const [name, payload] of [
    ['an unknown kind', { kind: 'resolved', note: 'x' }],
    ['no note', { kind: 'note' }],
    ['a blank note', { kind: 'note', note: '   ' }]
  ] as const) {
    const bad = await app.inject({ method: 'POST', url: `${url}/events`, cookies: supervisor, payload })
    t.equal(bad.statusCode, 400, name)
    t.equal(bad.json().code, 'VALIDATION_FAILED', name)
  }
  t.equal((await app.inject({ url: `/api/v1/cases/${randomUUID()}/events`, cookies: supervisor })).json().code, 'CASE_NOT_FOUND')
})
