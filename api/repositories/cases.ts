// Follow-up cases with their rating, counter and officer; rows become API objects here.
import type { Role, Db } from '../../db/schema.ts'
import { sql } from 'kysely'
import type { Case, CaseEvent } from '../../contract/cases.ts'
import type { CaseEventKind } from '../../db/schema.ts'
import { subtreeOf } from './organisation.ts'
import { ancestorsOf } from '../../db/unit-tree.ts'
import type { FollowUpSettings } from '../../contract/follow-up.ts'
import { DEFAULT_PHONE_RETENTION_DAYS, maskPhone, reasonLabel } from '../lib/follow-up.ts'

interface CaseWithRatingRow {
  id: string
  unit_id: string
  rating_id: string
  counter_id: string
  counter_number: number
  officer_id: string | null
  officer_name: string | null
  status: 'open' | 'resolved'
  level: number
  category: string
  rated_at: Date
  counted_at: Date
  opened_at: Date
  resolved_at: Date | null
  resolved_by: string | null
  resolved_by_name: string | null
  assignee_id: string | null
  assignee_name: string | null
  due_at: Date
  note: string | null
  reason: string | null
  /** The unit's follow-up settings that hold, read only for a case with a reason (for its label). */
  follow_up: FollowUpSettings | null
  phone: string | null
  consent_version: string | null
  consent_at: Date | null
  phone_erased_at: Date | null
}

/**
 * How much of the call-back number a reader sees: `whole` (one case, to an admin or supervisor in scope), `masked` (their
 * lists), `none` (officers, analysts, live events, the audit log, exports).
 */
export type PhoneView = 'whole' | 'masked' | 'none'

/** The reason's labels: from the unit's settings, else the defaults; a code found in neither is shown as it is. */
function reasonOf (code: string | null, settings: FollowUpSettings | null): Case['reason'] {
  return code === null ? null : reasonLabel(code, settings)
}

export function rowToCase (row: CaseWithRatingRow, now = Date.now(), phoneView: PhoneView = 'none'): Case {
  const until = row.resolved_at?.getTime() ?? now
  return {
    id: row.id,
    unitId: row.unit_id,
    ratingId: row.rating_id,
    counterId: row.counter_id,
    counterNumber: row.counter_number,
    officerId: row.officer_id,
    officerName: row.officer_name,
    status: row.status,
    level: row.level,
    category: row.category,
    ratedAt: row.rated_at.toISOString(),
    openedAt: row.opened_at.toISOString(),
    resolvedAt: row.resolved_at === null ? null : row.resolved_at.toISOString(),
    resolvedBy: row.resolved_by,
    resolvedByName: row.resolved_by_name,
    assigneeId: row.assignee_id,
    assigneeName: row.assignee_name,
    dueAt: row.due_at.toISOString(),
    overdue: row.status === 'open' && row.due_at.getTime() < now,
    note: row.note,
    reason: reasonOf(row.reason, row.follow_up),
    callBack: row.phone !== null || row.phone_erased_at !== null,
    phone: row.phone === null || phoneView === 'none' ? null : phoneView === 'masked' ? maskPhone(row.phone) : row.phone,
    consentVersion: row.consent_version,
    consentAt: row.consent_at?.toISOString() ?? null,
    phoneErasedAt: row.phone_erased_at?.toISOString() ?? null,
    ageSeconds: Math.max(0, Math.floor((until - row.counted_at.getTime()) / 1000))
  }
}

function casesWithRating (db: Db) {
  return (
    db
      .selectFrom('cases')
      // By the whole key (unit_id, id): the primary key's index, and one shard on the Citus path (docs/scale.md).
      .innerJoin('ratings', (join) => join.onRef('ratings.unit_id', '=', 'cases.unit_id').onRef('ratings.id', '=', 'cases.rating_id'))
      .innerJoin('counters', 'counters.id', 'cases.counter_id')
      .leftJoin('officers', 'officers.id', 'cases.officer_id')
      .leftJoin('users as assignee', 'assignee.id', 'cases.assignee_id')
      .leftJoin('users as resolver', 'resolver.id', 'cases.resolved_by')
      .select([
        'cases.id',
        'cases.unit_id',
        'cases.rating_id',
        'cases.counter_id',
        'counters.number as counter_number',
        'cases.officer_id',
        'officers.full_name as officer_name',
        'cases.status',
        'ratings.level',
        'ratings.category',
        'ratings.rated_at',
        'ratings.counted_at',
        'cases.opened_at',
        'cases.resolved_at',
        'cases.resolved_by',
        'resolver.display_name as resolved_by_name',
        'cases.assignee_id',
        'assignee.display_name as assignee_name',
        'cases.due_at',
        'cases.note',
        'cases.reason',
        sql<FollowUpSettings | null>`case when cases.reason is null then null else unit_follow_up(cases.unit_id) end`.as('follow_up'),
        'cases.phone',
        'cases.consent_version',
        'cases.consent_at',
        'cases.phone_erased_at'
      ])
  )
}

export interface CaseFilter {
  status?: 'open' | 'resolved' | undefined
  unitId?: string | undefined
  counterId?: string | undefined
  officerId?: string | undefined
  assigneeId?: string | undefined
  /** true: open and past due; false: the others. */
  overdue?: boolean | undefined
  /** Which time from/until, the order and the cursor use. */
  by: 'rated' | 'resolved'
  order: 'oldest' | 'newest'
  from?: Date | undefined
  /** Exclusive. */
  until?: Date | undefined
  /** The last item of the previous page: its time (by `by`) and id. */
  after?: { at: Date; id: string } | undefined
  limit: number
}

type Viewer = { role: Role; unitId: string | null; officerId: string | null }

function filtered (db: Db, viewer: Viewer, filter: CaseFilter, now: Date) {
  let query = casesWithRating(db)
  if (viewer.role === 'officer') query = query.where('cases.officer_id', '=', viewer.officerId ?? '00000000-0000-0000-0000-000000000000')
  else if (viewer.unitId !== null) query = query.where('cases.unit_id', 'in', subtreeOf(viewer.unitId))
  if (filter.by === 'resolved') query = query.where('cases.status', '=', 'resolved')
  if (filter.status !== undefined) query = query.where('cases.status', '=', filter.status)
  if (filter.unitId !== undefined) query = query.where('cases.unit_id', 'in', subtreeOf(filter.unitId))
  if (filter.counterId !== undefined) query = query.where('cases.counter_id', '=', filter.counterId)
  if (filter.officerId !== undefined) query = query.where('cases.officer_id', '=', filter.officerId)
  if (filter.assigneeId !== undefined) query = query.where('cases.assignee_id', '=', filter.assigneeId)
  if (filter.overdue === true) query = query.where('cases.status', '=', 'open').where('cases.due_at', '<', now)
  if (filter.overdue === false) query = query.where((eb) => eb.or([eb('cases.status', '=', 'resolved'), eb('cases.due_at', '>=', now)]))
  const time = filter.by === 'resolved' ? 'cases.resolved_at' : 'ratings.counted_at'
  if (filter.from !== undefined) query = query.where(time, '>=', filter.from)
  if (filter.until !== undefined) query = query.where(time, '<', filter.until)
  return { query, time } as const
}

/** One page of the cases in the viewer's scope (officer users: only their own), in the filter's order. */
export async function listCases (db: Db, viewer: Viewer, filter: CaseFilter, now = new Date()): Promise<CaseWithRatingRow[]> {
  let { query, time } = filtered(db, viewer, filter, now)
  const direction = filter.order === 'newest' ? 'desc' : 'asc'
  if (filter.after !== undefined) {
    const after = filter.after
    const past = filter.order === 'newest' ? '<' : '>'
    query = query.where((eb) => eb(eb.refTuple(time, 'cases.id'), past, eb.tuple(after.at, after.id)))
  }
  return query.orderBy(time, direction).orderBy('cases.id', direction).limit(filter.limit).execute()
}

/** How many cases the filter matches, in every page. */
export async function countCases (db: Db, viewer: Viewer, filter: CaseFilter, now = new Date()): Promise<number> {
  const { query } = filtered(db, viewer, filter, now)
  const row = await query.clearSelect().select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow()
  return Number(row.total)
}

/** The time a page's cursor carries for a row (by `by`). */
export function cursorTime (row: CaseWithRatingRow, by: 'rated' | 'resolved'): Date {
  return by === 'resolved' ? row.resolved_at! : row.counted_at
}

export async function findCase (db: Db, id: string): Promise<CaseWithRatingRow | undefined> {
  return casesWithRating(db).where('cases.id', '=', id).executeTakeFirst()
}

/** Locks the case row for the rest of the transaction, so it changes once at a time. */
export async function lockCase (
  db: Db,
  id: string
): Promise<{ id: string; unit_id: string; officer_id: string | null; status: 'open' | 'resolved' } | undefined> {
  return db.selectFrom('cases').select(['id', 'unit_id', 'officer_id', 'status']).where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function resolveCase (db: Db, id: string, resolution: { userId: string; note: string }): Promise<void> {
  await db
    .updateTable('cases')
    .set((eb) => ({ status: 'resolved', resolved_at: eb.fn('now'), resolved_by: resolution.userId, note: resolution.note }))
    .where('id', '=', id)
    .execute()
}

/** Opens a resolved case again: the resolution goes (the timeline keeps it) and the due time starts from now. */
export async function reopenCase (db: Db, id: string): Promise<void> {
  await db
    .updateTable('cases')
    .set({
      status: 'open',
      resolved_at: null,
      resolved_by: null,
      note: null,
      overdue_alerted_at: null,
      due_at: sql<Date>`case_due_at(now(), unit_case_sla_days(unit_id))`
    })
    .where('id', '=', id)
    .execute()
}

export async function assignCase (db: Db, id: string, assigneeId: string | null): Promise<void> {
  await db.updateTable('cases').set({ assignee_id: assigneeId }).where('id', '=', id).execute()
}

export async function insertCaseEvent (
  db: Db,
  event: { unitId: string; caseId: string; kind: CaseEventKind; actorId: string; assigneeId?: string | null; note?: string | null }
): Promise<void> {
  await db
    .insertInto('case_events')
    .values({
      unit_id: event.unitId,
      case_id: event.caseId,
      kind: event.kind,
      actor_id: event.actorId,
      assignee_id: event.assigneeId ?? null,
      note: event.note ?? null
    })
    .execute()
}

/** A case's history: its opening (the rating), then every event in order, with names. */
export async function caseTimeline (db: Db, caseRow: { id: string; unit_id: string; opened_at: Date }): Promise<CaseEvent[]> {
  const rows = await db
    .selectFrom('case_events as e')
    .leftJoin('users as actor', 'actor.id', 'e.actor_id')
    .leftJoin('users as assignee', 'assignee.id', 'e.assignee_id')
    .select([
      'e.kind', 'e.at', 'e.actor_id', 'actor.display_name as actor_name',
      'e.assignee_id', 'assignee.display_name as assignee_name', 'e.note'
    ])
    .where('e.unit_id', '=', caseRow.unit_id)
    .where('e.case_id', '=', caseRow.id)
    .orderBy('e.at')
    .orderBy('e.id')
    .execute()
  const opened: CaseEvent = {
    kind: 'opened', at: caseRow.opened_at.toISOString(), actorId: null, actorName: null, assigneeId: null, assigneeName: null, note: null
  }
  return [opened, ...rows.map((row) => ({
    kind: row.kind,
    at: row.at.toISOString(),
    actorId: row.actor_id,
    actorName: row.actor_name,
    assigneeId: row.assignee_id,
    assigneeName: row.assignee_name,
    note: row.note
  }))]
}

/** Whether a user may own a case of `unitId`: active, admin or supervisor, and the unit in their scope. */
export async function canOwnCase (db: Db, userId: string, unitId: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .where('active', '=', true)
    .where('role', 'in', ['admin', 'supervisor'])
    .where((eb) => eb.or([eb('unit_id', 'is', null), eb('unit_id', 'in', sql<string>`(select id from ${ancestorsOf(unitId)} as chain)`)]))
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Marks every open case past its due time that has not yet raised its alert, and inserts that alert, in one statement:
 * a row marked by one process is skipped by another (it waits on the row, then sees it marked), so each fires once.
 */
export async function raiseOverdueAlerts (db: Db): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with due as (
      update cases set overdue_alerted_at = now()
      where status = 'open' and overdue_alerted_at is null and due_at < now()
      returning id, unit_id, counter_id, due_at
    )
    insert into alerts (unit_id, rule_id, kind, counter_id, details)
    select unit_id, null, 'case_overdue', counter_id, jsonb_build_object(
      'parameters', '{}'::jsonb,
      'caseId', id,
      'dueAt', to_char(due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    from due
    returning id`.execute(db)
  return result.rows.map((row) => row.id)
}

/**
 * Erases the call-back number of every case resolved longer ago than its unit's retention (default 30 days), in one
 * statement: a row erased by one process is skipped by another (it waits on the row, then finds no number), so each
 * erasure happens once. Answers the erased cases' ids.
 */
export async function erasePhones (db: Db): Promise<string[]> {
  const result = await sql<{ id: string }>`
    update cases set phone = null, phone_erased_at = now()
    where phone is not null and status = 'resolved'
      and resolved_at + make_interval(days => coalesce((unit_follow_up(unit_id) ->> 'phoneRetentionDays')::int, ${sql.lit(
        DEFAULT_PHONE_RETENTION_DAYS
      )})) < now()
    returning id`.execute(db)
  return result.rows.map((row) => row.id)
}
