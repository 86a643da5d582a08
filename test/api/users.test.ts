// Users: who may create and change whom, officer users linked to an officer, passwords and deactivation ending sessions at once.
import t from 'tap'
import { build } from '../helper.ts'
import { seedCentre, seedUser, signIn } from '../fixtures.ts'

// One app for the file (a database per test costs seconds); each test seeds its own centres.
const app = await build(t)

let address = 0
async function login (username: string, password: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: `10.5.0.${++address % 250}`,
    payload: { username, password }
  })
}

t.test('an admin creates users of every role; they can sign in', async (t) => {
  const seeded = await seedCentre(app.db)
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const create = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/v1/users', cookies: admin, payload })

  const supervisor = await create({
    username: 'giamsat.hn',
    displayName: 'Giám sát Hà Nội',
    password: 'mat-khau-dai',
    role: 'supervisor',
    unitId: seeded.centreId
  })
  t.equal(supervisor.statusCode, 201)
  t.same(supervisor.json(), {
    id: supervisor.json().id,
    username: 'giamsat.hn',
    displayName: 'Giám sát Hà Nội',
    role: 'supervisor',
    unitId: seeded.centreId,
    officerId: null,
    active: true
  })
  t.notMatch(supervisor.body, /mat-khau-dai|scrypt/)
  t.equal((await login('giamsat.hn', 'mat-khau-dai')).statusCode, 200, 'the new user signs in')

  const officer = await create({ username: 'canbo.hong', password: 'mat-khau-dai', role: 'officer', officerId: seeded.officers[0]!.id })
  t.equal(officer.statusCode, 201)
  t.match(
    officer.json(),
    { role: 'officer', officerId: seeded.officers[0]!.id, unitId: seeded.centreId, displayName: 'canbo.hong' },
    "an officer user takes its officer's unit"
  )
  const secondLink = await create({ username: 'canbo.hong2', password: 'mat-khau-dai', role: 'officer', officerId: seeded.officers[0]!.id })
  t.equal(secondLink.statusCode, 409)
  t.equal(secondLink.json().code, 'OFFICER_ALREADY_LINKED')

  const wholeTree = await create({ username: 'quantri2', password: 'mat-khau-dai', role: 'admin', unitId: null })
  t.equal(wholeTree.statusCode, 201)
  t.equal(wholeTree.json().unitId, null)

  for (const [name, payload, status, code] of [
    [
      'a taken username, any case',
      { username: 'GIAMSAT.HN', password: 'mat-khau-dai', role: 'analyst', unitId: seeded.centreId },
      409,
      'USERNAME_TAKEN'
    ],
    [
      'an officer user without its officer',
      { username: 'canbo.x', password: 'mat-khau-dai', role: 'officer', unitId: seeded.centreId },
      400,
      'OFFICER_REQUIRED'
    ],
    [
      'an analyst linked to an officer',
      { username: 'phantich.x', password: 'mat-khau-dai', role: 'analyst', unitId: seeded.centreId, officerId: seeded.officers[1]!.id },
      400,
      'OFFICER_ONLY_FOR_OFFICER_ROLE'
    ],
    [
      'an analyst without a unit',
      { username: 'phantich.y', password: 'mat-khau-dai', role: 'analyst', unitId: null },
      400,
      'UNIT_REQUIRED'
    ],
    [
      'an unknown unit',
      { username: 'phantich.z', password: 'mat-khau-dai', role: 'analyst', unitId: '00000000-0000-4000-8000-000000000000' },
      404,
      'UNIT_NOT_FOUND'
    ],
    ['a short password', { username: 'phantich.w', password: 'ngan', role: 'analyst', unitId: seeded.centreId }, 400, 'VALIDATION_FAILED'],
    [
      'a username with spaces',
      { username: 'phan tich', password: 'mat-khau-dai', role: 'analyst', unitId: seeded.centreId },
      400,
      'VALIDATION_FAILED'
    ],
    [
      'an unknown role',
      { username: 'phantich.v', password: 'mat-khau-dai', role: 'root', unitId: seeded.centreId },
      400,
      'VALIDATION_FAILED'
    ]
  ] as const) {
    const response = await create(payload)
    t.equal(response.statusCode, status, name)
    t.equal(response.json().code, code, name)
  }
  const audit = await app.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', 'user')
    .where('action', '=', 'create')
    .where('entity_id', 'in', [supervisor.json().id, officer.json().id, wholeTree.json().id])
    .execute()
  t.equal(audit.length, 3, 'each creation audited')
  t.notMatch(JSON.stringify(audit), /mat-khau-dai|scrypt/, 'no password in the audit log')
})

t.test('a supervisor creates only supervisors, analysts and officer users inside its subtree', async (t) => {
  const mine = await seedCentre(app.db)
  const theirs = await seedCentre(app.db)
  const me = await seedUser(app.db, 'supervisor', mine.communeId)
  const supervisor = await signIn(app, me)
  const create = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/api/v1/users', cookies: supervisor, payload: { password: 'mat-khau-dai', ...payload } })

  t.equal((await create({ username: `gs.${mine.centreId.slice(0, 8)}`, role: 'supervisor', unitId: mine.centreId })).statusCode, 201)
  t.equal((await create({ username: `pt.${mine.centreId.slice(0, 8)}`, role: 'analyst', unitId: mine.communeId })).statusCode, 201)
  t.equal((await create({ username: `cb.${mine.centreId.slice(0, 8)}`, role: 'officer', officerId: mine.officers[0]!.id })).statusCode, 201)

  const adminUser = await create({ username: `qt.${mine.centreId.slice(0, 8)}`, role: 'admin', unitId: mine.centreId })
  t.equal(adminUser.statusCode, 403)
  t.equal(adminUser.json().code, 'ROLE_NOT_ALLOWED')
  const above = await create({ username: `gs2.${mine.centreId.slice(0, 8)}`, role: 'supervisor', unitId: mine.provinceId })
  t.equal(above.statusCode, 404, 'not above its root')
  const elsewhere = await create({ username: `gs3.${mine.centreId.slice(0, 8)}`, role: 'supervisor', unitId: theirs.centreId })
  t.equal(elsewhere.statusCode, 404)
  const foreignOfficer = await create({ username: `cb2.${mine.centreId.slice(0, 8)}`, role: 'officer', officerId: theirs.officers[0]!.id })
  t.equal(foreignOfficer.statusCode, 404)
  t.equal(foreignOfficer.json().code, 'OFFICER_NOT_FOUND')

  const list = await app.inject({ url: '/api/v1/users', cookies: supervisor })
  t.equal(list.statusCode, 200)
  t.same(
    list
      .json()
      .items.map((user: { username: string }) => user.username)
      .sort(),
    [me.username, `cb.${mine.centreId.slice(0, 8)}`, `gs.${mine.centreId.slice(0, 8)}`, `pt.${mine.centreId.slice(0, 8)}`].sort(),
    'itself and the users it made, nobody else'
  )
  const analysts = await app.inject({ url: '/api/v1/users?role=analyst', cookies: supervisor })
  t.same(
    analysts.json().items.map((user: { role: string }) => user.role),
    ['analyst']
  )
})

t.test('changing role, unit, password and active; sessions end at once', async (t) => {
  const seeded = await seedCentre(app.db)
  const adminUser = await seedUser(app.db, 'admin', null)
  const admin = await signIn(app, adminUser)
  const analystUser = await seedUser(app.db, 'analyst', seeded.centreId)
  const analyst = await signIn(app, analystUser)
  const patch = (id: string, payload: Record<string, unknown>, cookies = admin) =>
    app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, cookies, payload })

  const promoted = await patch(analystUser.id, { role: 'supervisor', unitId: seeded.communeId })
  t.equal(promoted.statusCode, 200)
  t.match(promoted.json(), { role: 'supervisor', unitId: seeded.communeId })
  t.equal(
    (await app.inject({ url: '/api/v1/auth/me', cookies: analyst })).json().user.role,
    'supervisor',
    'takes effect on the next request'
  )

  const toOfficer = await patch(analystUser.id, { role: 'officer' })
  t.equal(toOfficer.statusCode, 400)
  t.equal(toOfficer.json().code, 'OFFICER_REQUIRED')
  const linked = await patch(analystUser.id, { role: 'officer', officerId: seeded.officers[1]!.id })
  t.match(linked.json(), { role: 'officer', officerId: seeded.officers[1]!.id })
  const back = await patch(analystUser.id, { role: 'analyst' })
  t.match(back.json(), { role: 'analyst', officerId: null }, 'leaving the officer role unlinks the officer')

  const password = await patch(analystUser.id, { password: 'mot-mat-khau-moi' })
  t.equal(password.statusCode, 200)
  t.equal((await app.inject({ url: '/api/v1/auth/me', cookies: analyst })).statusCode, 401, 'a new password signs the user out')
  t.equal((await login(analystUser.username, analystUser.password)).statusCode, 401, 'the old password fails')
  const again = await signIn(app, { username: analystUser.username, password: 'mot-mat-khau-moi' })

  const disabled = await patch(analystUser.id, { active: false })
  t.equal(disabled.json().active, false)
  t.equal((await app.inject({ url: '/api/v1/auth/me', cookies: again })).statusCode, 401)

  const self = await patch(adminUser.id, { active: false })
  t.equal(self.statusCode, 403)
  t.equal(self.json().code, 'OWN_ACCESS_UNCHANGEABLE')
  const ownRole = await patch(adminUser.id, { role: 'analyst', unitId: seeded.centreId })
  t.equal(ownRole.json().code, 'OWN_ACCESS_UNCHANGEABLE')
  const ownPassword = await patch(adminUser.id, { password: 'admin-moi-12345' })
  t.equal(ownPassword.statusCode, 200, 'a user may change its own password')
  t.equal((await app.inject({ url: '/api/v1/auth/me', cookies: admin })).statusCode, 200, 'and keeps the session it did that from')

  const audit = await app.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', 'user')
    .where('entity_id', '=', analystUser.id)
    .where('action', '=', 'update')
    .orderBy('id')
    .execute()
  t.equal(audit.length, 5)
  t.match(audit[0], { before: { role: 'analyst' }, after: { role: 'supervisor' } })
  t.match(audit[3], { after: { passwordChanged: true } })
})

t.test('a supervisor cannot change admins or users outside its subtree', async (t) => {
  const mine = await seedCentre(app.db)
  const theirs = await seedCentre(app.db)
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', mine.communeId))
  const localAdmin = await seedUser(app.db, 'admin', mine.centreId)
  const foreign = await seedUser(app.db, 'analyst', theirs.centreId)
  const colleague = await seedUser(app.db, 'analyst', mine.centreId)
  const wholeTreeAdmin = await seedUser(app.db, 'admin', null)

  const onAdmin = await app.inject({
    method: 'PATCH',
    url: `/api/v1/users/${localAdmin.id}`,
    cookies: supervisor,
    payload: { active: false }
  })
  t.equal(onAdmin.statusCode, 403)
  t.equal(onAdmin.json().code, 'ROLE_NOT_ALLOWED')
  for (const id of [foreign.id, wholeTreeAdmin.id]) {
    t.equal((await app.inject({ url: `/api/v1/users/${id}`, cookies: supervisor })).statusCode, 404)
    t.equal(
      (await app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, cookies: supervisor, payload: { active: false } })).statusCode,
      404
    )
  }
  const promote = await app.inject({
    method: 'PATCH',
    url: `/api/v1/users/${colleague.id}`,
    cookies: supervisor,
    payload: { role: 'admin' }
  })
  t.equal(promote.statusCode, 403, 'cannot make an admin')
  const moveOut = await app.inject({
    method: 'PATCH',
    url: `/api/v1/users/${colleague.id}`,
    cookies: supervisor,
    payload: { unitId: theirs.centreId }
  })
  t.equal(moveOut.statusCode, 404, 'cannot move a user out of its subtree')
  const rows = await app.db
    .selectFrom('users')
    .select(['id', 'role', 'unit_id', 'active'])
    .where('id', 'in', [localAdmin.id, foreign.id, colleague.id, wholeTreeAdmin.id])
    .execute()
  t.ok(
    rows.every((row) => row.active),
    'nobody was disabled'
  )
  t.equal(rows.find((row) => row.id === colleague.id)!.role, 'analyst')
  t.equal(rows.find((row) => row.id === colleague.id)!.unit_id, mine.centreId)
})
