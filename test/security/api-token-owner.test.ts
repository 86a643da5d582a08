// API tokens of a deactivated user (issue 13 §7): they stop working at once, on every statistics route, until the user is active again.
import t from 'tap'
import { build } from '../helper.ts'
import { seedCentre, seedUser, signIn } from '../fixtures.ts'

const routes = ['summary', 'officers', 'counters', 'units', 'timeseries', 'heatmap']

t.test("a deactivated creator's API tokens are refused; another creator's keep working", async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const leaving = await seedUser(app.db, 'supervisor', centre.provinceId)
  const staying = await seedUser(app.db, 'supervisor', centre.provinceId)
  const create = async (user: { username: string; password: string }, name: string): Promise<string> => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/api-tokens',
      cookies: await signIn(app, user),
      payload: { name, unitId: centre.provinceId }
    })
    t.equal(response.statusCode, 201)
    return response.json().token
  }
  const leavingToken = await create(leaving, 'Cổng dữ liệu tỉnh (cũ)')
  const stayingToken = await create(staying, 'Cổng dữ liệu tỉnh')
  const read = (token: string, route = 'summary') =>
    app.inject({ url: `/api/v1/stats/${route}?unitId=${centre.provinceId}`, headers: { authorization: `Bearer ${token}` } })
  t.equal((await read(leavingToken)).statusCode, 200, 'the token works while its creator is active')

  const deactivated = await app.inject({ method: 'PATCH', url: `/api/v1/users/${leaving.id}`, cookies: admin, payload: { active: false } })
  t.equal(deactivated.statusCode, 200)
  for (const route of routes) {
    const refused = await read(leavingToken, route)
    t.equal(refused.statusCode, 401, `${route}: refused at once`)
    t.equal(refused.json().code, 'API_TOKEN_OWNER_INACTIVE', `${route}: the code says why`)
    t.equal((await read(stayingToken, route)).statusCode, 200, `${route}: another user's token still works`)
  }

  const reactivated = await app.inject({ method: 'PATCH', url: `/api/v1/users/${leaving.id}`, cookies: admin, payload: { active: true } })
  t.equal(reactivated.statusCode, 200)
  t.equal((await read(leavingToken)).statusCode, 200, 'works again once its creator is active again (not revoked: a leave of absence)')
})
