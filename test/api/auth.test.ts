// Signing in and out: the session cookie, its flags, logout and disabling taking effect at once, rate limits.
import t from 'tap'
import { build } from '../helper.ts'
import { seedUser } from '../fixtures.ts'

t.test('login sets an HttpOnly SameSite=Strict session; me and logout', async (t) => {
  const app = await build(t)
  const bad = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'wrong' } })
  t.equal(bad.statusCode, 401)
  t.equal(bad.json().code, 'INVALID_CREDENTIALS')

  const noSession = await app.inject({ url: '/api/v1/auth/me' })
  t.equal(noSession.statusCode, 401)
  t.equal(noSession.json().code, 'AUTH_REQUIRED')

  const user = await seedUser(app.db, 'admin', null)
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: user.username.toUpperCase(), password: user.password }
  })
  t.equal(login.statusCode, 200)
  t.equal(login.json().user.username, user.username)
  t.notOk('passwordHash' in login.json().user, 'no hash leaves the server')
  const setCookie = String(login.headers['set-cookie'])
  t.match(setCookie, /hl_session=hls_/)
  t.match(setCookie, /HttpOnly/)
  t.match(setCookie, /SameSite=Strict/)
  const cookie = { hl_session: login.cookies[0]!.value }

  const me = await app.inject({ url: '/api/v1/auth/me', cookies: cookie })
  t.equal(me.statusCode, 200)
  t.equal(me.json().user.id, user.id)

  const stored = await app.db.selectFrom('sessions').select('id_hash').execute()
  t.equal(stored.length, 1)
  t.not(stored[0]!.id_hash, cookie.hl_session, 'the session secret is stored hashed')

  const foreign = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/logout',
    cookies: cookie,
    headers: { origin: 'https://evil.example' }
  })
  t.equal(foreign.statusCode, 403)
  t.equal(foreign.json().code, 'ORIGIN_REJECTED')

  const logout = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: cookie })
  t.equal(logout.statusCode, 204)
  const after = await app.inject({ url: '/api/v1/auth/me', cookies: cookie })
  t.equal(after.statusCode, 401, 'the old cookie no longer works')
})

t.test('disabling a user ends its sessions at once', async (t) => {
  const app = await build(t)
  const user = await seedUser(app.db, 'admin', null)
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: user.username, password: user.password }
  })
  const cookie = { hl_session: login.cookies[0]!.value }
  await app.db.updateTable('users').set({ active: false }).where('id', '=', user.id).execute()
  const me = await app.inject({ url: '/api/v1/auth/me', cookies: cookie })
  t.equal(me.statusCode, 401)
  const again = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: user.username, password: user.password }
  })
  t.equal(again.statusCode, 401, 'a disabled user cannot sign in')
})

t.test('login is rate-limited per username at an address', async (t) => {
  const app = await build(t)
  const user = await seedUser(app.db, 'admin', null)
  const codes: number[] = []
  for (let i = 0; i < 6; i++) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '10.0.0.1',
      payload: { username: user.username, password: 'guess' + i }
    })
    codes.push(response.statusCode)
  }
  t.same(codes, [401, 401, 401, 401, 401, 429])
  const blocked = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: '10.0.0.1',
    payload: { username: user.username, password: user.password }
  })
  t.equal(blocked.statusCode, 429, 'even the right password waits out the limit')
  t.equal(blocked.json().code, 'RATE_LIMITED')
  // Locked per (username, address): a guesser does not lock the owner out everywhere (test/security/login-limits.test.ts).
  const elsewhere = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: '10.0.0.9',
    payload: { username: user.username, password: user.password }
  })
  t.equal(elsewhere.statusCode, 200, 'the owner signs in from another address')
})

t.test('login is rate-limited per IP across usernames', async (t) => {
  const app = await build(t)
  const codes: number[] = []
  for (let i = 0; i < 11; i++) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '10.1.1.1',
      payload: { username: `someone${i}`, password: 'guess' }
    })
    codes.push(response.statusCode)
  }
  t.same(codes, [...Array(10).fill(401), 429])
})
