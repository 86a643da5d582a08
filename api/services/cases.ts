// The follow-up of a case as supervisors do it: each change locked, checked in scope, written to the timeline and
// audited in one transaction; and the pages of the case list, keyed by a cursor that stays put while cases arrive.
import type { Kysely } from 'kysely'
import type { Database, Db } from '../../db/schema.ts'
import type { Case, CaseChangeBody, CaseEventBody, CaseListQuery, CasePage } from '../../contract/cases.ts'
import { badRequest, conflict, notFound } from '../errors.ts'
import {
  assignCase, canOwnCase, countCases, cursorTime, findCase, insertCaseEvent, listCases, lockCase, reopenCase, resolveCase, rowToCase,
  type CaseFilter, type PhoneView
} from '../repositories/cases.ts'
import { unitWithinScope, type UserActor } from '../repositories/organisation.ts'
import { writeAudit } from '../repositories/audit.ts'

const caseNotFound = () => notFound('Case', 'CASE_NOT_FOUND')
const cursorInvalid = () => badRequest('INVALID_CURSOR', 'This cursor does not come from this list; start again without it')

/** The cursor of a page: the last item's time and id, opaque to clients. */
export function encodeCursor (at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url')
}

export function decodeCursor (cursor: string): { at: Date; id: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw cursorInvalid()
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') throw cursorInvalid()
  const at = new Date(parsed[0])
  if (Number.isNaN(at.getTime()) || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(parsed[1])) throw cursorInvalid()
  return { at, id: parsed[1] }
}

/** One page of the cases the actor may see, with the total over every page. */
export async function casePage (
  db: Kysely<Database>,
  actor: UserActor,
  query: CaseListQuery,
  range: { from: Date | undefined; until: Date | undefined }
): Promise<CasePage> {
  const filter: CaseFilter = {
    status: query.status,
    unitId: query.unitId,
    counterId: query.counterId,
    officerId: query.officerId,
    assigneeId: query.assigneeId,
    overdue: query.overdue,
    by: query.by ?? 'rated',
    order: query.order ?? 'oldest',
    from: range.from,
    until: range.until,
    after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
    limit: query.limit ?? 200
  }
  const now = new Date()
  const [rows, total] = await Promise.all([listCases(db, actor, filter, now), countCases(db, actor, { ...filter, after: undefined }, now)])
  const last = rows.at(-1)
  return {
    items: rows.map((row) => rowToCase(row, now.getTime(), listPhoneView(actor))),
    nextCursor: rows.length === filter.limit && last !== undefined ? encodeCursor(cursorTime(last, filter.by), last.id) : null,
    total
  }
}

/** Lists show admins and supervisors the call-back number masked; officers and analysts never see it. */
export function listPhoneView (actor: UserActor): PhoneView {
  return actor.role === 'admin' || actor.role === 'supervisor' ? 'masked' : 'none'
}

/** Whether the actor may see the case: officer users their own, others within their subtree. */
async function lockedInScope (db: Db, actor: UserActor, id: string) {
  const locked = await lockCase(db, id)
  if (locked === undefined || !(await unitWithinScope(db, actor, locked.unit_id))) throw caseNotFound()
  return locked
}

/**
 * Applies one change to a case in scope: resolve with a note (409 CASE_ALREADY_RESOLVED when it is), reopen a
 * resolved one (409 CASE_NOT_RESOLVED when it is open), or give it an owner (400 ASSIGNEE_INVALID when that user may
 * not own it). Each is written to the timeline and the audit log with the case before and after.
 */
export async function changeCase (db: Kysely<Database>, actor: UserActor, id: string, change: CaseChangeBody): Promise<Case> {
  return db.transaction().execute(async (trx) => {
    const locked = await lockedInScope(trx, actor, id)
    const event = { unitId: locked.unit_id, caseId: locked.id, actorId: actor.userId }
    const before = rowToCase((await findCase(trx, locked.id))!)
    let action: string
    if ('assigneeId' in change) {
      if (change.assigneeId !== null && !(await canOwnCase(trx, change.assigneeId, locked.unit_id))) {
        throw badRequest('ASSIGNEE_INVALID', 'A case is owned by an active admin or supervisor whose scope holds it')
      }
      await assignCase(trx, locked.id, change.assigneeId)
      await insertCaseEvent(trx, { ...event, kind: 'assigned', assigneeId: change.assigneeId })
      action = 'assign'
    } else if (change.status === 'resolved') {
      if (locked.status === 'resolved') throw conflict('CASE_ALREADY_RESOLVED', 'This case is already resolved')
      await resolveCase(trx, locked.id, { userId: actor.userId, note: change.note })
      await insertCaseEvent(trx, { ...event, kind: 'resolved', note: change.note })
      action = 'resolve'
    } else {
      if (locked.status === 'open') throw conflict('CASE_NOT_RESOLVED', 'This case is open: only a resolved case can be reopened')
      await reopenCase(trx, locked.id)
      await insertCaseEvent(trx, { ...event, kind: 'reopened', note: change.note ?? null })
      action = 'reopen'
    }
    const row = (await findCase(trx, locked.id))!
    // The audit log never holds the number; the answer shows it as the lists do.
    const after = rowToCase(row)
    await writeAudit(trx, actor, { action, entity: 'case', entityId: locked.id, unitId: locked.unit_id, before, after })
    return rowToCase(row, Date.now(), listPhoneView(actor))
  })
}

/** Adds a remark or a call-back to a case's timeline (open or resolved). */
export async function addCaseEvent (db: Kysely<Database>, actor: UserActor, id: string, event: CaseEventBody): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const locked = await lockedInScope(trx, actor, id)
    await insertCaseEvent(trx, { unitId: locked.unit_id, caseId: locked.id, kind: event.kind, actorId: actor.userId, note: event.note })
  })
}
