// The unit tree: list, read, create, rename and move within scope; cycles refused; every change audited.
import t from 'tap'
import { build } from '../helper.ts'
import { seedCentre, seedUser } from '../fixtures.ts'

// One app for the file (a database per test costs seconds); each test seeds its own centres.
const app = await build(t)

let address = 0
async function signIn (user: { username: string; password: string }): Promise<Record<string, string>> {
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: `10.2.0.${++address % 250}`,
    payload: { username: user.username, password: user.password }
  })
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`)
  return { hl_session: login.cookies[0]!.value }
}

t.test('an admin builds and browses the tree', async (t) => {
  const admin = await signIn(await seedUser(app.db, 'admin', null))

  const province = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies: admin,
    payload: { parentId: null, kind: 'province', code: '01', name: 'Thành phố Hà Nội' }
  })
  t.equal(province.statusCode, 201)
  t.match(province.json(), { parentId: null, kind: 'province', code: '01', name: 'Thành phố Hà Nội' })
  const provinceId = province.json().id
  const ward = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies: admin,
    payload: { parentId: provinceId, kind: 'ward', code: '00004', name: 'Phường Ba Đình' }
  })
  t.equal(ward.statusCode, 201)
  const centre = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies: admin,
    payload: { parentId: ward.json().id, kind: 'centre', code: '00004-TT', name: 'Trung tâm phục vụ hành chính công phường Ba Đình' }
  })
  t.equal(centre.statusCode, 201)

  const list = await app.inject({ url: '/api/v1/units', cookies: admin })
  t.equal(list.statusCode, 200)
  t.same(
    list
      .json()
      .items.map((unit: { code: string }) => unit.code)
      .filter((code: string) => ['01', '00004', '00004-TT'].includes(code)),
    ['00004', '00004-TT', '01'],
    'ordered by code'
  )
  const children = await app.inject({ url: `/api/v1/units?parentId=${provinceId}`, cookies: admin })
  t.same(
    children.json().items.map((unit: { id: string }) => unit.id),
    [ward.json().id]
  )
  const top = await app.inject({ url: '/api/v1/units?parentId=root', cookies: admin })
  t.ok(top.json().items.some((unit: { id: string }) => unit.id === provinceId))
  t.ok(
    top.json().items.every((unit: { parentId: string | null }) => unit.parentId === null),
    'only top-level units'
  )

  const one = await app.inject({ url: `/api/v1/units/${centre.json().id}`, cookies: admin })
  t.same(one.json(), centre.json())
  const missing = await app.inject({ url: '/api/v1/units/00000000-0000-4000-8000-000000000000', cookies: admin })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'UNIT_NOT_FOUND')

  const renamed = await app.inject({
    method: 'PATCH',
    url: `/api/v1/units/${ward.json().id}`,
    cookies: admin,
    payload: { name: 'Phường Ba Đình (mới)' }
  })
  t.equal(renamed.statusCode, 200)
  t.equal(renamed.json().name, 'Phường Ba Đình (mới)')
  t.equal(renamed.json().code, '00004', 'what was not sent is kept')

  const ids = [provinceId, ward.json().id, centre.json().id]
  const audit = await app.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', 'unit')
    .where('entity_id', 'in', ids)
    .orderBy('id')
    .execute()
  t.same(
    audit.map((entry) => entry.action),
    ['create', 'create', 'create', 'update']
  )
  t.match(audit[3], { entity_id: ward.json().id, before: { name: 'Phường Ba Đình' }, after: { name: 'Phường Ba Đình (mới)' } })
  t.ok(
    audit.every((entry) => entry.actor_kind === 'user' && entry.actor_id !== null),
    'who made each change'
  )
})

t.test('bad input answers 4xx with a stable code and changes nothing', async (t) => {
  const seeded = await seedCentre(app.db)
  const admin = await signIn(await seedUser(app.db, 'admin', null))
  const before = await app.db.selectFrom('units').selectAll().orderBy('id').execute()

  const centreCode = before.find((unit) => unit.id === seeded.centreId)!.code
  const unitAudit = () => app.db.selectFrom('audit_log').select('id').where('entity', '=', 'unit').execute()
  const auditBefore = await unitAudit()
  const duplicate = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies: admin,
    payload: { parentId: seeded.provinceId, kind: 'commune', code: centreCode, name: 'Trùng mã' }
  })
  t.equal(duplicate.statusCode, 409)
  t.equal(duplicate.json().code, 'UNIT_CODE_TAKEN')
  const badKind = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies: admin,
    payload: { parentId: seeded.provinceId, kind: 'district', code: 'Q1', name: 'Quận 1' }
  })
  t.equal(badKind.statusCode, 400, 'districts no longer exist since July 2025')
  t.equal(badKind.json().code, 'VALIDATION_FAILED')
  const blankName = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies: admin,
    payload: { parentId: seeded.provinceId, kind: 'commune', code: 'X9', name: '   ' }
  })
  t.equal(blankName.statusCode, 400)
  const nul = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies: admin,
    payload: { parentId: seeded.provinceId, kind: 'commune', code: 'X9', name: 'Xã\u0000' }
  })
  t.equal(nul.statusCode, 400)
  const unknownParent = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies: admin,
    payload: { parentId: '00000000-0000-4000-8000-000000000000', kind: 'commune', code: 'X9', name: 'Xã mới' }
  })
  t.equal(unknownParent.statusCode, 404)
  t.equal(unknownParent.json().code, 'UNIT_NOT_FOUND')
  const empty = await app.inject({ method: 'PATCH', url: `/api/v1/units/${seeded.centreId}`, cookies: admin, payload: {} })
  t.equal(empty.statusCode, 400)
  const unknownOnly = await app.inject({
    method: 'PATCH',
    url: `/api/v1/units/${seeded.centreId}`,
    cookies: admin,
    payload: { colour: 'đỏ' }
  })
  t.equal(unknownOnly.statusCode, 400, 'unknown fields are dropped, leaving nothing to change')
  t.equal(unknownOnly.json().code, 'NOTHING_TO_CHANGE')
  const badId = await app.inject({ url: '/api/v1/units/not-a-uuid', cookies: admin })
  t.equal(badId.statusCode, 400)
  const codeTaken = await app.inject({
    method: 'PATCH',
    url: `/api/v1/units/${seeded.centreId}`,
    cookies: admin,
    payload: { code: (await app.db.selectFrom('units').select('code').where('id', '=', seeded.communeId).executeTakeFirstOrThrow()).code }
  })
  t.equal(codeTaken.statusCode, 409)

  t.same(await app.db.selectFrom('units').selectAll().orderBy('id').execute(), before, 'no unit changed')
  t.same(await unitAudit(), auditBefore, 'nothing audited')
})

t.test('moving a unit can never create a cycle', async (t) => {
  const seeded = await seedCentre(app.db)
  const admin = await signIn(await seedUser(app.db, 'admin', null))
  const move = (id: string, parentId: string | null) =>
    app.inject({ method: 'PATCH', url: `/api/v1/units/${id}`, cookies: admin, payload: { parentId } })

  for (const [name, parentId] of [
    ['under itself', seeded.provinceId],
    ['under its child', seeded.communeId],
    ['under its grandchild', seeded.centreId]
  ] as const) {
    const response = await move(seeded.provinceId, parentId)
    t.equal(response.statusCode, 400, name)
    t.equal(response.json().code, 'UNIT_CYCLE', name)
  }
  const province = await app.db.selectFrom('units').select('parent_id').where('id', '=', seeded.provinceId).executeTakeFirstOrThrow()
  t.equal(province.parent_id, null, 'the province stayed on top')

  // A legal move: the centre goes straight under the province, then back.
  const up = await move(seeded.centreId, seeded.provinceId)
  t.equal(up.statusCode, 200)
  t.equal(up.json().parentId, seeded.provinceId)
  const down = await move(seeded.centreId, seeded.communeId)
  t.equal(down.json().parentId, seeded.communeId)
  // Now the commune may not go under the centre that sits below it.
  const cycle = await move(seeded.communeId, seeded.centreId)
  t.equal(cycle.json().code, 'UNIT_CYCLE')

  const other = await seedCentre(app.db)
  const across = await move(seeded.communeId, other.provinceId)
  t.equal(across.statusCode, 200, 'a commune moves to another province, with its centre')
  const moved = await app.inject({ url: `/api/v1/units?parentId=${other.provinceId}`, cookies: admin })
  t.same(
    moved
      .json()
      .items.map((unit: { id: string }) => unit.id)
      .sort(),
    [other.communeId, seeded.communeId].sort()
  )
  const toTop = await move(seeded.communeId, null)
  t.equal(toTop.statusCode, 200, 'an admin of the whole tree may make a unit top-level')
  t.equal(toTop.json().parentId, null)
})

t.test('two concurrent moves cannot together make a cycle', async (t) => {
  const seeded = await seedCentre(app.db)
  const admin = await signIn(await seedUser(app.db, 'admin', null))
  const sibling = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies: admin,
    payload: { parentId: seeded.provinceId, kind: 'ward', code: `W-${seeded.provinceId.slice(0, 8)}`, name: 'Phường bên cạnh' }
  })
  const [x, y] = [seeded.communeId, sibling.json().id as string]
  const responses = await Promise.all([
    app.inject({ method: 'PATCH', url: `/api/v1/units/${x}`, cookies: admin, payload: { parentId: y } }),
    app.inject({ method: 'PATCH', url: `/api/v1/units/${y}`, cookies: admin, payload: { parentId: x } })
  ])
  t.same(responses.map((response) => response.statusCode).sort(), [200, 400], 'one move wins, the other is refused')
  t.equal(responses.find((response) => response.statusCode === 400)!.json().code, 'UNIT_CYCLE')
  const rows = await app.db.selectFrom('units').select(['id', 'parent_id']).where('id', 'in', [x, y]).execute()
  const parents = new Map(rows.map((row) => [row.id, row.parent_id]))
  t.notOk(parents.get(x) === y && parents.get(y) === x, 'no cycle in the tree')
})

t.test('a supervisor works below its root only', async (t) => {
  const mine = await seedCentre(app.db)
  const theirs = await seedCentre(app.db)
  const supervisor = await signIn(await seedUser(app.db, 'supervisor', mine.communeId))

  const list = await app.inject({ url: '/api/v1/units', cookies: supervisor })
  t.same(
    list
      .json()
      .items.map((unit: { id: string }) => unit.id)
      .sort(),
    [mine.communeId, mine.centreId].sort(),
    'its root and below'
  )
  const top = await app.inject({ url: '/api/v1/units?parentId=root', cookies: supervisor })
  t.same(
    top.json().items.map((unit: { id: string }) => unit.id),
    [mine.communeId]
  )

  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies: supervisor,
    payload: { parentId: mine.communeId, kind: 'centre', code: 'TT-NEW', name: 'Điểm phục vụ mới' }
  })
  t.equal(created.statusCode, 201, 'may create directly under its root')
  const renamed = await app.inject({
    method: 'PATCH',
    url: `/api/v1/units/${mine.centreId}`,
    cookies: supervisor,
    payload: { name: 'Trung tâm đổi tên' }
  })
  t.equal(renamed.statusCode, 200)
  const moved = await app.inject({
    method: 'PATCH',
    url: `/api/v1/units/${created.json().id}`,
    cookies: supervisor,
    payload: { parentId: mine.centreId }
  })
  t.equal(moved.statusCode, 200, 'may move units around inside its subtree')

  const ownRoot = await app.inject({
    method: 'PATCH',
    url: `/api/v1/units/${mine.communeId}`,
    cookies: supervisor,
    payload: { name: 'Xã của tôi' }
  })
  t.equal(ownRoot.statusCode, 403)
  t.equal(ownRoot.json().code, 'UNIT_IS_SCOPE_ROOT')
  const parent = await app.inject({ url: `/api/v1/units/${mine.provinceId}`, cookies: supervisor })
  t.equal(parent.statusCode, 404, "its root's parent is outside")
  const underParent = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies: supervisor,
    payload: { parentId: mine.provinceId, kind: 'commune', code: 'X-NEW', name: 'Xã mới' }
  })
  t.equal(underParent.statusCode, 404)
  const topLevel = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies: supervisor,
    payload: { parentId: null, kind: 'province', code: 'P-NEW', name: 'Tỉnh mới' }
  })
  t.equal(topLevel.statusCode, 403)
  t.equal(topLevel.json().code, 'TOP_LEVEL_UNIT_FORBIDDEN')
  const escape = await app.inject({
    method: 'PATCH',
    url: `/api/v1/units/${mine.centreId}`,
    cookies: supervisor,
    payload: { parentId: theirs.communeId }
  })
  t.equal(escape.statusCode, 404, 'cannot move a unit out of its scope')
  const foreign = await app.inject({
    method: 'PATCH',
    url: `/api/v1/units/${theirs.centreId}`,
    cookies: supervisor,
    payload: { name: 'Của người khác' }
  })
  t.equal(foreign.statusCode, 404)
  const foreignChildren = await app.inject({ url: `/api/v1/units?parentId=${theirs.communeId}`, cookies: supervisor })
  t.equal(foreignChildren.statusCode, 404)
  const theirCentre = await app.db
    .selectFrom('units')
    .select(['name', 'parent_id'])
    .where('id', '=', theirs.centreId)
    .executeTakeFirstOrThrow()
  t.same(theirCentre, { name: theirCentre.name, parent_id: theirs.communeId })
  t.notMatch(theirCentre.name, /người khác/)
})
