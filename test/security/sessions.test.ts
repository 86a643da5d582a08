// Sessions (issue 13 §7): an absolute lifetime beside the sliding one, and expired rows deleted.
import t from 'tap'
import { loadConfig } from '../../api/config.ts'
import { hashToken, newToken } from '../../api/lib/secrets.ts'
import { build } from '../helper.ts'
import { seedCentre, seedUser, signIn } from '../fixtures.ts'

t.test('SESSION_MAX_HOURS: 24 by default, read from the environment', async (t) => {
  t.equal(loadConfig({}).sessionMaxHours, 24)
  t.equal(loadConfig({ SESSION_MAX_HOURS: '168' }).sessionMaxHours, 168)
  t.throws(() => loadConfig({ SESSION_MAX_HOURS: '0' }), /SESSION_MAX_HOURS must be between 1/, 'at least an hour')
})

t.test('a session in steady use still ends SESSION_MAX_HOURS after sign-in; the sliding expiry never passes it', async (t) => {
  const app = await build(t, { sessionTtlHours: 12, sessionMaxHours: 8 })
  const centre = await seedCentre(app.db)
  const user = await seedUser(app.db, 'supervisor', centre.centreId)
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: '10.77.0.1',
    payload: { username: user.username, password: user.password }
  })
  const cookie = login.cookies.find((entry) => entry.name === 'hl_session')!
  t.equal(cookie.maxAge, 8 * 3600, 'the cookie lives no longer than the absolute lifetime')
  const idHash = hashToken(cookie.value)
  const row = await app.db
    .selectFrom('sessions')
    .select(['created_at', 'expires_at'])
    .where('id_hash', '=', idHash)
    .executeTakeFirstOrThrow()
  t.ok(row.expires_at.getTime() <= row.created_at.getTime() + 8 * 3600_000 + 1000, 'the first expiry is within 8 hours')

  // Signed in 7½ hours ago and used a minute ago: the slide stops at 8 hours after sign-in.
  const signedIn = new Date(Date.now() - 7.5 * 3600_000)
  await app.db
    .updateTable('sessions')
    .set({ created_at: signedIn, last_seen_at: new Date(Date.now() - 120_000), expires_at: new Date(Date.now() + 600_000) })
    .where('id_hash', '=', idHash)
    .execute()
  t.equal((await app.inject({ url: '/api/v1/auth/me', cookies: { hl_session: cookie.value } })).statusCode, 200)
  const slid = await app.db.selectFrom('sessions').select('expires_at').where('id_hash', '=', idHash).executeTakeFirstOrThrow()
  t.equal(slid.expires_at.getTime(), signedIn.getTime() + 8 * 3600_000, 'slid to exactly 8 hours after sign-in, not 12 hours from now')

  // Signed in 9 hours ago, even with a sliding expiry still ahead (written by an older version): refused.
  await app.db
    .updateTable('sessions')
    .set({ created_at: new Date(Date.now() - 9 * 3600_000), expires_at: new Date(Date.now() + 3600_000) })
    .where('id_hash', '=', idHash)
    .execute()
  const late = await app.inject({ url: '/api/v1/auth/me', cookies: { hl_session: cookie.value } })
  t.equal(late.statusCode, 401, 'past the absolute lifetime the session is refused')
  t.equal(late.json().code, 'AUTH_REQUIRED')
})

t.test('expired session rows are deleted at sign-in, live ones are kept', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const user = await seedUser(app.db, 'supervisor', centre.centreId)
  const other = await seedUser(app.db, 'analyst', centre.centreId)
  const kept = await signIn(app, other)
  for (let i = 0; i < 3; i++) {
    await app.db
      .insertInto('sessions')
      .values({ id_hash: hashToken(newToken('hls')), user_id: other.id, expires_at: new Date(Date.now() - (i + 1) * 60_000) })
      .execute()
  }
  t.equal((await app.db.selectFrom('sessions').select('id_hash').execute()).length, 4)
  await signIn(app, user)
  const left = await app.db.selectFrom('sessions').select(['id_hash', 'user_id']).execute()
  t.equal(left.length, 2, 'the three expired rows are gone')
  t.ok(
    left.some((row) => row.id_hash === hashToken(kept.hl_session!)),
    "the other user's live session is kept"
  )
  t.equal((await app.inject({ url: '/api/v1/auth/me', cookies: kept })).statusCode, 200, 'and still works')
})
