// Bugs the fuzz suite found, kept as plain regression tests: a NUL in a text field was a 500; a plain GET on a
// WebSocket endpoint was an empty 404; router errors (bad URL, long parameter) had no house code.
import t from 'tap'
import { build } from '../helper.ts'
import { seedCentre, seedUser } from '../fixtures.ts'
import { changedTables, fingerprinter } from './snapshot.ts'

t.test(
  'a NUL character in a text field is a 400 INVALID_CHARACTER that changes nothing, on every route that stores or looks up text',
  async (t) => {
    const app = await build(t)
    const centre = await seedCentre(app.db)
    const admin = await seedUser(app.db, 'admin', null)
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: admin.username, password: admin.password }
    })
    const cookies = { hl_session: login.cookies[0]!.value }
    const bearer = { authorization: `Bearer ${centre.terminal.token}` }
    const alert = await app.db
      .insertInto('alerts')
      .values({
        unit_id: centre.centreId,
        rule_id: null,
        kind: 'unsatisfied_streak',
        counter_id: centre.counterIds[0]!,
        details: JSON.stringify({ parameters: { count: 3 } })
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const fingerprint = await fingerprinter(app.db)
    const requests = [
      { method: 'POST' as const, url: '/api/v1/auth/login', payload: { username: 'admin\u0000', password: 'x' } },
      {
        method: 'PUT' as const,
        url: '/api/v1/terminal/officer',
        headers: bearer,
        payload: { staffCode: `${centre.officers[0]!.staffCode}\u0000`, pin: '1234' }
      },
      {
        method: 'POST' as const,
        url: '/api/v1/terminals',
        cookies,
        payload: { counterId: centre.counterIds[1], kind: 'touch', name: 'Máy\u0000' }
      },
      {
        method: 'PUT' as const,
        url: '/api/v1/scale',
        cookies,
        payload: {
          levels: [
            { level: 2, category: 'satisfied', weight: 100, labelVi: 'Hài lòng\u0000', labelEn: 'Satisfied' },
            { level: 1, category: 'unsatisfied', weight: 0, labelVi: 'Không', labelEn: 'No' }
          ]
        }
      },
      {
        method: 'PUT' as const,
        url: '/api/v1/criteria',
        cookies,
        payload: { criteria: [{ code: 'xin_chao', group: 'xin', labelVi: 'Xin chào\u0000', labelEn: 'Greeted' }] }
      },
      { method: 'POST' as const, url: `/api/v1/alerts/${alert.id}/acknowledge`, cookies, payload: { note: 'Đã xem\u0000' } }
    ]
    for (const request of requests) {
      const before = await fingerprint.take()
      const response = await app.inject(request)
      t.equal(response.statusCode, 400, `${request.method} ${request.url.replace(/[0-9a-f-]{36}/, ':id')}: 400, not 500`)
      t.equal(response.json().code, 'INVALID_CHARACTER')
      t.same(changedTables(before, await fingerprint.take()), [], 'nothing changed')
    }
    t.equal(
      (await app.db.selectFrom('scale_levels').select('level').execute()).length,
      4,
      'the scale is whole (the transaction rolled back)'
    )
  }
)

t.test('a plain GET on a WebSocket endpoint answers 426 WEBSOCKET_REQUIRED after the credential check', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const user = await seedUser(app.db, 'supervisor', centre.centreId)
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: user.username, password: user.password }
  })
  const cases = [
    { url: '/api/v1/live', cookies: { hl_session: login.cookies[0]!.value }, status: 426, code: 'WEBSOCKET_REQUIRED' },
    { url: '/api/v1/live', status: 401, code: 'AUTH_REQUIRED' },
    { url: `/api/v1/terminal/live?token=${centre.terminal.token}`, status: 401, code: 'TERMINAL_TOKEN_INVALID' },
    {
      url: '/api/v1/terminal/live',
      headers: { authorization: `Bearer ${centre.terminal.token}` },
      status: 426,
      code: 'WEBSOCKET_REQUIRED'
    },
    { url: '/api/v1/terminal/live', status: 401, code: 'TERMINAL_TOKEN_INVALID' }
  ]
  for (const { status, code, ...request } of cases) {
    const response = await app.inject(request)
    t.equal(
      response.statusCode,
      status,
      `${request.url.split('?')[0]} ${'cookies' in request || 'headers' in request || request.url.includes('token=') ? 'with' : 'without'} credentials: ${status}`
    )
    t.equal(response.json().code, code)
  }
})

t.test('errors of the router itself carry the house error body and a code', async (t) => {
  const app = await build(t)
  const badUrl = await app.inject({ method: 'GET', url: '/api/v1/units/%E0%A4%A' })
  t.equal(badUrl.statusCode, 400)
  t.match(badUrl.json(), { statusCode: 400, error: 'Bad Request', code: 'BAD_URL' }, 'a malformed URL')
  const longParameter = await app.inject({ method: 'GET', url: `/api/v1/units/${'a'.repeat(200)}` })
  t.equal(longParameter.statusCode, 414)
  t.match(longParameter.json(), { statusCode: 414, code: 'PARAMETER_TOO_LONG' }, 'an over-long path parameter')
})
