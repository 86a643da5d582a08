// API tokens: shown once, stored hashed, listed without secrets, scoped, and revoked at once.
import t from 'tap'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { build } from '../helper.ts'
import { seedCentre, seedUser, signIn } from '../fixtures.ts'
import { hashToken } from '../../api/lib/secrets.ts'

// One app for the file (a database per test costs seconds); each test seeds its own centres.
const app = await build(t)

/** What the statistics routes see for a bearer token: the actor, or the error they answer. */
async function statsActor (token: string): Promise<unknown> {
  const request = { headers: { authorization: `Bearer ${token}` }, cookies: {}, actor: null } as unknown as FastifyRequest
  try {
    await app.authenticateStats(request, {} as FastifyReply)
    return request.actor
  } catch (error) {
    return (error as { code: string }).code
  }
}

t.test('a token is shown once, stored hashed, and revoked at once', async (t) => {
  const seeded = await seedCentre(app.db)
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', seeded.provinceId))

  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/api-tokens',
    cookies: supervisor,
    payload: { name: 'Cổng dữ liệu tỉnh', unitId: seeded.communeId }
  })
  t.equal(created.statusCode, 201)
  t.equal(created.headers['cache-control'], 'no-store')
  const { token, id } = created.json()
  t.match(token, /^hla_[A-Za-z0-9_-]{40,}$/)
  t.match(created.json(), { name: 'Cổng dữ liệu tỉnh', unitId: seeded.communeId, revokedAt: null, lastUsedAt: null })
  const row = await app.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  t.equal(row.token_hash, hashToken(token), 'only the hash is stored')
  t.notMatch(JSON.stringify(row), new RegExp(token))

  t.match(
    await statsActor(token),
    { kind: 'apiToken', tokenId: id, unitId: seeded.communeId },
    'the token reads statistics for its subtree'
  )

  const list = await app.inject({ url: '/api/v1/api-tokens', cookies: supervisor })
  t.equal(list.statusCode, 200)
  t.same(
    list.json().items.map((item: { id: string }) => item.id),
    [id]
  )
  t.notOk('token' in list.json().items[0], 'the list never shows the secret')
  t.notMatch(list.body, new RegExp(`${token}|${row.token_hash}`))

  const revoked = await app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${id}`, cookies: supervisor })
  t.equal(revoked.statusCode, 204)
  t.equal(await statsActor(token), 'AUTH_REQUIRED', 'the revoked token fails at once')
  const twice = await app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${id}`, cookies: supervisor })
  t.equal(twice.statusCode, 204, 'revoking again is harmless')

  t.same((await app.inject({ url: '/api/v1/api-tokens', cookies: supervisor })).json().items, [], 'revoked tokens leave the default list')
  const all = await app.inject({ url: '/api/v1/api-tokens?includeRevoked=true', cookies: supervisor })
  t.equal(all.json().items[0].id, id)
  t.not(all.json().items[0].revokedAt, null)

  const audit = await app.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', 'api_token')
    .where('entity_id', '=', id)
    .orderBy('id')
    .execute()
  t.same(
    audit.map((entry) => entry.action),
    ['create', 'revoke'],
    'the second revoke wrote nothing'
  )
  t.notMatch(JSON.stringify(audit), new RegExp(token))
})

t.test("tokens stay inside the creator's scope", async (t) => {
  const mine = await seedCentre(app.db)
  const theirs = await seedCentre(app.db)
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', mine.centreId))
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const foreign = await app.inject({
    method: 'POST',
    url: '/api/v1/api-tokens',
    cookies: admin,
    payload: { name: 'Tỉnh khác', unitId: theirs.provinceId }
  })
  t.equal(foreign.statusCode, 201)

  const above = await app.inject({
    method: 'POST',
    url: '/api/v1/api-tokens',
    cookies: supervisor,
    payload: { name: 'Cả tỉnh', unitId: mine.provinceId }
  })
  t.equal(above.statusCode, 404, 'a supervisor cannot read above its root')
  t.equal(above.json().code, 'UNIT_NOT_FOUND')
  const list = await app.inject({ url: '/api/v1/api-tokens', cookies: supervisor })
  t.notOk(list.json().items.some((item: { id: string }) => item.id === foreign.json().id))
  const revoke = await app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${foreign.json().id}`, cookies: supervisor })
  t.equal(revoke.statusCode, 404)
  t.equal(revoke.json().code, 'API_TOKEN_NOT_FOUND')
  t.match(
    await statsActor(foreign.json().token),
    { kind: 'apiToken', tokenId: foreign.json().id, unitId: theirs.provinceId },
    'still works'
  )

  for (const payload of [
    { name: '', unitId: mine.centreId },
    { name: '   ', unitId: mine.centreId },
    { name: 'x'.repeat(201), unitId: mine.centreId },
    { name: 'Không đơn vị' },
    { name: 'Sai', unitId: 'abc' }
  ]) {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/api-tokens', cookies: supervisor, payload })
    t.equal(bad.statusCode, 400, JSON.stringify(payload))
  }
  const analyst = await signIn(app, await seedUser(app.db, 'analyst', mine.centreId))
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/api/v1/api-tokens',
        cookies: analyst,
        payload: { name: 'Phân tích', unitId: mine.centreId }
      })
    ).statusCode,
    403,
    'analysts read, they do not manage tokens'
  )
})
