// Seed data for tests: a small province tree with a centre, counters, officers, a paired terminal and users.
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database, Role, TerminalKind } from '../db/schema.ts'
import { hashSecret, hashToken, newToken } from '../api/lib/secrets.ts'
import type { IngestTerminal } from '../api/services/ingest.ts'

export interface SeededOfficer {
  id: string
  staffCode: string
  pin: string
  fullName: string
}
export interface SeededTerminal {
  id: string
  token: string
  counterId: string
  kind: TerminalKind
}

export interface SeededCentre {
  provinceId: string
  communeId: string
  centreId: string
  counterIds: string[]
  officers: SeededOfficer[]
  terminal: SeededTerminal
}

let sequence = 0

/** The centre's paired terminal as the ingest sees it (what the token check hands `RatingIngest.submit`). */
export function ingestTerminalOf (centre: SeededCentre): IngestTerminal {
  return { id: centre.terminal.id, unitId: centre.centreId, counterId: centre.terminal.counterId, kind: centre.terminal.kind }
}

/** A province → commune → centre, `counters` counters, `officers` officers (PIN 1234…), a paired terminal at counter 1. */
export async function seedCentre (
  db: Kysely<Database>,
  options: { counters?: number; officers?: number; terminalKind?: TerminalKind; parentId?: string } = {}
): Promise<SeededCentre> {
  const n = ++sequence
  const province =
    options.parentId === undefined
      ? await db
        .insertInto('units')
        .values({ kind: 'province', code: `T${n}`, name: `Tỉnh Thử Nghiệm ${n}` })
        .returning('id')
        .executeTakeFirstOrThrow()
      : { id: options.parentId }
  const commune = await db
    .insertInto('units')
    .values({ kind: 'commune', code: `X${n}`, name: `Xã Hòa Bình ${n}`, parent_id: province.id })
    .returning('id')
    .executeTakeFirstOrThrow()
  const centre = await db
    .insertInto('units')
    .values({ kind: 'centre', code: `TT${n}`, name: `Trung tâm Phục vụ hành chính công ${n}`, parent_id: commune.id })
    .returning('id')
    .executeTakeFirstOrThrow()
  // Counters made and the terminal paired two years ago, so ratings a test dates in the past are trusted
  // (a rating dated before its terminal's pairing is not: test/security/backdating.test.ts).
  const setUpAt = new Date(Date.now() - 730 * 86400_000)
  const counterIds: string[] = []
  for (let i = 1; i <= (options.counters ?? 2); i++) {
    const counter = await db
      .insertInto('counters')
      .values({ unit_id: centre.id, number: i, name: `Quầy ${i}`, created_at: setUpAt })
      .returning('id')
      .executeTakeFirstOrThrow()
    counterIds.push(counter.id)
  }
  const officers: SeededOfficer[] = []
  for (let i = 1; i <= (options.officers ?? 2); i++) {
    const staffCode = `CB${n}-${i}`
    const pin = String(1233 + i)
    const fullName = ['Nguyễn Thị Hồng', 'Trần Văn Đức', 'Lê Thị Mai', 'Phạm Quốc Bảo'][(i - 1) % 4]!
    const officer = await db
      .insertInto('officers')
      .values({
        unit_id: centre.id,
        staff_code: staffCode,
        full_name: fullName,
        title: 'Chuyên viên',
        pin_hash: await hashSecret(pin),
        photo_url: null,
        pin_locked_until: null
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    officers.push({ id: officer.id, staffCode, pin, fullName })
  }
  const token = newToken('hlt')
  const terminal = await db
    .insertInto('terminals')
    .values({
      unit_id: centre.id,
      counter_id: counterIds[0]!,
      kind: options.terminalKind ?? 'touch',
      name: 'Máy tính bảng quầy 1',
      token_hash: hashToken(token),
      pairing_code_hash: null,
      pairing_expires_at: null,
      paired_at: setUpAt,
      revoked_at: null,
      last_seen_at: null
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return {
    provinceId: province.id,
    communeId: commune.id,
    centreId: centre.id,
    counterIds,
    officers,
    terminal: { id: terminal.id, token, counterId: counterIds[0]!, kind: options.terminalKind ?? 'touch' }
  }
}

/** Opens a shift: `officer` serves at `counterId` from `startedAt`. */
export async function seedAssignment (
  db: Kysely<Database>,
  counterId: string,
  officerId: string,
  startedAt: Date | string = new Date(Date.now() - 3600_000)
): Promise<void> {
  const counter = await db.selectFrom('counters').select('unit_id').where('id', '=', counterId).executeTakeFirstOrThrow()
  await db
    .insertInto('assignments')
    .values({ unit_id: counter.unit_id, counter_id: counterId, officer_id: officerId, started_at: startedAt, ended_at: null })
    .execute()
}

/** A user with a known password; officer users need `officerId`. */
export async function seedUser (
  db: Kysely<Database>,
  role: Role,
  unitId: string | null,
  options: { officerId?: string; password?: string } = {}
): Promise<{ id: string; username: string; password: string }> {
  const username = `${role}${++sequence}`
  const password = options.password ?? 'correct horse battery'
  const user = await db
    .insertInto('users')
    .values({
      username,
      display_name: username,
      password_hash: await hashSecret(password),
      role,
      unit_id: unitId,
      officer_id: options.officerId ?? null
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { id: user.id, username, password }
}

let signInAddress = 0

/**
 * Signs a user in and answers the session cookie for `inject({ cookies })`. Each sign-in comes from its own
 * private address, so a test's many sign-ins stay under the per-IP login limit.
 */
export async function signIn (app: FastifyInstance, user: { username: string; password: string }): Promise<Record<string, string>> {
  signInAddress++
  const remoteAddress = `10.${200 + (Math.floor(signInAddress / 250) % 50)}.${signInAddress % 250}.1`
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress,
    payload: { username: user.username, password: user.password }
  })
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`)
  return { hl_session: login.cookies.find((cookie) => cookie.name === 'hl_session')!.value }
}

/** A batch of ratings posted as the terminal holding `token` posts it; the answer as the test gets it. */
export async function postRatings (app: FastifyInstance, token: string, ratings: unknown[]): Promise<LightMyRequestResponse> {
  const headers = { authorization: `Bearer ${token}` }
  return app.inject({ method: 'POST', url: '/api/v1/terminal/ratings', headers, payload: { ratings } })
}

/** One press on a terminal: its level, how long ago (default: now), and whatever else the rating carries (criteria, …). */
export type Press = { level: number; secondsAgo?: number } & Record<string, unknown>

/** Posts `presses` in one batch from the terminal holding `token` and answers their ids; throws unless each is created. */
export async function rateOnTerminal (app: FastifyInstance, token: string, presses: Press[]): Promise<string[]> {
  const ratings = presses.map(({ secondsAgo, ...rest }) => ({
    id: randomUUID(),
    ratedAt: new Date(Date.now() - (secondsAgo ?? 0) * 1000).toISOString(),
    ...rest
  }))
  const response = await postRatings(app, token, ratings)
  if (response.statusCode !== 200 || response.json().results.some((result: { status: string }) => result.status !== 'created')) {
    throw new Error(`the ratings were not all stored: ${response.body}`)
  }
  return ratings.map((rating) => rating.id)
}

/** What a seeded case looks like: its rating's time and level, who was at the counter, and how far the follow-up went. */
export interface SeededCaseOptions {
  /** When the citizen rated (and the rating counts). */
  ratedAt: string
  /** When the case opened; default: now, as the ingest opens it. */
  openedAt?: string
  counter?: number
  /** The officer credited (an index into the centre's officers); null: nobody signed in. */
  officer?: number | null
  level?: number
  /** Resolved at this time (with a note, by nobody in particular); default: open. */
  resolvedAt?: string
  /** Due at this time; default: from the unit's SLA (the database sets it). */
  dueAt?: string
  /** The reason the citizen chose on the terminal. */
  reason?: string
}

/** An unsatisfied rating and the case the ingest opens for it, written straight to the database. Answers the case's id. */
export async function seedCase (db: Kysely<Database>, centre: SeededCentre, options: SeededCaseOptions): Promise<string> {
  const ratingId = randomUUID()
  const counterId = centre.counterIds[options.counter ?? 0]!
  const officerId = options.officer === null ? null : centre.officers[options.officer ?? 0]!.id
  await db.insertInto('ratings').values({
    id: ratingId,
    unit_id: centre.centreId,
    counter_id: counterId,
    terminal_id: centre.terminal.id,
    officer_id: officerId,
    device_officer_id: null,
    level: options.level ?? 1,
    category: 'unsatisfied',
    weight: 0,
    rated_at: options.ratedAt,
    counted_at: options.ratedAt,
    source: 'touch',
    misuse_reason: null
  }).execute()
  const row = await db.insertInto('cases').values({
    unit_id: centre.centreId,
    rating_id: ratingId,
    counter_id: counterId,
    officer_id: officerId,
    ...(options.openedAt === undefined ? {} : { opened_at: options.openedAt }),
    ...(options.dueAt === undefined ? {} : { due_at: options.dueAt }),
    ...(options.reason === undefined ? {} : { reason: options.reason }),
    ...(options.resolvedAt === undefined
      ? { resolved_at: null, resolved_by: null, note: null }
      : { status: 'resolved' as const, resolved_at: options.resolvedAt, resolved_by: null, note: 'Đã xử lý.' })
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

/** A queue system's integration token for `unitId` (what Quản trị → Khóa API makes): its secret, for the Authorization header. */
export async function seedQueueToken (db: Kysely<Database>, unitId: string, name = 'Hệ thống xếp hàng'): Promise<string> {
  const token = newToken('hlq')
  await db.insertInto('api_tokens').values({
    name,
    unit_id: unitId,
    token_hash: hashToken(token),
    created_by: null,
    last_used_at: null,
    revoked_at: null,
    purpose: 'queue'
  }).execute()
  return token
}
