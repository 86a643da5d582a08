// Officers: create with a PIN (hashed, never returned), change, move, reset the PIN (clears the lockout), officer users see only
// themselves.
import t from 'tap'
import { build } from '../helper.ts'
import { seedAssignment, seedCentre, seedUser, signIn } from '../fixtures.ts'
import { verifySecret } from '../../api/lib/secrets.ts'

// One app for the file (a database per test costs seconds); each test seeds its own centres.
const app = await build(t)

t.test('create an officer with a PIN that is stored hashed and never returned', async (t) => {
  const seeded = await seedCentre(app.db)
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', seeded.centreId))
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/officers',
    cookies: supervisor,
    payload: {
      unitId: seeded.centreId,
      staffCode: 'HN-0042',
      fullName: 'Võ Thị Sáu',
      title: 'Chuyên viên',
      photoUrl: '/photos/anh/sau.jpg',
      pin: '802468'
    }
  })
  t.equal(created.statusCode, 201)
  t.same(created.json(), {
    id: created.json().id,
    unitId: seeded.centreId,
    staffCode: 'HN-0042',
    fullName: 'Võ Thị Sáu',
    title: 'Chuyên viên',
    photoUrl: '/photos/anh/sau.jpg',
    active: true,
    pinSet: true,
    pinLockedUntil: null
  })
  t.notMatch(created.body, /802468|scrypt/, 'neither the PIN nor its hash leaves the server')
  const row = await app.db.selectFrom('officers').select('pin_hash').where('id', '=', created.json().id).executeTakeFirstOrThrow()
  t.ok(await verifySecret('802468', row.pin_hash!), 'the PIN is stored as a hash')
  t.not(row.pin_hash, '802468')

  const list = await app.inject({ url: '/api/v1/officers', cookies: supervisor })
  t.same(
    list
      .json()
      .items.map((officer: { staffCode: string }) => officer.staffCode)
      .sort(),
    [...seeded.officers.map((officer) => officer.staffCode), 'HN-0042'].sort()
  )
  t.notMatch(list.body, /scrypt|pin_?hash/i)

  const audit = await app.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', 'officer')
    .where('entity_id', '=', created.json().id)
    .executeTakeFirstOrThrow()
  t.match(audit, { action: 'create', after: { staffCode: 'HN-0042' } })
  t.notMatch(JSON.stringify(audit), /802468|scrypt/, 'the audit log holds no PIN either')

  for (const [name, payload] of [
    ['a 3-digit PIN', { pin: '123' }],
    ['a 9-digit PIN', { pin: '123456789' }],
    ['letters in the PIN', { pin: '12a4' }],
    ['no PIN', { pin: undefined }],
    ['a bad staff code', { staffCode: 'HN 42' }],
    ['a script URL', { photoUrl: 'javascript:alert(1)' }],
    ['a protocol-relative URL', { photoUrl: '//evil.example/a.jpg' }],
    ['an empty name', { fullName: '' }]
  ] as const) {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/officers',
      cookies: supervisor,
      payload: { unitId: seeded.centreId, staffCode: 'HN-0043', fullName: 'Lý Tự Trọng', pin: '1234', ...payload }
    })
    t.equal(bad.statusCode, 400, name)
    t.equal(bad.json().code, 'VALIDATION_FAILED', name)
  }
  const duplicate = await app.inject({
    method: 'POST',
    url: '/api/v1/officers',
    cookies: supervisor,
    payload: { unitId: seeded.centreId, staffCode: 'hn-0042', fullName: 'Người khác', pin: '1234' }
  })
  t.equal(duplicate.statusCode, 409, 'codes are typed in any case at the terminal, so they are unique in any case')
  t.equal(duplicate.json().code, 'STAFF_CODE_TAKEN')
  t.equal(
    (await app.db.selectFrom('officers').select('id').where('unit_id', '=', seeded.centreId).execute()).length,
    3,
    'no rejected officer was stored'
  )
})

t.test('a PIN reset clears the failures and the lockout; other changes keep the PIN', async (t) => {
  const seeded = await seedCentre(app.db)
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const officer = seeded.officers[0]!
  const lockedUntil = new Date(Date.now() + 15 * 60_000)
  await app.db.updateTable('officers').set({ pin_failures: 5, pin_locked_until: lockedUntil }).where('id', '=', officer.id).execute()
  const locked = await app.inject({ url: `/api/v1/officers/${officer.id}`, cookies: admin })
  t.equal(locked.json().pinLockedUntil, lockedUntil.toISOString(), 'an admin sees the lockout')

  const renamed = await app.inject({
    method: 'PATCH',
    url: `/api/v1/officers/${officer.id}`,
    cookies: admin,
    payload: { fullName: 'Nguyễn Thị Hồng Nhung', title: 'Phó trưởng bộ phận' }
  })
  t.equal(renamed.statusCode, 200)
  t.match(renamed.json(), { fullName: 'Nguyễn Thị Hồng Nhung', title: 'Phó trưởng bộ phận', staffCode: officer.staffCode })
  let row = await app.db.selectFrom('officers').selectAll().where('id', '=', officer.id).executeTakeFirstOrThrow()
  t.ok(await verifySecret(officer.pin, row.pin_hash!), 'the PIN is unchanged')
  t.equal(row.pin_failures, 5, 'a rename does not unlock')

  const reset = await app.inject({ method: 'PATCH', url: `/api/v1/officers/${officer.id}`, cookies: admin, payload: { pin: '97531' } })
  t.equal(reset.statusCode, 200)
  t.equal(reset.json().pinLockedUntil, null)
  row = await app.db.selectFrom('officers').selectAll().where('id', '=', officer.id).executeTakeFirstOrThrow()
  t.equal(row.pin_failures, 0)
  t.equal(row.pin_locked_until, null)
  t.ok(await verifySecret('97531', row.pin_hash!), 'the new PIN works')
  t.notOk(await verifySecret(officer.pin, row.pin_hash!), 'the old PIN no longer does')
  const audit = await app.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', 'officer')
    .where('entity_id', '=', officer.id)
    .orderBy('id')
    .execute()
  t.same(
    audit.map((entry) => entry.action),
    ['update', 'update']
  )
  t.match(audit[1], { before: { pinFailures: 5 }, after: { pinReset: true, pinFailures: 0 } })
  t.notMatch(JSON.stringify(audit), /97531/)

  const taken = await app.inject({
    method: 'PATCH',
    url: `/api/v1/officers/${officer.id}`,
    cookies: admin,
    payload: { staffCode: seeded.officers[1]!.staffCode }
  })
  t.equal(taken.statusCode, 409)
  t.equal(taken.json().code, 'STAFF_CODE_TAKEN')
  const moved = await app.inject({
    method: 'PATCH',
    url: `/api/v1/officers/${officer.id}`,
    cookies: admin,
    payload: { unitId: seeded.communeId }
  })
  t.equal(moved.json().unitId, seeded.communeId, 'an officer moves to another home unit')
})

t.test('deactivating an officer ends its shift', async (t) => {
  const seeded = await seedCentre(app.db)
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const officer = seeded.officers[0]!
  await seedAssignment(app.db, seeded.counterIds[0]!, officer.id)
  const off = await app.inject({ method: 'PATCH', url: `/api/v1/officers/${officer.id}`, cookies: admin, payload: { active: false } })
  t.equal(off.statusCode, 200)
  t.equal(off.json().active, false)
  const counter = await app.inject({ url: `/api/v1/counters/${seeded.counterIds[0]}`, cookies: admin })
  t.equal(counter.json().officer, null, 'nobody serves at the counter any more')
  const inactive = await app.inject({ url: `/api/v1/officers?unitId=${seeded.centreId}&active=false`, cookies: admin })
  t.same(
    inactive.json().items.map((item: { id: string }) => item.id),
    [officer.id]
  )
})

t.test('an officer user sees only its own record and changes nothing', async (t) => {
  const seeded = await seedCentre(app.db)
  const [me, colleague] = seeded.officers as [(typeof seeded.officers)[0], (typeof seeded.officers)[0]]
  const officer = await signIn(app, await seedUser(app.db, 'officer', seeded.centreId, { officerId: me.id }))
  const list = await app.inject({ url: '/api/v1/officers', cookies: officer })
  t.same(
    list.json().items.map((item: { id: string }) => item.id),
    [me.id]
  )
  t.equal((await app.inject({ url: `/api/v1/officers/${me.id}`, cookies: officer })).statusCode, 200)
  const other = await app.inject({ url: `/api/v1/officers/${colleague.id}`, cookies: officer })
  t.equal(other.statusCode, 404)
  t.equal(other.json().code, 'OFFICER_NOT_FOUND')
  const own = await app.inject({ method: 'PATCH', url: `/api/v1/officers/${me.id}`, cookies: officer, payload: { pin: '0000' } })
  t.equal(own.statusCode, 403, 'an officer resets its PIN through a supervisor')
  const row = await app.db.selectFrom('officers').select('pin_hash').where('id', '=', me.id).executeTakeFirstOrThrow()
  t.ok(await verifySecret(me.pin, row.pin_hash!))
})
