// Every endpoint of the OpenAPI document × every kind of caller (admin of a subtree, supervisor, analyst, officer, API token,
// terminal token, nobody) × a target inside and outside the caller's subtree: no read or write crosses the subtree.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { build } from '../helper.ts'
import { seedAssignment, seedCase as seedCaseIn, seedCentre, seedQueueToken, seedUser, type SeededCentre } from '../fixtures.ts'
import { hashToken, newToken } from '../../api/lib/secrets.ts'
import { operationsOf } from './openapi.ts'
import { changedTables, fingerprinter } from './snapshot.ts'

type Role = 'admin' | 'supervisor' | 'analyst' | 'officer'
type Place = 'inside' | 'outside'
type Caller = Role | 'apiToken' | 'terminal' | 'none' | 'queueToken'
const roles: Role[] = ['admin', 'supervisor', 'analyst', 'officer']
const callers: Caller[] = [...roles, 'apiToken', 'terminal', 'none', 'queueToken']

const app = await build(t)

// Province P with communes A and B, each with a centre. Every scoped caller belongs to commune A; B is "outside".
const a = await seedCentre(app.db, { counters: 3, officers: 3 })
const b = await seedCentre(app.db, { counters: 3, officers: 3, parentId: a.provinceId })
const centre: Record<Place, SeededCentre> = { inside: a, outside: b }

let n = 0
const unique = (): number => ++n
let address = 0
async function signIn (user: { username: string; password: string }): Promise<string> {
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: `10.9.${(++address >> 8) & 255}.${address & 255}`,
    payload: { username: user.username, password: user.password }
  })
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`)
  return login.cookies[0]!.value
}

const users: Record<Role, { username: string; password: string }> = {
  admin: await seedUser(app.db, 'admin', a.communeId),
  supervisor: await seedUser(app.db, 'supervisor', a.communeId),
  analyst: await seedUser(app.db, 'analyst', a.communeId),
  // The officer user is officer 0 of centre A: "inside" targets about an officer are about this one.
  officer: await seedUser(app.db, 'officer', a.centreId, { officerId: a.officers[0]!.id })
}
const sessions = Object.fromEntries(await Promise.all(roles.map(async (role) => [role, await signIn(users[role])]))) as Record<Role, string>
const analystAt: Record<Place, string> = {
  inside: (await seedUser(app.db, 'analyst', a.centreId)).id,
  outside: (await seedUser(app.db, 'analyst', b.centreId)).id
}
const apiToken = newToken('hla')
await app.db
  .insertInto('api_tokens')
  .values({
    name: 'Cổng dữ liệu xã A',
    unit_id: a.communeId,
    token_hash: hashToken(apiToken),
    created_by: null,
    last_used_at: null,
    revoked_at: null
  })
  .execute()

// A queue system's integration token for commune A: it may post queue calls and nothing else (issue 17).
const queueToken = await seedQueueToken(app.db, a.communeId, 'Hệ thống xếp hàng xã A')

async function seedApiToken (unitId: string): Promise<string> {
  return (
    await app.db
      .insertInto('api_tokens')
      .values({
        name: 'Thử',
        unit_id: unitId,
        token_hash: hashToken(newToken('hla')),
        created_by: null,
        last_used_at: null,
        revoked_at: null
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
}
/** An unsatisfied rating at counter 1 credited to officer 0, and its open case. */
const seedCase = (at: SeededCentre): Promise<string> => seedCaseIn(app.db, at, { ratedAt: new Date(Date.now() - 600_000).toISOString() })
async function seedTerminal (at: SeededCentre): Promise<string> {
  return (
    await app.db
      .insertInto('terminals')
      .values({
        unit_id: at.centreId,
        counter_id: at.counterIds[2]!,
        kind: 'button',
        name: 'Hộp nút',
        token_hash: hashToken(newToken('hlt')),
        pairing_code_hash: null,
        pairing_expires_at: null,
        paired_at: new Date(),
        revoked_at: null,
        last_seen_at: null
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
}
async function seedRule (at: SeededCentre): Promise<string> {
  return (
    await app.db
      .insertInto('alert_rules')
      .values({
        unit_id: at.centreId,
        kind: 'unsatisfied_streak',
        parameters: JSON.stringify({ count: 3 }),
        enabled: true,
        created_by: null
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
}
async function seedAlert (at: SeededCentre): Promise<string> {
  return (
    await app.db
      .insertInto('alerts')
      .values({
        unit_id: at.centreId,
        rule_id: null,
        kind: 'unsatisfied_streak',
        counter_id: at.counterIds[0]!,
        details: JSON.stringify({ parameters: { count: 3 } })
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
}
/** Counter 2 has an open shift (officer 2), so that ending it can succeed. */
async function openShift (at: SeededCentre): Promise<void> {
  const open = await app.db
    .selectFrom('assignments')
    .select('id')
    .where('counter_id', '=', at.counterIds[2]!)
    .where('ended_at', 'is', null)
    .executeTakeFirst()
  if (open === undefined) await seedAssignment(app.db, at.counterIds[2]!, at.officers[2]!.id)
}

// Data on both sides, so that lists have something to leak.
for (const at of [a, b]) {
  await seedAssignment(app.db, at.counterIds[1]!, at.officers[1]!.id)
  await seedCase(at)
  await seedApiToken(at.centreId)
  await seedRule(at)
  await seedAlert(at)
  await openShift(at)
}

/** Every id of B's subtree: none may appear in any answer to a caller of commune A. */
async function outsideIds (): Promise<string[]> {
  const units = [b.communeId, b.centreId]
  const ids = new Set<string>(units)
  for (const table of [
    'counters',
    'officers',
    'terminals',
    'api_tokens',
    'assignments',
    'ratings',
    'cases',
    'alert_rules',
    'alerts'
  ] as const) {
    for (const row of await app.db
      .selectFrom(table as 'counters')
      .select('id')
      .where('unit_id', 'in', units)
      .execute()) { ids.add(row.id) }
  }
  for (const row of await app.db.selectFrom('users').select('id').where('unit_id', 'in', units).execute()) ids.add(row.id)
  return [...ids]
}

/** A request as the matrix sends it; the caller's credentials are added. */
type Target = Pick<InjectOptions, 'method' | 'url' | 'payload'>
type Build = (place: Place, caller: Caller) => Target | Promise<Target>
interface Entry {
  /**
   * public: anyone; user: a session with one of `roles`; stats: a session or an API token; terminal: a terminal token;
   * queue: a queue integration token only.
   */
  access: 'public' | 'user' | 'stats' | 'terminal' | 'queue'
  roles?: Role[]
  /** The answer when allowed; a target outside answers 404 unless `outside` says otherwise. */
  ok: number
  request: Build
  /** 'same': the resource is not scoped (catalogue, own session): only the inside request is sent. 'list': the outside request is the same list, which must hold nothing of B. */
  outside?: 'same' | 'list' | Partial<Record<Caller, number>>
  /** A write inside the subtree that points at something outside (move, reassign): 404, nothing changed. */
  cross?: Build
  /** Use a fresh session per call (logout ends it). */
  freshSession?: boolean
}

const managers: Role[] = ['admin', 'supervisor']
const readers: Role[] = ['admin', 'supervisor', 'analyst']
const everyone: Role[] = roles
const inUnit = (place: Place): string => centre[place].centreId
const query =
  (url: string) =>
    (place: Place): Target => ({ method: 'GET', url: `${url}?unitId=${inUnit(place)}` })
const stats = (path: string): Entry => ({
  access: 'stats',
  roles: everyone,
  ok: 200,
  request: (place) => ({ method: 'GET', url: `${path}?unitId=${inUnit(place)}&from=2026-11-01&to=2026-11-30` })
})

const matrix: Record<string, Entry> = {
  'GET /healthz': { access: 'public', ok: 200, request: () => ({ method: 'GET', url: '/healthz' }), outside: 'same' },
  'GET /readyz': { access: 'public', ok: 200, request: () => ({ method: 'GET', url: '/readyz' }), outside: 'same' },
  'GET /metrics': { access: 'public', ok: 200, request: () => ({ method: 'GET', url: '/metrics' }), outside: 'same' },
  'POST /api/v1/auth/login': {
    access: 'public',
    ok: 401,
    request: () => ({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: `nobody${unique()}`, password: 'not the password' }
    }),
    outside: 'same'
  },
  'POST /api/v1/terminals/pair': {
    access: 'public',
    ok: 400,
    request: () => ({ method: 'POST', url: '/api/v1/terminals/pair', payload: { pairingCode: '00000000' } }),
    outside: 'same'
  },
  'POST /api/v1/auth/logout': {
    access: 'user',
    roles: everyone,
    ok: 204,
    request: () => ({ method: 'POST', url: '/api/v1/auth/logout' }),
    outside: 'same',
    freshSession: true
  },
  'GET /api/v1/auth/me': {
    access: 'user',
    roles: everyone,
    ok: 200,
    request: () => ({ method: 'GET', url: '/api/v1/auth/me' }),
    outside: 'same'
  },
  'GET /api/v1/scale': {
    access: 'user',
    roles: everyone,
    ok: 200,
    request: () => ({ method: 'GET', url: '/api/v1/scale' }),
    outside: 'same'
  },
  'GET /api/v1/criteria': {
    access: 'user',
    roles: everyone,
    ok: 200,
    request: () => ({ method: 'GET', url: '/api/v1/criteria' }),
    outside: 'same'
  },
  // The scale and criteria are national: an admin of a subtree must not change them for everyone.
  'PUT /api/v1/scale': {
    access: 'user',
    roles: [],
    ok: 200,
    request: () => ({
      method: 'PUT',
      url: '/api/v1/scale',
      payload: {
        levels: [
          { level: 2, category: 'satisfied', weight: 100, labelVi: 'Hài lòng', labelEn: 'Satisfied' },
          { level: 1, category: 'unsatisfied', weight: 0, labelVi: 'Không', labelEn: 'No' }
        ]
      }
    }),
    outside: 'same'
  },
  'PUT /api/v1/criteria': {
    access: 'user',
    roles: [],
    ok: 200,
    request: () => ({
      method: 'PUT',
      url: '/api/v1/criteria',
      payload: { criteria: [{ code: 'xin_chao', group: 'xin', labelVi: 'Xin chào', labelEn: 'Greeted' }] }
    }),
    outside: 'same'
  },

  'GET /api/v1/units/': {
    access: 'user',
    roles: readers,
    ok: 200,
    request: (place) => ({ method: 'GET', url: `/api/v1/units?parentId=${centre[place].communeId}` })
  },
  'POST /api/v1/units/': {
    access: 'user',
    roles: managers,
    ok: 201,
    request: (place) => ({
      method: 'POST',
      url: '/api/v1/units',
      payload: { parentId: inUnit(place), kind: 'other', code: `M${unique()}`, name: 'Điểm tiếp nhận' }
    })
  },
  'GET /api/v1/units/{id}': {
    access: 'user',
    roles: readers,
    ok: 200,
    request: (place) => ({ method: 'GET', url: `/api/v1/units/${inUnit(place)}` })
  },
  'PATCH /api/v1/units/{id}': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: (place) => ({ method: 'PATCH', url: `/api/v1/units/${inUnit(place)}`, payload: { name: `Trung tâm ${unique()}` } }),
    cross: () => ({ method: 'PATCH', url: `/api/v1/units/${a.centreId}`, payload: { parentId: b.communeId } })
  },
  'GET /api/v1/units/{id}/follow-up': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: (place) => ({ method: 'GET', url: `/api/v1/units/${inUnit(place)}/follow-up` })
  },
  'PUT /api/v1/units/{id}/follow-up': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: (place) => ({
      method: 'PUT',
      url: `/api/v1/units/${inUnit(place)}/follow-up`,
      payload: {
        settings: {
          reasons: [{ code: `r${unique()}`, labelVi: 'Chờ lâu', labelEn: 'Long wait' }],
          askNeutral: false,
          callBack: true,
          phoneRetentionDays: 30
        }
      }
    })
  },
  'GET /api/v1/counters/': { access: 'user', roles: readers, ok: 200, request: query('/api/v1/counters') },
  'POST /api/v1/counters/': {
    access: 'user',
    roles: managers,
    ok: 201,
    request: (place) => ({
      method: 'POST',
      url: '/api/v1/counters',
      payload: { unitId: inUnit(place), number: 100 + unique(), name: 'Quầy mới' }
    })
  },
  'GET /api/v1/counters/{id}': {
    access: 'user',
    roles: readers,
    ok: 200,
    request: (place) => ({ method: 'GET', url: `/api/v1/counters/${centre[place].counterIds[1]}` })
  },
  'PATCH /api/v1/counters/{id}': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: (place) => ({ method: 'PATCH', url: `/api/v1/counters/${centre[place].counterIds[1]}`, payload: { name: `Quầy ${unique()}` } })
  },
  'PUT /api/v1/counters/{id}/assignment': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: (place) => ({
      method: 'PUT',
      url: `/api/v1/counters/${centre[place].counterIds[1]}/assignment`,
      payload: { officerId: centre[place].officers[1]!.id }
    }),
    cross: () => ({ method: 'PUT', url: `/api/v1/counters/${a.counterIds[1]}/assignment`, payload: { officerId: b.officers[1]!.id } })
  },
  'DELETE /api/v1/counters/{id}/assignment': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: async (place) => {
      await openShift(centre[place])
      return { method: 'DELETE', url: `/api/v1/counters/${centre[place].counterIds[2]}/assignment` }
    }
  },
  'GET /api/v1/officers/': { access: 'user', roles: everyone, ok: 200, request: query('/api/v1/officers') },
  'POST /api/v1/officers/': {
    access: 'user',
    roles: managers,
    ok: 201,
    request: (place) => ({
      method: 'POST',
      url: '/api/v1/officers',
      payload: { unitId: inUnit(place), staffCode: `MX${unique()}`, fullName: 'Đặng Thùy Trâm', pin: '2468' }
    })
  },
  'GET /api/v1/officers/{id}': {
    access: 'user',
    roles: everyone,
    ok: 200,
    request: (place) => ({ method: 'GET', url: `/api/v1/officers/${centre[place].officers[0]!.id}` })
  },
  'PATCH /api/v1/officers/{id}': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: (place) => ({
      method: 'PATCH',
      url: `/api/v1/officers/${centre[place].officers[2]!.id}`,
      payload: { title: `Chuyên viên ${unique()}` }
    }),
    cross: () => ({ method: 'PATCH', url: `/api/v1/officers/${a.officers[2]!.id}`, payload: { unitId: b.centreId } })
  },
  'GET /api/v1/officers/{id}/assignments': {
    access: 'user',
    roles: everyone,
    ok: 200,
    request: (place) => ({ method: 'GET', url: `/api/v1/officers/${centre[place].officers[0]!.id}/assignments` })
  },
  'GET /api/v1/users/': { access: 'user', roles: managers, ok: 200, request: query('/api/v1/users') },
  'POST /api/v1/users/': {
    access: 'user',
    roles: managers,
    ok: 201,
    request: (place) => ({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username: `matrix${unique()}`, password: 'mat-khau-dai', role: 'analyst', unitId: inUnit(place) }
    })
  },
  'GET /api/v1/users/{id}': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: (place) => ({ method: 'GET', url: `/api/v1/users/${analystAt[place]}` })
  },
  'PATCH /api/v1/users/{id}': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: (place) => ({ method: 'PATCH', url: `/api/v1/users/${analystAt[place]}`, payload: { displayName: `Phân tích ${unique()}` } }),
    cross: () => ({ method: 'PATCH', url: `/api/v1/users/${analystAt.inside}`, payload: { unitId: b.centreId } })
  },
  'GET /api/v1/api-tokens/': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: () => ({ method: 'GET', url: '/api/v1/api-tokens?includeRevoked=true' }),
    outside: 'list'
  },
  'POST /api/v1/api-tokens/': {
    access: 'user',
    roles: managers,
    ok: 201,
    request: (place) => ({ method: 'POST', url: '/api/v1/api-tokens', payload: { name: 'Cổng dữ liệu', unitId: inUnit(place) } })
  },
  'DELETE /api/v1/api-tokens/{id}': {
    access: 'user',
    roles: managers,
    ok: 204,
    request: async (place) => ({ method: 'DELETE', url: `/api/v1/api-tokens/${await seedApiToken(inUnit(place))}` })
  },
  'GET /api/v1/cases/': { access: 'user', roles: everyone, ok: 200, request: query('/api/v1/cases') },
  'GET /api/v1/cases/{id}': {
    access: 'user',
    roles: everyone,
    ok: 200,
    request: async (place) => ({ method: 'GET', url: `/api/v1/cases/${await seedCase(centre[place])}` })
  },
  'PATCH /api/v1/cases/{id}': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: async (place) => ({
      method: 'PATCH',
      url: `/api/v1/cases/${await seedCase(centre[place])}`,
      payload: { status: 'resolved', note: 'Đã xin lỗi công dân' }
    })
  },
  'GET /api/v1/cases/{id}/events': {
    access: 'user',
    roles: everyone,
    ok: 200,
    request: async (place) => ({ method: 'GET', url: `/api/v1/cases/${await seedCase(centre[place])}/events` })
  },
  'POST /api/v1/cases/{id}/events': {
    access: 'user',
    roles: managers,
    ok: 201,
    request: async (place) => ({
      method: 'POST',
      url: `/api/v1/cases/${await seedCase(centre[place])}/events`,
      payload: { kind: 'contacted', note: 'Đã gọi lại công dân' }
    })
  },
  'GET /api/v1/terminals/': { access: 'user', roles: managers, ok: 200, request: query('/api/v1/terminals') },
  'POST /api/v1/terminals/': {
    access: 'user',
    roles: managers,
    ok: 201,
    request: (place) => ({ method: 'POST', url: '/api/v1/terminals', payload: { counterId: centre[place].counterIds[2], kind: 'touch' } })
  },
  'POST /api/v1/terminals/{id}/revoke': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: async (place) => ({ method: 'POST', url: `/api/v1/terminals/${await seedTerminal(centre[place])}/revoke` })
  },
  'GET /api/v1/alert-rules': { access: 'user', roles: readers, ok: 200, request: query('/api/v1/alert-rules') },
  'POST /api/v1/alert-rules': {
    access: 'user',
    roles: managers,
    ok: 201,
    request: (place) => ({
      method: 'POST',
      url: '/api/v1/alert-rules',
      payload: { unitId: inUnit(place), kind: 'unsatisfied_streak', parameters: { count: 4 } }
    })
  },
  'PATCH /api/v1/alert-rules/{id}': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: async (place) => ({
      method: 'PATCH',
      url: `/api/v1/alert-rules/${await seedRule(centre[place])}`,
      payload: { enabled: false }
    })
  },
  'DELETE /api/v1/alert-rules/{id}': {
    access: 'user',
    roles: managers,
    ok: 204,
    request: async (place) => ({ method: 'DELETE', url: `/api/v1/alert-rules/${await seedRule(centre[place])}` })
  },
  'GET /api/v1/alerts': { access: 'user', roles: readers, ok: 200, request: query('/api/v1/alerts') },
  'POST /api/v1/alerts/{id}/acknowledge': {
    access: 'user',
    roles: managers,
    ok: 200,
    request: async (place) => ({
      method: 'POST',
      url: `/api/v1/alerts/${await seedAlert(centre[place])}/acknowledge`,
      payload: { note: 'Đã xem' }
    })
  },
  // An officer's ratings list is always only its own: a unit filter outside leaves it empty (200) rather than 404.
  'GET /api/v1/ratings/': { access: 'user', roles: everyone, ok: 200, request: query('/api/v1/ratings'), outside: { officer: 200 } },

  'GET /api/v1/stats/summary': stats('/api/v1/stats/summary'),
  'GET /api/v1/stats/officers': stats('/api/v1/stats/officers'),
  'GET /api/v1/stats/counters': stats('/api/v1/stats/counters'),
  'GET /api/v1/stats/units': stats('/api/v1/stats/units'),
  'GET /api/v1/stats/cases': stats('/api/v1/stats/cases'),
  'GET /api/v1/stats/timeseries': stats('/api/v1/stats/timeseries'),
  'GET /api/v1/stats/heatmap': stats('/api/v1/stats/heatmap'),
  'GET /api/v1/stats/channels': stats('/api/v1/stats/channels'),
  // The share of visits rated is per counter, not one officer's figures: officer users get 403.
  'GET /api/v1/stats/visits': { ...stats('/api/v1/stats/visits'), roles: readers },
  'GET /api/v1/reports/monthly': stats('/api/v1/reports/monthly'),

  // The device routes act on the terminal's own counter: there is no id to point elsewhere.
  'GET /api/v1/terminal/state': {
    access: 'terminal',
    ok: 200,
    request: () => ({ method: 'GET', url: '/api/v1/terminal/state' }),
    outside: 'same'
  },
  'PUT /api/v1/terminal/officer': {
    access: 'terminal',
    ok: 200,
    request: () => ({
      method: 'PUT',
      url: '/api/v1/terminal/officer',
      payload: { staffCode: a.officers[0]!.staffCode, pin: a.officers[0]!.pin }
    }),
    outside: 'same'
  },
  'DELETE /api/v1/terminal/officer': {
    access: 'terminal',
    ok: 204,
    request: () => ({ method: 'DELETE', url: '/api/v1/terminal/officer' }),
    outside: 'same'
  },
  'POST /api/v1/terminal/ratings': {
    access: 'terminal',
    ok: 200,
    request: () => ({
      method: 'POST',
      url: '/api/v1/terminal/ratings',
      payload: { ratings: [{ id: randomUUID(), level: 4, ratedAt: new Date(Date.now() - 60_000).toISOString() }] }
    }),
    outside: 'same'
  },
  // Only the queue integration token, and only for a counter of its subtree.
  'POST /api/v1/queue/calls': {
    access: 'queue',
    ok: 201,
    request: (place) => ({
      method: 'POST',
      url: '/api/v1/queue/calls',
      payload: { counterId: centre[place].counterIds[0], ticket: `Q${unique()}`, calledAt: new Date(Date.now() - 60_000).toISOString() }
    })
  },
  // Always for the terminal's own counter (the body names none).
  'POST /api/v1/terminal/receipt-codes': {
    access: 'terminal',
    ok: 201,
    request: () => ({ method: 'POST', url: '/api/v1/terminal/receipt-codes', payload: { ticket: 'A-1' } }),
    outside: 'same'
  },
  // The phone's routes need no login: the code is the key, and the answer holds no id.
  'GET /api/v1/receipts/{code}': {
    access: 'public',
    ok: 200,
    request: async () => ({ method: 'GET', url: `/api/v1/receipts/${await receiptCode()}` }),
    outside: 'same'
  },
  'POST /api/v1/receipts/{code}/rating': {
    access: 'public',
    ok: 201,
    request: async () => ({ method: 'POST', url: `/api/v1/receipts/${await receiptCode()}/rating`, payload: { level: 4 } }),
    outside: 'same'
  }
}

/** A fresh receipt code issued by centre A's terminal. */
async function receiptCode (): Promise<string> {
  const issued = await app.inject({
    method: 'POST', url: '/api/v1/terminal/receipt-codes', headers: { authorization: `Bearer ${a.terminal.token}` }, payload: {}
  })
  return issued.json().code
}

const { operations } = operationsOf(app)

t.test('every endpoint of the OpenAPI document is classified in the matrix', async (t) => {
  t.ok(operations.length >= 50, `${operations.length} operations`)
  t.same(
    operations.map((operation) => operation.key).filter((key) => matrix[key] === undefined),
    [],
    'an endpoint missing here must be added to the matrix'
  )
  t.same(
    Object.keys(matrix).filter((key) => !operations.some((operation) => operation.key === key)),
    [],
    'no entry names an endpoint that no longer exists'
  )
})

t.test('role × inside/outside × API token × terminal token × no credentials, on every endpoint', async (t) => {
  const fingerprint = await fingerprinter(app.db)

  async function send (target: Target, caller: Caller, freshSession: boolean): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = {}
    if (roles.includes(caller as Role)) { headers.cookie = `hl_session=${freshSession ? await signIn(users[caller as Role]) : sessions[caller as Role]}` } else if (caller === 'apiToken') headers.authorization = `Bearer ${apiToken}`
    else if (caller === 'terminal') headers.authorization = `Bearer ${a.terminal.token}`
    else if (caller === 'queueToken') headers.authorization = `Bearer ${queueToken}`
    return app.inject({ ...target, headers, remoteAddress: `10.10.${(++address >> 8) & 255}.${address & 255}` } as InjectOptions)
  }

  /** What the caller should get: 401 for the wrong kind of credential, 403 for a role not allowed, 404 outside. */
  function expected (entry: Entry, caller: Caller, place: Place | 'cross' | 'unfiltered'): number {
    if (entry.access === 'public') return entry.ok
    const allowed =
      entry.access === 'terminal'
        ? caller === 'terminal'
        : entry.access === 'queue'
          ? caller === 'queueToken'
          : roles.includes(caller as Role) || (entry.access === 'stats' && caller === 'apiToken')
    if (!allowed) return entry.access === 'terminal' || entry.access === 'queue' || !roles.includes(caller as Role) ? 401 : 403
    if (roles.includes(caller as Role) && !(entry.roles ?? []).includes(caller as Role)) return 403
    if (place === 'inside' || place === 'unfiltered') return entry.ok
    if (typeof entry.outside === 'object' && entry.outside[caller] !== undefined && place === 'outside') return entry.outside[caller]!
    return entry.outside === 'list' ? entry.ok : 404
  }

  let sent = 0
  let leaks = 0
  for (const operation of operations) {
    const entry = matrix[operation.key]
    if (entry === undefined) continue
    const got: Record<string, number> = {}
    const want: Record<string, number> = {}
    const problems: string[] = []
    const forbiddenIds = await outsideIds()
    for (const caller of callers) {
      const places: Array<Place | 'cross' | 'unfiltered'> = entry.outside === 'same' ? ['inside'] : ['inside', 'outside']
      if (entry.cross !== undefined) places.push('cross')
      // A list filtered by unit is also read without the filter: it must then hold the caller's scope and nothing of B.
      const filtered = (target: Target): boolean => /[?&]unitId=/.test(String(target.url))
      if (entry.outside !== 'same' && filtered(await entry.request('inside', caller))) places.push('unfiltered')
      for (const place of places) {
        const target =
          place === 'cross'
            ? await entry.cross!('inside', caller)
            : place === 'unfiltered'
              ? await Promise.resolve(entry.request('inside', caller)).then((inside: Target) => ({
                ...inside,
                url: String(inside.url)
                  .replace(/unitId=[^&]*&?/, '')
                  .replace(/[?&]$/, '')
              }))
              : await entry.request(place, caller)
        // Ratings seeded for a case are rolled up in the background: let that finish before the fingerprint.
        await app.rollups.drain()
        const before = await fingerprint.take()
        const response = await send(target, caller, entry.freshSession === true)
        sent++
        const status = response.statusCode
        got[`${caller} ${place}`] = status
        want[`${caller} ${place}`] = expected(entry, caller, place)
        // Whatever the answer, it never carries anything of commune B.
        const leaked = forbiddenIds.filter((id) => response.body.includes(id))
        if (leaked.length > 0) {
          leaks++
          problems.push(`${caller} ${place}: the answer holds ${leaked.length} id(s) of commune B`)
        }
        if (status >= 400) {
          const after = await fingerprint.take()
          const changed = changedTables(before, after)
          if (changed.length > 0) problems.push(`${caller} ${place}: refused with ${status} but changed ${changed.join(', ')}`)
          if (typeof response.json().code !== 'string') problems.push(`${caller} ${place}: ${status} without a code`)
        } else {
          await app.rollups.drain()
        }
      }
    }
    t.same(got, want, `${operation.key}: caller and place → status`)
    t.same(problems, [], `${operation.key}: nothing of B read, nothing changed by a refusal`)
  }
  t.comment(`${sent} requests over ${operations.length} endpoints; ${leaks} leaks`)
  t.ok(sent > operations.length * callers.length, 'every endpoint was called by every kind of caller')
})
