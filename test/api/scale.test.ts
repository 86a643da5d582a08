// A configurable scale and criteria: a 5-level scale reaches terminals live and the ingest accepts it; history is kept.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build } from '../helper.ts'
import { postRatings, rateOnTerminal, seedCentre, seedUser } from '../fixtures.ts'

const fiveLevels = [
  { level: 5, category: 'satisfied', weight: 100, labelVi: 'Rất hài lòng', labelEn: 'Very satisfied' },
  { level: 4, category: 'satisfied', weight: 80, labelVi: 'Hài lòng', labelEn: 'Satisfied' },
  { level: 3, category: 'neutral', weight: 50, labelVi: 'Bình thường', labelEn: 'Neutral' },
  { level: 2, category: 'unsatisfied', weight: 20, labelVi: 'Không hài lòng', labelEn: 'Unsatisfied' },
  { level: 1, category: 'unsatisfied', weight: 0, labelVi: 'Rất không hài lòng', labelEn: 'Very unsatisfied' }
]

t.test('admins replace the scale; terminals show it and the ingest accepts its levels', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const headers = { authorization: `Bearer ${centre.terminal.token}` }
  const [old] = await rateOnTerminal(app, centre.terminal.token, [{ level: 4, secondsAgo: 600 }])

  const admin = await seedUser(app.db, 'admin', null)
  const supervisor = await seedUser(app.db, 'supervisor', centre.centreId)
  const cookieOf = async (user: { username: string; password: string }) => ({
    hl_session: (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: user })).cookies[0]!.value
  })
  const adminCookies = await cookieOf(admin)

  const refused = await app.inject({
    method: 'PUT',
    url: '/api/v1/scale',
    cookies: await cookieOf(supervisor),
    payload: { levels: fiveLevels }
  })
  t.equal(refused.statusCode, 403, 'only admins change the scale')

  const gap = await app.inject({
    method: 'PUT',
    url: '/api/v1/scale',
    cookies: adminCookies,
    payload: { levels: fiveLevels.filter((level) => level.level !== 3) }
  })
  t.equal(gap.statusCode, 400)
  t.equal(gap.json().code, 'SCALE_INVALID')

  const replaced = await app.inject({ method: 'PUT', url: '/api/v1/scale', cookies: adminCookies, payload: { levels: fiveLevels } })
  t.equal(replaced.statusCode, 200)
  t.same(
    replaced.json().items.map((level: { level: number }) => level.level),
    [5, 4, 3, 2, 1]
  )

  const state = (await app.inject({ url: '/api/v1/terminal/state', headers })).json()
  t.equal(state.scale.length, 5)
  t.equal(state.scale[4].labelVi, 'Rất không hài lòng')

  const [five] = await rateOnTerminal(app, centre.terminal.token, [{ level: 5 }])
  const rows = await app.db.selectFrom('ratings').select(['id', 'level', 'weight', 'category']).execute()
  const byId = new Map(rows.map((row) => [row.id, row]))
  t.same(byId.get(five!), { id: five, level: 5, weight: 100, category: 'satisfied' })
  t.same(byId.get(old!), { id: old, level: 4, weight: 100, category: 'satisfied' }, 'a stored rating keeps the weight it had')
})

t.test('criteria: admins reorder, add and deactivate; unknown codes are then rejected', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const admin = await seedUser(app.db, 'admin', null)
  const cookies = { hl_session: (await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: admin })).cookies[0]!.value }
  const response = await app.inject({
    method: 'PUT',
    url: '/api/v1/criteria',
    cookies,
    payload: {
      criteria: [
        { code: 'luon_lang_nghe', group: 'luon', labelVi: 'Luôn lắng nghe', labelEn: 'Listened' },
        { code: 'dung_hen', group: 'other', labelVi: 'Trả kết quả đúng hẹn', labelEn: 'Kept the promised date' }
      ]
    }
  })
  t.equal(response.statusCode, 200)
  t.same(
    response.json().items.map((criterion: { code: string }) => criterion.code),
    ['luon_lang_nghe', 'dung_hen']
  )
  const headers = { authorization: `Bearer ${centre.terminal.token}` }
  const state = (await app.inject({ url: '/api/v1/terminal/state', headers })).json()
  t.same(
    state.criteria.map((criterion: { code: string }) => criterion.code),
    ['luon_lang_nghe', 'dung_hen']
  )
  const results = (await postRatings(app, centre.terminal.token, [
    { id: randomUUID(), level: 4, criteria: { dung_hen: true }, ratedAt: new Date().toISOString() },
    { id: randomUUID(), level: 4, criteria: { xin_chao: true }, ratedAt: new Date(Date.now() + 5000).toISOString() }
  ])).json().results
  t.same(
    results.map((result: { status: string; error?: { code: string } }) => result.error?.code ?? result.status),
    ['created', 'CRITERION_UNKNOWN']
  )
  const kept = await app.db.selectFrom('criteria').select('code').where('code', '=', 'xin_chao').executeTakeFirst()
  t.ok(kept, 'a deactivated criterion is kept for the ratings that answered it')
})
