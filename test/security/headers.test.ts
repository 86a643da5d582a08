// Security headers and CSP on every page, session cookie flags and rotation, limits that a browser or a script would hit
// (what test/api/auth.test.ts and health.test.ts do not already cover).
import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.ts'
import { seedCentre, seedUser } from '../fixtures.ts'
import { hashToken } from '../../api/lib/secrets.ts'
import { fingerprinter, changedTables } from './snapshot.ts'

let address = 0
const nextIp = (): string => `10.20.${(++address >> 8) & 255}.${address & 255}`

async function login (
  app: FastifyInstance,
  user: { username: string; password: string },
  extra: { headers?: Record<string, string>; cookies?: Record<string, string>; remoteAddress?: string } = {}
) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: extra.remoteAddress ?? nextIp(),
    headers: extra.headers,
    cookies: extra.cookies,
    payload: { username: user.username, password: user.password }
  })
}

/** Parses one Set-Cookie header into its name, value and attributes (lower-cased names). */
function parseSetCookie (header: string): { name: string; value: string; attributes: Record<string, string> } {
  const [pair, ...rest] = header.split(';').map((part) => part.trim())
  const [name, ...value] = pair!.split('=')
  const attributes: Record<string, string> = {}
  for (const attribute of rest) {
    const [key, ...attributeValue] = attribute.split('=')
    attributes[key!.toLowerCase()] = attributeValue.join('=')
  }
  return { name: name!, value: value.join('='), attributes }
}
const setCookies = (headers: Record<string, unknown>): string[] => {
  const value = headers['set-cookie']
  return value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]
}

t.test('every page and API answer carries the security headers; the CSP keeps scripts, frames and plugins out', async (t) => {
  const app = await build(t)
  const user = await seedUser(app.db, 'admin', null)
  const cookie = (await login(app, user)).cookies[0]!.value
  const pages = ['/', '/terminal/', '/officers/123', '/terminal/settings', '/docs/']
  for (const url of pages) {
    const page = await app.inject({ url, headers: { accept: 'text/html' } })
    t.equal(page.statusCode, 200, `${url} is served`)
    const csp = String(page.headers['content-security-policy'])
    const directives = Object.fromEntries(
      csp
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .map(([name, ...values]) => [name!, values])
    )
    t.same(directives['default-src'], ["'self'"], `${url}: default-src 'self'`)
    t.same(directives['script-src'], ["'self'"], `${url}: scripts only from this origin, no inline script, no eval`)
    t.same(directives['object-src'], ["'none'"], `${url}: no plugins`)
    t.same(directives['frame-ancestors'], ["'none'"], `${url}: no framing (clickjacking)`)
    t.same(directives['base-uri'], ["'self'"], `${url}: no <base> hijack`)
    t.same(directives['form-action'], ["'self'"], `${url}: forms post only here`)
    t.same(directives['connect-src'], ["'self'"], `${url}: fetch and WebSocket only to this origin`)
    t.notOk(csp.includes('unsafe-eval'), `${url}: no unsafe-eval anywhere`)
    t.equal(page.headers['x-content-type-options'], 'nosniff')
    t.equal(page.headers['referrer-policy'], 'no-referrer', `${url}: no referrer leaves the site`)
    t.equal(page.headers['cross-origin-opener-policy'], 'same-origin')
    t.notOk('x-powered-by' in page.headers, `${url}: no X-Powered-By`)
    t.notOk('strict-transport-security' in page.headers, `${url}: no HSTS on a plain-HTTP LAN (the HTTPS proxy sets it)`)
  }
  // The built pages load no script from elsewhere and no inline script, which the CSP would block.
  for (const url of ['/', '/terminal/']) {
    const html = (await app.inject({ url })).body
    t.notMatch(html, /<script(?![^>]*\bsrc=)[^>]*>\s*\S/i, `${url}: no inline script`)
    t.notMatch(html, /<script[^>]*src="(?:https?:)?\/\//i, `${url}: no script from another host`)
  }
  for (const request of [
    { url: '/api/v1/auth/me', cookies: { hl_session: cookie } },
    { url: '/api/v1/units', cookies: { hl_session: cookie } },
    { url: '/api/v1/nothing-here' },
    { url: '/api/v1/units' }
  ]) {
    const answer = await app.inject(request)
    t.equal(answer.headers['x-content-type-options'], 'nosniff', `${request.url} (${answer.statusCode}): nosniff`)
    t.match(String(answer.headers['content-type']), /^application\/json/, `${request.url} (${answer.statusCode}): JSON`)
    t.match(String(answer.headers['content-security-policy']), /default-src 'self'/, `${request.url} (${answer.statusCode}): CSP too`)
  }
})

t.test('the session cookie: HttpOnly, SameSite=Strict, Path=/, a lifetime; Secure behind HTTPS; cleared at logout', async (t) => {
  const plain = await build(t)
  const user = await seedUser(plain.db, 'supervisor', (await seedCentre(plain.db)).centreId)
  const overHttp = await login(plain, user)
  t.equal(overHttp.statusCode, 200)
  const cookies = setCookies(overHttp.headers).map(parseSetCookie)
  t.equal(cookies.length, 1, 'one cookie')
  const session = cookies[0]!
  t.equal(session.name, 'hl_session')
  t.match(session.value, /^hls_[A-Za-z0-9_-]{40,}$/, 'a long random secret')
  t.ok('httponly' in session.attributes, 'HttpOnly: scripts cannot read it')
  t.equal(session.attributes.samesite, 'Strict', 'SameSite=Strict: no cross-site request carries it')
  t.equal(session.attributes.path, '/', 'Path=/')
  t.equal(session.attributes['max-age'], String(12 * 3600), 'Max-Age follows SESSION_TTL_HOURS')
  t.notOk('secure' in session.attributes, 'not Secure over plain HTTP (a centre LAN), or the browser would drop it')
  t.notOk('domain' in session.attributes, 'host-only: no Domain attribute')
  const spoofed = await login(plain, user, { headers: { 'x-forwarded-proto': 'https' } })
  t.notOk('secure' in parseSetCookie(setCookies(spoofed.headers)[0]!).attributes, 'without TRUST_PROXY, X-Forwarded-Proto is ignored')

  const logout = await plain.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { hl_session: session.value } })
  t.equal(logout.statusCode, 204)
  const cleared = parseSetCookie(setCookies(logout.headers)[0]!)
  t.equal(cleared.name, 'hl_session')
  t.equal(cleared.value, '', 'logout empties the cookie')
  t.ok(new Date(cleared.attributes.expires ?? 0).getTime() < Date.now(), 'and expires it')
  t.equal(cleared.attributes.path, '/', 'on the same path')

  const proxied = await build(t, { trustProxy: 1, sessionTtlHours: 2 })
  const proxiedUser = await seedUser(proxied.db, 'admin', null)
  const overHttps = await login(proxied, proxiedUser, { headers: { 'x-forwarded-proto': 'https' } })
  const secure = parseSetCookie(setCookies(overHttps.headers)[0]!)
  t.ok('secure' in secure.attributes, 'Secure when the HTTPS proxy says so (TRUST_PROXY)')
  t.equal(secure.attributes['max-age'], String(2 * 3600))
})

t.test('login rotates the session: no id from before login is valid after it', async (t) => {
  const app = await build(t)
  const user = await seedUser(app.db, 'analyst', (await seedCentre(app.db)).centreId)
  const other = await seedUser(app.db, 'admin', null)

  // Fixation: an id the attacker planted before the victim signs in.
  const planted = 'hls_' + 'A'.repeat(43)
  const first = await login(app, user, { cookies: { hl_session: planted } })
  t.equal(first.statusCode, 200)
  const issued = first.cookies[0]!.value
  t.not(issued, planted, 'the server issues its own id, never the one presented')
  t.equal(
    (await app.inject({ url: '/api/v1/auth/me', cookies: { hl_session: planted } })).statusCode,
    401,
    'the planted id is not a session'
  )

  // Signing in again (or as someone else) from a signed-in browser ends the earlier session.
  const second = await login(app, other, { cookies: { hl_session: issued } })
  const rotated = second.cookies[0]!.value
  t.not(rotated, issued)
  t.equal(
    (await app.inject({ url: '/api/v1/auth/me', cookies: { hl_session: issued } })).statusCode,
    401,
    'the id from before the login is dead'
  )
  t.equal((await app.inject({ url: '/api/v1/auth/me', cookies: { hl_session: rotated } })).json().user.id, other.id)
  t.equal(
    await app.db.selectFrom('sessions').select('id_hash').where('id_hash', '=', hashToken(issued)).executeTakeFirst(),
    undefined,
    'and is deleted, not just replaced in the browser'
  )

  // A failed login leaves the presented session alone (no logout by a stranger's typo) and issues nothing.
  const failed = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: nextIp(),
    cookies: { hl_session: rotated },
    payload: { username: other.username, password: 'wrong password' }
  })
  t.equal(failed.statusCode, 401)
  t.same(setCookies(failed.headers), [], 'no cookie on a failed login')

  // An expired session is refused even though its row is still there.
  await app.db
    .updateTable('sessions')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where('id_hash', '=', hashToken(rotated))
    .execute()
  t.equal((await app.inject({ url: '/api/v1/auth/me', cookies: { hl_session: rotated } })).statusCode, 401, 'an expired session is refused')
})

t.test(
  'brute force: the username limit ignores letter case; without TRUST_PROXY a forged X-Forwarded-For does not reset the IP limit',
  async (t) => {
    const app = await build(t)
    const user = await seedUser(app.db, 'admin', null)
    const spellings = [
      user.username,
      user.username.toUpperCase(),
      ` ${user.username}`.trim(),
      user.username.replace(/^./, (c) => c.toUpperCase()),
      user.username.toUpperCase(),
      user.username
    ]
    const codes: number[] = []
    const guesser = nextIp()
    for (const username of spellings) {
      codes.push(
        (await app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: guesser, payload: { username, password: 'guess' } }))
          .statusCode
      )
    }
    t.same(
      codes,
      [401, 401, 401, 401, 401, 429],
      'five wrong passwords in any letter case from one address, then the account waits there (the limit over all addresses is in login-limits.test.ts)'
    )

    const fromOneHost: number[] = []
    for (let i = 0; i < 11; i++) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '10.99.0.1',
        headers: { 'x-forwarded-for': `172.16.0.${i + 1}` },
        payload: { username: `nobody${i}`, password: 'guess' }
      })
      fromOneHost.push(response.statusCode)
    }
    t.same(fromOneHost, [...Array(10).fill(401), 429], 'the limit counts the real peer, not the header')
    const limited = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '10.99.0.1',
      payload: { username: 'nobody', password: 'guess' }
    })
    t.equal(limited.json().code, 'RATE_LIMITED')
    t.match(String(limited.headers['retry-after']), /^\d+$/, 'Retry-After says when to try again')
  }
)

t.test('revoked credentials fail at once, even right after a successful use', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const admin = await seedUser(app.db, 'admin', null)
  const cookies = { hl_session: (await login(app, admin)).cookies[0]!.value }

  // A terminal token the server has just cached is refused after revocation, on every terminal route.
  const bearer = { authorization: `Bearer ${centre.terminal.token}` }
  t.equal((await app.inject({ url: '/api/v1/terminal/state', headers: bearer })).statusCode, 200, 'the token works (and is now cached)')
  t.equal((await app.inject({ method: 'POST', url: `/api/v1/terminals/${centre.terminal.id}/revoke`, cookies })).statusCode, 200)
  const rating = { ratings: [{ id: randomUUID(), level: 4, ratedAt: new Date(Date.now() - 1000).toISOString() }] }
  for (const request of [
    { method: 'GET' as const, url: '/api/v1/terminal/state' },
    { method: 'POST' as const, url: '/api/v1/terminal/ratings', payload: rating },
    {
      method: 'PUT' as const,
      url: '/api/v1/terminal/officer',
      payload: { staffCode: centre.officers[0]!.staffCode, pin: centre.officers[0]!.pin }
    },
    { method: 'DELETE' as const, url: '/api/v1/terminal/officer' },
    { method: 'GET' as const, url: '/api/v1/terminal/live' }
  ]) {
    const response = await app.inject({ ...request, headers: request.url.includes('token=') ? {} : bearer })
    t.equal(response.statusCode, 401, `${request.method} ${request.url.split('?')[0]}: refused`)
    t.equal(response.json().code, 'TERMINAL_TOKEN_INVALID')
  }
  t.equal(
    (await app.db.selectFrom('ratings').select('id').where('id', '=', rating.ratings[0]!.id).execute()).length,
    0,
    'nothing stored from a revoked terminal'
  )

  // An API token used a moment ago is refused after revocation on every statistics route.
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/api-tokens',
    cookies,
    payload: { name: 'Cổng dữ liệu', unitId: centre.provinceId }
  })
  const token = created.json().token as string
  const statsRoutes = ['summary', 'officers', 'counters', 'units', 'timeseries', 'heatmap']
  t.equal(
    (await app.inject({ url: '/api/v1/stats/summary', headers: { authorization: `Bearer ${token}` } })).statusCode,
    200,
    'the API token works'
  )
  t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${created.json().id}`, cookies })).statusCode, 204)
  for (const route of statsRoutes) {
    const response = await app.inject({ url: `/api/v1/stats/${route}`, headers: { authorization: `Bearer ${token}` } })
    t.equal(response.statusCode, 401, `/api/v1/stats/${route}: refused`)
  }
  // A statistics token is read-only: it opens nothing else.
  const other = await app.inject({
    method: 'POST',
    url: '/api/v1/api-tokens',
    cookies,
    payload: { name: 'Khác', unitId: centre.provinceId }
  })
  for (const url of ['/api/v1/units', '/api/v1/cases', '/api/v1/ratings', '/api/v1/auth/me', '/api/v1/terminal/state']) {
    t.equal(
      (await app.inject({ url, headers: { authorization: `Bearer ${other.json().token}` } })).statusCode,
      401,
      `an API token opens no ${url}`
    )
  }
})

t.test("a disabled user's sessions die at once on every route, including an open live socket's next request", async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const admin = await seedUser(app.db, 'admin', null)
  const supervisor = await seedUser(app.db, 'supervisor', centre.centreId)
  const adminCookies = { hl_session: (await login(app, admin)).cookies[0]!.value }
  const sessions = [(await login(app, supervisor)).cookies[0]!.value, (await login(app, supervisor)).cookies[0]!.value]
  t.equal((await app.inject({ url: '/api/v1/counters', cookies: { hl_session: sessions[0]! } })).statusCode, 200)
  const disabled = await app.inject({
    method: 'PATCH',
    url: `/api/v1/users/${supervisor.id}`,
    cookies: adminCookies,
    payload: { active: false }
  })
  t.equal(disabled.statusCode, 200)
  for (const session of sessions) {
    for (const request of [
      { url: '/api/v1/auth/me' },
      { url: '/api/v1/counters' },
      { url: '/api/v1/stats/summary' },
      { method: 'PATCH' as const, url: `/api/v1/counters/${centre.counterIds[0]}`, payload: { name: 'Quầy đổi tên' } }
    ]) {
      const response = await app.inject({ ...request, cookies: { hl_session: session } })
      t.equal(response.statusCode, 401, `${request.method ?? 'GET'} ${request.url}: refused`)
    }
  }
  t.equal(
    (await app.db.selectFrom('counters').select('name').where('id', '=', centre.counterIds[0]!).executeTakeFirstOrThrow()).name,
    'Quầy 1',
    'nothing changed'
  )
  t.equal(
    (await app.db.selectFrom('sessions').select('id_hash').where('user_id', '=', supervisor.id).execute()).length,
    0,
    'the sessions are deleted'
  )
})

t.test('a body over the limit is 413 with a code and stores nothing, on every kind of write', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const admin = await seedUser(app.db, 'admin', null)
  const cookies = { hl_session: (await login(app, admin)).cookies[0]!.value }
  const fingerprint = await fingerprinter(app.db)
  const pad = 'x'.repeat(256 * 1024)
  const writes = [
    {
      method: 'POST' as const,
      url: '/api/v1/units',
      cookies,
      payload: JSON.stringify({ parentId: centre.centreId, kind: 'other', code: 'BIG', name: pad })
    },
    { method: 'PATCH' as const, url: `/api/v1/officers/${centre.officers[0]!.id}`, cookies, payload: JSON.stringify({ fullName: pad }) },
    { method: 'PATCH' as const, url: `/api/v1/cases/${randomUUID()}`, cookies, payload: JSON.stringify({ status: 'resolved', note: pad }) },
    { method: 'POST' as const, url: '/api/v1/auth/login', payload: JSON.stringify({ username: admin.username, password: pad }) },
    {
      method: 'POST' as const,
      url: '/api/v1/terminal/ratings',
      headers: { authorization: `Bearer ${centre.terminal.token}` },
      payload: JSON.stringify({
        ratings: Array.from({ length: 100 }, () => ({
          id: randomUUID(),
          level: 4,
          ratedAt: new Date().toISOString(),
          criteria: Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`c${i}_${'y'.repeat(100)}`, true]))
        }))
      })
    }
  ]
  for (const write of writes) {
    const before = await fingerprint.take()
    const response = await app.inject({
      ...write,
      remoteAddress: nextIp(),
      headers: { 'content-type': 'application/json', ...write.headers }
    })
    t.equal(response.statusCode, 413, `${write.method} ${write.url.replace(/[0-9a-f-]{36}/, ':id')}: 413 (${write.payload.length} bytes)`)
    t.equal(response.json().code, 'BODY_TOO_LARGE')
    t.same(changedTables(before, await fingerprint.take()), [], 'nothing stored')
  }
  // A Content-Length that lies (larger than the body) is refused rather than waited on forever.
  const lying = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies,
    headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) },
    payload: '{}'
  })
  t.ok(lying.statusCode >= 400 && lying.statusCode < 500, `a lying Content-Length is a 4xx (${lying.statusCode})`)
  t.type(lying.json().code, 'string')
})

t.test('Origin: a signed-in change from another site is refused on every state-changing route and changes nothing', async (t) => {
  const app = await build(t, { trustedOrigins: ['https://hailong.tinh.gov.vn'] })
  const centre = await seedCentre(app.db)
  const admin = await seedUser(app.db, 'admin', null)
  const cookies = { hl_session: (await login(app, admin)).cookies[0]!.value }
  const fingerprint = await fingerprinter(app.db)
  const changes = [
    {
      method: 'POST' as const,
      url: '/api/v1/units',
      payload: { parentId: centre.centreId, kind: 'other', code: 'CSRF1', name: 'Giả mạo' }
    },
    { method: 'PATCH' as const, url: `/api/v1/counters/${centre.counterIds[0]}`, payload: { name: 'Giả mạo' } },
    { method: 'PUT' as const, url: `/api/v1/counters/${centre.counterIds[0]}/assignment`, payload: { officerId: centre.officers[0]!.id } },
    {
      method: 'POST' as const,
      url: '/api/v1/users',
      payload: { username: 'csrf-admin', password: 'mat-khau-dai', role: 'admin', unitId: null }
    },
    { method: 'POST' as const, url: '/api/v1/api-tokens', payload: { name: 'Giả mạo', unitId: centre.provinceId } },
    { method: 'POST' as const, url: `/api/v1/terminals/${centre.terminal.id}/revoke` },
    { method: 'PUT' as const, url: '/api/v1/criteria', payload: { criteria: [] } },
    { method: 'POST' as const, url: '/api/v1/auth/logout' }
  ]
  for (const origin of ['https://evil.example', 'null', 'http://localhost:8080', 'https://hailong.tinh.gov.vn.evil.example']) {
    for (const change of changes) {
      const before = await fingerprint.take()
      const response = await app.inject({ ...change, cookies, headers: { origin } })
      t.equal(response.statusCode, 403, `${change.method} ${change.url.replace(/[0-9a-f-]{36}/, ':id')} from ${origin}: 403`)
      t.equal(response.json().code, 'ORIGIN_REJECTED')
      t.same(changedTables(before, await fingerprint.take()), [], 'nothing changed')
    }
  }
  // Our own origin and a configured one may change; reads are never origin-checked.
  const own = await app.inject({
    method: 'PATCH',
    url: `/api/v1/counters/${centre.counterIds[0]}`,
    cookies,
    headers: { origin: 'http://localhost:80', host: 'localhost:80' },
    payload: { name: 'Quầy A' }
  })
  t.equal(own.statusCode, 200, 'the same origin may change')
  const trusted = await app.inject({
    method: 'PATCH',
    url: `/api/v1/counters/${centre.counterIds[0]}`,
    cookies,
    headers: { origin: 'https://hailong.tinh.gov.vn' },
    payload: { name: 'Quầy B' }
  })
  t.equal(trusted.statusCode, 200, 'a TRUSTED_ORIGINS origin may change')
  const read = await app.inject({ url: '/api/v1/counters', cookies, headers: { origin: 'https://evil.example' } })
  t.equal(read.statusCode, 200, 'a read from elsewhere is allowed (SameSite=Strict keeps the cookie off cross-site requests anyway)')
  t.notOk('access-control-allow-origin' in read.headers, 'and no CORS header lets another site read the answer')
})
