// Scope on every organisation route: each role × each resource × inside and outside its subtree; and malformed bodies never 5xx nor change
// a row.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { build, sql } from '../helper.ts'
import { seedCentre, seedUser, type SeededCentre, signIn } from '../fixtures.ts'

// One app for the file (a database per test costs seconds).
const app = await build(t)

/** An unsatisfied rating and its open case at the centre's first counter, about the centre's second officer. */
async function seedCase (centre: SeededCentre): Promise<string> {
  const ratingId = randomUUID()
  const officerId = centre.officers[1]!.id
  const ratedAt = new Date(Date.now() - 600_000).toISOString()
  await app.db
    .insertInto('ratings')
    .values({
      id: ratingId,
      unit_id: centre.centreId,
      counter_id: centre.counterIds[0]!,
      terminal_id: centre.terminal.id,
      officer_id: officerId,
      device_officer_id: null,
      level: 1,
      category: 'unsatisfied',
      weight: 0,
      rated_at: ratedAt,
      counted_at: ratedAt,
      source: 'touch',
      misuse_reason: null
    })
    .execute()
  const row = await app.db
    .insertInto('cases')
    .values({
      unit_id: centre.centreId,
      rating_id: ratingId,
      counter_id: centre.counterIds[0]!,
      officer_id: officerId,
      resolved_at: null,
      resolved_by: null,
      note: null
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

async function seedApiToken (unitId: string): Promise<string> {
  const row = await app.db
    .insertInto('api_tokens')
    .values({ name: 'Cổng dữ liệu', unit_id: unitId, token_hash: randomUUID(), created_by: null, last_used_at: null, revoked_at: null })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

type Place = 'inside' | 'outside'
type Role = 'admin' | 'supervisor' | 'analyst' | 'officer'

t.test('each role × each resource × inside and outside its subtree', async (t) => {
  // The supervisor and analyst are scoped to commune A; the officer user is officer A1; the admin sees the whole tree.
  const a = await seedCentre(app.db)
  const b = await seedCentre(app.db)
  const centre: Record<Place, SeededCentre> = { inside: a, outside: b }
  const adminUser = await seedUser(app.db, 'admin', null)
  const cookies: Record<Role, Record<string, string>> = {
    admin: await signIn(app, adminUser),
    supervisor: await signIn(app, await seedUser(app.db, 'supervisor', a.communeId)),
    analyst: await signIn(app, await seedUser(app.db, 'analyst', a.communeId)),
    officer: await signIn(app, await seedUser(app.db, 'officer', a.centreId, { officerId: a.officers[0]!.id }))
  }
  const analystIn = { inside: await seedUser(app.db, 'analyst', a.centreId), outside: await seedUser(app.db, 'analyst', b.centreId) }
  const tokens = { inside: await seedApiToken(a.centreId), outside: await seedApiToken(b.centreId) }

  type Call = (role: Role, place: Place) => Promise<LightMyRequestResponse>
  /** A list read answers 200 when the item is listed, 404 when it is not. */
  const listed = async (role: Role, url: string, id: string): Promise<LightMyRequestResponse> => {
    const response = await app.inject({ url, cookies: cookies[role] })
    if (response.statusCode !== 200) return response
    const found = response.json().items.some((item: { id: string }) => item.id === id)
    return { ...response, statusCode: found ? 200 : 404 } as LightMyRequestResponse
  }
  const resources: Array<{ name: string; read: Call; write: Call; expect: Record<Role, [number, number, number, number]> }> = [
    {
      name: 'units',
      read: (role, place) => app.inject({ url: `/api/v1/units/${centre[place].centreId}`, cookies: cookies[role] }),
      write: (role, place) =>
        app.inject({
          method: 'PATCH',
          url: `/api/v1/units/${centre[place].centreId}`,
          cookies: cookies[role],
          payload: { name: `Trung tâm (${role})` }
        }),
      expect: {
        admin: [200, 200, 200, 200],
        supervisor: [200, 404, 200, 404],
        analyst: [200, 404, 403, 403],
        officer: [403, 403, 403, 403]
      }
    },
    {
      name: 'unit lists',
      read: (role, place) => listed(role, '/api/v1/units', centre[place].centreId),
      write: (role, place) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/units',
          cookies: cookies[role],
          payload: { parentId: centre[place].centreId, kind: 'other', code: `U-${role}-${place}`, name: 'Điểm tiếp nhận' }
        }),
      expect: {
        admin: [200, 200, 201, 201],
        supervisor: [200, 404, 201, 404],
        analyst: [200, 404, 403, 403],
        officer: [403, 403, 403, 403]
      }
    },
    {
      name: 'counters',
      read: (role, place) => app.inject({ url: `/api/v1/counters/${centre[place].counterIds[1]}`, cookies: cookies[role] }),
      write: (role, place) =>
        app.inject({
          method: 'PATCH',
          url: `/api/v1/counters/${centre[place].counterIds[1]}`,
          cookies: cookies[role],
          payload: { name: `Quầy (${role})` }
        }),
      expect: {
        admin: [200, 200, 200, 200],
        supervisor: [200, 404, 200, 404],
        analyst: [200, 404, 403, 403],
        officer: [403, 403, 403, 403]
      }
    },
    {
      name: 'counter lists',
      read: (role, place) => listed(role, '/api/v1/counters', centre[place].counterIds[1]!),
      write: (role, place) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/counters',
          cookies: cookies[role],
          payload: {
            unitId: centre[place].centreId,
            number: { admin: 11, supervisor: 12, analyst: 13, officer: 14 }[role],
            name: 'Quầy mới'
          }
        }),
      expect: {
        admin: [200, 200, 201, 201],
        supervisor: [200, 404, 201, 404],
        analyst: [200, 404, 403, 403],
        officer: [403, 403, 403, 403]
      }
    },
    {
      name: 'shifts',
      read: (role, place) => app.inject({ url: `/api/v1/counters?unitId=${centre[place].centreId}`, cookies: cookies[role] }),
      write: (role, place) =>
        app.inject({
          method: 'PUT',
          url: `/api/v1/counters/${centre[place].counterIds[0]}/assignment`,
          cookies: cookies[role],
          payload: { officerId: centre[place].officers[1]!.id }
        }),
      expect: {
        admin: [200, 200, 200, 200],
        supervisor: [200, 404, 200, 404],
        analyst: [200, 404, 403, 403],
        officer: [403, 403, 403, 403]
      }
    },
    {
      name: 'officers',
      read: (role, place) => app.inject({ url: `/api/v1/officers/${centre[place].officers[1]!.id}`, cookies: cookies[role] }),
      write: (role, place) =>
        app.inject({
          method: 'PATCH',
          url: `/api/v1/officers/${centre[place].officers[1]!.id}`,
          cookies: cookies[role],
          payload: { title: `Chuyên viên (${role})` }
        }),
      expect: {
        admin: [200, 200, 200, 200],
        supervisor: [200, 404, 200, 404],
        analyst: [200, 404, 403, 403],
        officer: [404, 404, 403, 403]
      }
    },
    {
      name: 'officer lists',
      read: (role, place) => listed(role, '/api/v1/officers', centre[place].officers[1]!.id),
      write: (role, place) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/officers',
          cookies: cookies[role],
          payload: {
            unitId: centre[place].centreId,
            staffCode: `S-${role}-${place}-${a.centreId.slice(0, 6)}`,
            fullName: 'Đặng Thùy Trâm',
            pin: '2468'
          }
        }),
      expect: {
        admin: [200, 200, 201, 201],
        supervisor: [200, 404, 201, 404],
        analyst: [200, 404, 403, 403],
        officer: [404, 404, 403, 403]
      }
    },
    {
      name: 'users',
      read: (role, place) => app.inject({ url: `/api/v1/users/${analystIn[place].id}`, cookies: cookies[role] }),
      write: (role, place) =>
        app.inject({
          method: 'PATCH',
          url: `/api/v1/users/${analystIn[place].id}`,
          cookies: cookies[role],
          payload: { displayName: `Phân tích (${role})` }
        }),
      expect: {
        admin: [200, 200, 200, 200],
        supervisor: [200, 404, 200, 404],
        analyst: [403, 403, 403, 403],
        officer: [403, 403, 403, 403]
      }
    },
    {
      name: 'user lists',
      read: (role, place) => listed(role, '/api/v1/users', analystIn[place].id),
      write: (role, place) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/users',
          cookies: cookies[role],
          payload: {
            username: `u-${role}-${place}-${a.centreId.slice(0, 6)}`,
            password: 'mat-khau-dai',
            role: 'analyst',
            unitId: centre[place].centreId
          }
        }),
      expect: {
        admin: [200, 200, 201, 201],
        supervisor: [200, 404, 201, 404],
        analyst: [403, 403, 403, 403],
        officer: [403, 403, 403, 403]
      }
    },
    {
      name: 'api tokens',
      read: (role, place) => listed(role, '/api/v1/api-tokens', tokens[place]),
      write: (role, place) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/api-tokens',
          cookies: cookies[role],
          payload: { name: `Token (${role})`, unitId: centre[place].centreId }
        }),
      expect: {
        admin: [200, 200, 201, 201],
        supervisor: [200, 404, 201, 404],
        analyst: [403, 403, 403, 403],
        officer: [403, 403, 403, 403]
      }
    },
    {
      name: 'api token revocation',
      read: (role, place) => listed(role, '/api/v1/api-tokens', tokens[place]),
      write: async (role, place) =>
        app.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${await seedApiToken(centre[place].centreId)}`, cookies: cookies[role] }),
      expect: {
        admin: [200, 200, 204, 204],
        supervisor: [200, 404, 204, 404],
        analyst: [403, 403, 403, 403],
        officer: [403, 403, 403, 403]
      }
    },
    {
      name: 'cases',
      read: async (role, place) => app.inject({ url: `/api/v1/cases/${await seedCase(centre[place])}`, cookies: cookies[role] }),
      write: async (role, place) =>
        app.inject({
          method: 'PATCH',
          url: `/api/v1/cases/${await seedCase(centre[place])}`,
          cookies: cookies[role],
          payload: { status: 'resolved', note: 'Đã xin lỗi công dân' }
        }),
      expect: {
        admin: [200, 200, 200, 200],
        supervisor: [200, 404, 200, 404],
        analyst: [200, 404, 403, 403],
        officer: [404, 404, 403, 403]
      }
    }
  ]

  const outsideAuditBefore = await app.db
    .selectFrom('audit_log')
    .select('id')
    .where('unit_id', 'in', [b.provinceId, b.communeId, b.centreId])
    .execute()
  for (const resource of resources) {
    for (const role of ['admin', 'supervisor', 'analyst', 'officer'] as const) {
      const got = [
        (await resource.read(role, 'inside')).statusCode,
        (await resource.read(role, 'outside')).statusCode,
        (await resource.write(role, 'inside')).statusCode,
        (await resource.write(role, 'outside')).statusCode
      ]
      t.same(got, resource.expect[role], `${resource.name}, ${role}: read inside, read outside, write inside, write outside`)
    }
  }
  // Only the admin's writes reach centre B.
  const outsideAudit = await app.db
    .selectFrom('audit_log')
    .select(['actor_id', 'entity'])
    .where('unit_id', 'in', [b.provinceId, b.communeId, b.centreId])
    .where('id', 'not in', outsideAuditBefore.length > 0 ? outsideAuditBefore.map((row) => row.id) : ['0'])
    .execute()
  t.ok(
    outsideAudit.length > 0 && outsideAudit.every((entry) => entry.actor_id === adminUser.id),
    'every change in centre B was made by the admin'
  )
})

t.test('random and malformed bodies: never a 5xx, and a rejected request changes no row', async (t) => {
  const a = await seedCentre(app.db)
  const b = await seedCentre(app.db)
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', a.communeId))
  const caseId = await seedCase(a)
  const tokenId = await seedApiToken(a.centreId)
  const userId = (await seedUser(app.db, 'analyst', a.centreId)).id

  const routes: Array<{ method: 'POST' | 'PATCH' | 'PUT' | 'DELETE'; url: string }> = [
    { method: 'POST', url: '/api/v1/units' },
    { method: 'PATCH', url: `/api/v1/units/${a.centreId}` },
    { method: 'POST', url: '/api/v1/counters' },
    { method: 'PATCH', url: `/api/v1/counters/${a.counterIds[1]}` },
    { method: 'PUT', url: `/api/v1/counters/${a.counterIds[0]}/assignment` },
    { method: 'POST', url: '/api/v1/officers' },
    { method: 'PATCH', url: `/api/v1/officers/${a.officers[1]!.id}` },
    { method: 'POST', url: '/api/v1/users' },
    { method: 'PATCH', url: `/api/v1/users/${userId}` },
    { method: 'POST', url: '/api/v1/api-tokens' },
    { method: 'DELETE', url: `/api/v1/api-tokens/${tokenId}` },
    { method: 'PATCH', url: `/api/v1/cases/${caseId}` }
  ]
  const ids = [
    a.provinceId,
    a.communeId,
    a.centreId,
    b.centreId,
    a.counterIds[0]!,
    b.counterIds[0]!,
    a.officers[0]!.id,
    b.officers[0]!.id,
    randomUUID(),
    'not-a-uuid',
    ''
  ]
  const keys = [
    'parentId',
    'kind',
    'code',
    'name',
    'unitId',
    'number',
    'active',
    'officerId',
    'staffCode',
    'fullName',
    'title',
    'photoUrl',
    'pin',
    'username',
    'displayName',
    'password',
    'role',
    'status',
    'note',
    '__proto__',
    'constructor'
  ]
  const nasty = fc.oneof(
    fc.constantFrom(...ids),
    fc.constantFrom('province', 'centre', 'district', 'admin', 'officer', 'resolved', 'open', '1234', '12345678', '123456789'),
    fc.constantFrom(
      '',
      ' ',
      'a\u0000b',
      '\u0000',
      'x'.repeat(2001),
      '🙂'.repeat(201),
      'javascript:alert(1)',
      'https://example.vn/a.jpg',
      '../../etc/passwd',
      "'; drop table units; --"
    ),
    fc.integer(),
    fc.double(),
    fc.constantFrom(0, -1, 9999, 10000, 2 ** 31, 1e308, -0),
    fc.boolean(),
    fc.constant(null),
    fc.string(),
    fc.anything()
  )
  const body = fc.oneof(
    fc.dictionary(fc.constantFrom(...keys), nasty, { maxKeys: 8 }).map((value) => JSON.stringify(value)),
    fc.anything().map((value) => JSON.stringify(value) ?? ''),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('{', '{"name":', '[]', 'null', '""', '{"__proto__":{"admin":true}}', '{"name": "a", "name": 1}')
  )

  /** A fingerprint of every row the admin routes can touch, in one query. */
  const digest = async (): Promise<string> => {
    const result = await sql<{ digest: string }>`select concat_ws(' ',
      (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from units t),
      (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from counters t),
      (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from officers t),
      (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from assignments t),
      (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from users t),
      (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from api_tokens t),
      (select md5(coalesce(string_agg(t::text, '|' order by t.id), '')) from cases t),
      (select count(*)::text from audit_log)) as digest`.execute(app.db)
    return result.rows[0]!.digest
  }

  let rejected = 0
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...routes), fc.constantFrom('admin', 'supervisor'), body, async (route, who, payload) => {
      const before = await digest()
      const response = await app.inject({
        method: route.method,
        url: route.url,
        cookies: who === 'admin' ? admin : supervisor,
        headers: { 'content-type': 'application/json' },
        payload
      })
      if (response.statusCode >= 500) throw new Error(`${route.method} ${route.url} ${payload} → ${response.statusCode} ${response.body}`)
      if (response.statusCode >= 400) {
        rejected++
        const body = response.json()
        if (typeof body.code !== 'string' || body.code === '') throw new Error(`no stable code: ${response.body}`)
        const after = await digest()
        if (after !== before) throw new Error(`${route.method} ${route.url} ${payload} → ${response.statusCode} changed rows`)
      }
    }),
    { numRuns: 100 }
  )
  t.ok(rejected > 50, `most random bodies are rejected (${rejected} of 100)`)
})
