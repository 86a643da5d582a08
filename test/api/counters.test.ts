// Counters and shifts: create and change within scope; PUT starts a shift and ends the old ones in one go; DELETE ends it.
import t from 'tap'
import { build } from '../helper.ts'
import { seedAssignment, seedCentre, seedUser, signIn } from '../fixtures.ts'

// One app for the file (a database per test costs seconds); each test seeds its own centres.
const app = await build(t)

const openShifts = (counterIds: string[]) =>
  app.db
    .selectFrom('assignments')
    .select(['counter_id', 'officer_id', 'unit_id'])
    .where('counter_id', 'in', counterIds)
    .where('ended_at', 'is', null)
    .orderBy('counter_id')
    .execute()

t.test('create, list, read and change counters', async (t) => {
  const seeded = await seedCentre(app.db, { counters: 1 })
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))

  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/counters',
    cookies: admin,
    payload: { unitId: seeded.centreId, number: 7, name: 'Quầy 7 — Đất đai' }
  })
  t.equal(created.statusCode, 201)
  t.match(created.json(), { unitId: seeded.centreId, number: 7, name: 'Quầy 7 — Đất đai', active: true, officer: null })
  const counterId = created.json().id

  const list = await app.inject({ url: `/api/v1/counters?unitId=${seeded.provinceId}`, cookies: admin })
  t.equal(list.statusCode, 200)
  t.same(
    list.json().items.map((counter: { number: number }) => counter.number),
    [1, 7],
    'the unit filter takes its subtree; ordered by number'
  )

  const taken = await app.inject({
    method: 'POST',
    url: '/api/v1/counters',
    cookies: admin,
    payload: { unitId: seeded.centreId, number: 1, name: 'Trùng số' }
  })
  t.equal(taken.statusCode, 409)
  t.equal(taken.json().code, 'COUNTER_NUMBER_TAKEN')
  const renumberTaken = await app.inject({ method: 'PATCH', url: `/api/v1/counters/${counterId}`, cookies: admin, payload: { number: 1 } })
  t.equal(renumberTaken.json().code, 'COUNTER_NUMBER_TAKEN')
  for (const payload of [
    { unitId: seeded.centreId, number: 0, name: 'Quầy 0' },
    { unitId: seeded.centreId, number: 10000, name: 'Quầy lớn' },
    { unitId: seeded.centreId, number: 2.5, name: 'Quầy lẻ' },
    { unitId: seeded.centreId, number: 3 }
  ]) {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/counters', cookies: admin, payload })
    t.equal(bad.statusCode, 400, JSON.stringify(payload))
    t.equal(bad.json().code, 'VALIDATION_FAILED')
  }
  const unknownUnit = await app.inject({
    method: 'POST',
    url: '/api/v1/counters',
    cookies: admin,
    payload: { unitId: '00000000-0000-4000-8000-000000000000', number: 3, name: 'Quầy 3' }
  })
  t.equal(unknownUnit.statusCode, 404)
  t.equal(unknownUnit.json().code, 'UNIT_NOT_FOUND')

  const renamed = await app.inject({
    method: 'PATCH',
    url: `/api/v1/counters/${counterId}`,
    cookies: admin,
    payload: { name: 'Quầy 7 — Tư pháp', number: 8 }
  })
  t.equal(renamed.statusCode, 200)
  t.match(renamed.json(), { number: 8, name: 'Quầy 7 — Tư pháp', active: true })
  const one = await app.inject({ url: `/api/v1/counters/${counterId}`, cookies: admin })
  t.same(one.json(), renamed.json())

  const audit = await app.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', 'counter')
    .where('entity_id', '=', counterId)
    .orderBy('id')
    .execute()
  t.same(
    audit.map((entry) => entry.action),
    ['create', 'update']
  )
  t.match(audit[1], { before: { number: 7 }, after: { number: 8 } })
})

t.test('PUT assignment starts a shift and ends the old ones; DELETE ends it', async (t) => {
  const seeded = await seedCentre(app.db, { counters: 3, officers: 3 })
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', seeded.centreId))
  const [counter1, counter2, counter3] = seeded.counterIds as [string, string, string]
  const [hong, duc, mai] = seeded.officers
  await seedAssignment(app.db, counter1, hong!.id)
  await seedAssignment(app.db, counter2, duc!.id)
  const assign = (counterId: string, officerId: string) =>
    app.inject({ method: 'PUT', url: `/api/v1/counters/${counterId}/assignment`, cookies: supervisor, payload: { officerId } })

  // Hồng moves from counter 1 to counter 2, where Đức was: both of their old shifts end.
  const moved = await assign(counter2, hong!.id)
  t.equal(moved.statusCode, 200)
  t.match(moved.json(), { counterId: counter2, officerId: hong!.id, unitId: seeded.centreId, endedAt: null })
  t.same(await openShifts(seeded.counterIds), [{ counter_id: counter2, officer_id: hong!.id, unit_id: seeded.centreId }])

  const again = await assign(counter2, hong!.id)
  t.equal(again.json().id, moved.json().id, 'repeating the call keeps the same shift')

  const list = await app.inject({ url: '/api/v1/counters', cookies: supervisor })
  const byId = new Map(list.json().items.map((counter: { id: string }) => [counter.id, counter]))
  t.match(byId.get(counter2), { officer: { id: hong!.id, staffCode: hong!.staffCode, fullName: hong!.fullName } })
  t.match(byId.get(counter1), { officer: null })

  await assign(counter3, mai!.id)
  const ended = await app.inject({ method: 'DELETE', url: `/api/v1/counters/${counter3}/assignment`, cookies: supervisor })
  t.equal(ended.statusCode, 200)
  t.equal(ended.json().officerId, mai!.id)
  t.not(ended.json().endedAt, null)
  const none = await app.inject({ method: 'DELETE', url: `/api/v1/counters/${counter3}/assignment`, cookies: supervisor })
  t.equal(none.statusCode, 404)
  t.equal(none.json().code, 'ASSIGNMENT_NOT_FOUND')

  const history = await app.db
    .selectFrom('assignments')
    .select(['officer_id', 'ended_at'])
    .where('counter_id', 'in', seeded.counterIds)
    .execute()
  t.equal(history.length, 4, 'ended shifts are kept as history')
  const audit = await app.db
    .selectFrom('audit_log')
    .select('action')
    .where('entity', '=', 'assignment')
    .where('unit_id', '=', seeded.centreId)
    .orderBy('id')
    .execute()
  t.same(
    audit.map((entry) => entry.action),
    ['start_shift', 'start_shift', 'end_shift']
  )

  // Deactivating a counter ends its shift, and an inactive counter or officer takes none.
  const closed = await app.inject({ method: 'PATCH', url: `/api/v1/counters/${counter2}`, cookies: supervisor, payload: { active: false } })
  t.match(closed.json(), { active: false, officer: null })
  t.same(await openShifts(seeded.counterIds), [])
  const onClosed = await assign(counter2, duc!.id)
  t.equal(onClosed.statusCode, 409)
  t.equal(onClosed.json().code, 'COUNTER_INACTIVE')
  await app.db.updateTable('officers').set({ active: false }).where('id', '=', duc!.id).execute()
  const inactiveOfficer = await assign(counter1, duc!.id)
  t.equal(inactiveOfficer.json().code, 'OFFICER_INACTIVE')
  const unknownOfficer = await assign(counter1, '00000000-0000-4000-8000-000000000000')
  t.equal(unknownOfficer.statusCode, 404)
  t.equal(unknownOfficer.json().code, 'OFFICER_NOT_FOUND')
  const elsewhere = await seedCentre(app.db, { counters: 1, officers: 1 })
  const foreignOfficer = await assign(counter1, elsewhere.officers[0]!.id)
  t.equal(foreignOfficer.statusCode, 404, 'a supervisor cannot seat an officer from outside its subtree')
  t.equal(foreignOfficer.json().code, 'OFFICER_NOT_FOUND')
  const foreignCounter = await assign(elsewhere.counterIds[0]!, hong!.id)
  t.equal(foreignCounter.statusCode, 404)
  t.equal(foreignCounter.json().code, 'COUNTER_NOT_FOUND')
  t.same(await openShifts([...seeded.counterIds, ...elsewhere.counterIds]), [], 'no shift was started')
})

t.test('a shift change pushes fresh state to the terminals of both counters', async (t) => {
  const seeded = await seedCentre(app.db, { counters: 2, officers: 1 })
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const refreshed: string[] = []
  // A real, paired terminal at each counter: the live sweep (every 250 ms) drops a subscriber whose terminal is unknown.
  const terminalIds = [seeded.terminal.id]
  for (const counterId of seeded.counterIds.slice(1)) {
    const terminal = await app.db.insertInto('terminals')
      .values({
        unit_id: seeded.centreId,
        counter_id: counterId,
        kind: 'touch',
        name: `Máy ${counterId.slice(0, 4)}`,
        paired_at: new Date()
      })
      .returning('id').executeTakeFirstOrThrow()
    terminalIds.push(terminal.id)
  }
  const unsubscribe = seeded.counterIds.map((counterId, index) =>
    app.live.subscribeTerminal({
      terminalId: terminalIds[index]!,
      counterId,
      refresh: async () => {
        refreshed.push(counterId)
      },
      revoke: () => {}
    })
  )
  t.teardown(() => {
    for (const stop of unsubscribe) stop()
  })
  await app.inject({
    method: 'PUT',
    url: `/api/v1/counters/${seeded.counterIds[0]}/assignment`,
    cookies: admin,
    payload: { officerId: seeded.officers[0]!.id }
  })
  t.same(refreshed, [seeded.counterIds[0]])
  await app.inject({
    method: 'PUT',
    url: `/api/v1/counters/${seeded.counterIds[1]}/assignment`,
    cookies: admin,
    payload: { officerId: seeded.officers[0]!.id }
  })
  t.same(refreshed.slice(1).sort(), [...seeded.counterIds].sort(), 'the new counter and the one the officer left')
  await app.inject({ method: 'DELETE', url: `/api/v1/counters/${seeded.counterIds[1]}/assignment`, cookies: admin })
  t.equal(refreshed.at(-1), seeded.counterIds[1])
})

t.test('concurrent shift starts for one officer leave exactly one open shift', async (t) => {
  const seeded = await seedCentre(app.db, { counters: 4, officers: 1 })
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const officerId = seeded.officers[0]!.id
  const responses = await Promise.all(
    seeded.counterIds.map((counterId) =>
      app.inject({ method: 'PUT', url: `/api/v1/counters/${counterId}/assignment`, cookies: admin, payload: { officerId } })
    )
  )
  t.ok(
    responses.every((response) => response.statusCode < 500),
    'never a 5xx'
  )
  const open = await openShifts(seeded.counterIds)
  t.equal(open.length, 1, 'the officer serves at one counter')
})
