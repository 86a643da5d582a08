// A unit's satisfaction target (set in Quản trị, drawn as the target line), officers in Vietnamese order, and default terminal names that
// never repeat.
import t from 'tap'
import { build } from '../helper.ts'
import { seedCentre, seedUser } from '../fixtures.ts'

const app = await build(t)

let address = 0
async function signIn (user: { username: string; password: string }): Promise<Record<string, string>> {
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: `10.16.0.${++address % 250}`,
    payload: { username: user.username, password: user.password }
  })
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`)
  return { hl_session: login.cookies[0]!.value }
}

t.test(
  "a supervisor sets a unit's target below their root; it is read back, cleared with null, and bad values change nothing",
  async (t) => {
    const centre = await seedCentre(app.db)
    const supervisor = await signIn(await seedUser(app.db, 'supervisor', centre.communeId))
    const before = await app.inject({ url: `/api/v1/units/${centre.centreId}`, cookies: supervisor })
    t.equal(before.json().satisfactionTarget, null, 'no target yet: the screens use the SIPAS 2030 default')

    const set = await app.inject({
      method: 'PATCH',
      url: `/api/v1/units/${centre.centreId}`,
      cookies: supervisor,
      payload: { satisfactionTarget: 0.9 }
    })
    t.equal(set.statusCode, 200)
    t.equal(set.json().satisfactionTarget, 0.9)
    const list = await app.inject({ url: '/api/v1/units', cookies: supervisor })
    t.equal(list.json().items.find((unit: { id: string }) => unit.id === centre.centreId).satisfactionTarget, 0.9)

    for (const bad of [1.5, -0.1, '95', 95]) {
      const refused = await app.inject({
        method: 'PATCH',
        url: `/api/v1/units/${centre.centreId}`,
        cookies: supervisor,
        payload: { satisfactionTarget: bad }
      })
      t.equal(refused.statusCode, 400, `${JSON.stringify(bad)} refused`)
      t.equal(refused.json().code, 'VALIDATION_FAILED')
    }
    t.equal(
      (await app.inject({ url: `/api/v1/units/${centre.centreId}`, cookies: supervisor })).json().satisfactionTarget,
      0.9,
      'unchanged by the refused values'
    )

    const cleared = await app.inject({
      method: 'PATCH',
      url: `/api/v1/units/${centre.centreId}`,
      cookies: supervisor,
      payload: { satisfactionTarget: null }
    })
    t.equal(cleared.json().satisfactionTarget, null)
  }
)

t.test('officers are listed in Vietnamese alphabetical order (Đ after D, Ngô before Nguyễn, Võ last)', async (t) => {
  const centre = await seedCentre(app.db, { officers: 0 })
  const admin = await signIn(await seedUser(app.db, 'admin', null))
  const names = ['Võ Thị Lan', 'Đỗ Minh Tâm', 'Nguyễn Văn An', 'Đặng Thu Hà', 'Ngô Bảo Châu', 'Dương Quốc Việt', 'Bùi Thị Xuân']
  for (const [index, fullName] of names.entries()) {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/officers',
      cookies: admin,
      payload: {
        unitId: centre.centreId,
        staffCode: `VN${index}-${centre.centreId.slice(0, 4)}`,
        fullName,
        title: 'Chuyên viên',
        pin: '1234'
      }
    })
    t.equal(created.statusCode, 201)
  }
  const list = await app.inject({ url: `/api/v1/officers?unitId=${centre.centreId}`, cookies: admin })
  t.same(
    list.json().items.map((officer: { fullName: string }) => officer.fullName),
    ['Bùi Thị Xuân', 'Dương Quốc Việt', 'Đặng Thu Hà', 'Đỗ Minh Tâm', 'Ngô Bảo Châu', 'Nguyễn Văn An', 'Võ Thị Lan']
  )
})

t.test('a second tablet at a counter gets its own default name', async (t) => {
  const centre = await seedCentre(app.db)
  const admin = await signIn(await seedUser(app.db, 'admin', null))
  const names: string[] = []
  for (let i = 0; i < 3; i++) {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/terminals',
      cookies: admin,
      payload: { counterId: centre.counterIds[1]!, kind: 'touch' }
    })
    t.equal(created.statusCode, 201)
    names.push(created.json().terminal.name)
  }
  t.same(names, ['Máy tính bảng quầy 2', 'Máy tính bảng quầy 2 (2)', 'Máy tính bảng quầy 2 (3)'])
  // The seeded centre already has "Máy tính bảng quầy 1".
  const first = await app.inject({
    method: 'POST',
    url: '/api/v1/terminals',
    cookies: admin,
    payload: { counterId: centre.counterIds[0]!, kind: 'touch' }
  })
  t.equal(first.json().terminal.name, 'Máy tính bảng quầy 1 (2)')
  const box = await app.inject({
    method: 'POST',
    url: '/api/v1/terminals',
    cookies: admin,
    payload: { counterId: centre.counterIds[0]!, kind: 'button' }
  })
  t.equal(box.json().terminal.name, 'Hộp nút bấm quầy 1')
})
