// Counters and the shifts (assignments) at them; rows become API objects here.
import type { AssignmentRow, Db } from '../../db/schema.ts'
import type { Assignment, Counter } from '../../contract/organisation.ts'
import { subtreeOf } from './organisation.ts'

interface CounterWithOfficerRow {
  id: string
  unit_id: string
  number: number
  name: string
  active: boolean
  officer_id: string | null
  officer_staff_code: string | null
  officer_full_name: string | null
  officer_since: Date | null
}

export function rowToCounter (row: CounterWithOfficerRow): Counter {
  return {
    id: row.id,
    unitId: row.unit_id,
    number: row.number,
    name: row.name,
    active: row.active,
    officer:
      row.officer_id === null
        ? null
        : {
            id: row.officer_id,
            staffCode: row.officer_staff_code!,
            fullName: row.officer_full_name!,
            since: row.officer_since!.toISOString()
          }
  }
}

export function rowToAssignment (row: AssignmentRow): Assignment {
  return {
    id: row.id,
    unitId: row.unit_id,
    counterId: row.counter_id,
    officerId: row.officer_id,
    startedAt: row.started_at.toISOString(),
    endedAt: row.ended_at === null ? null : row.ended_at.toISOString()
  }
}

/** Counters with the officer of their open shift, if any. */
function countersWithOfficer (db: Db) {
  return db
    .selectFrom('counters')
    .leftJoin('assignments', (join) => join.onRef('assignments.counter_id', '=', 'counters.id').on('assignments.ended_at', 'is', null))
    .leftJoin('officers', 'officers.id', 'assignments.officer_id')
    .select([
      'counters.id',
      'counters.unit_id',
      'counters.number',
      'counters.name',
      'counters.active',
      'officers.id as officer_id',
      'officers.staff_code as officer_staff_code',
      'officers.full_name as officer_full_name',
      'assignments.started_at as officer_since'
    ])
}

export async function listCounters (
  db: Db,
  scopeRoot: string | null,
  filter: { unitId?: string; active?: boolean }
): Promise<CounterWithOfficerRow[]> {
  let query = countersWithOfficer(db)
  if (scopeRoot !== null) query = query.where('counters.unit_id', 'in', subtreeOf(scopeRoot))
  if (filter.unitId !== undefined) query = query.where('counters.unit_id', 'in', subtreeOf(filter.unitId))
  if (filter.active !== undefined) query = query.where('counters.active', '=', filter.active)
  return query.orderBy('counters.unit_id').orderBy('counters.number').execute()
}

export async function findCounter (db: Db, id: string): Promise<CounterWithOfficerRow | undefined> {
  return countersWithOfficer(db).where('counters.id', '=', id).executeTakeFirst()
}

interface CounterPlaceRow {
  id: string
  unit_id: string
  number: number
  active: boolean
}

/** The counter's own columns, without its officer: where it is, its number, whether it is active. */
export async function findCounterPlace (db: Db, id: string): Promise<CounterPlaceRow | undefined> {
  return db.selectFrom('counters').select(['id', 'unit_id', 'number', 'active']).where('id', '=', id).executeTakeFirst()
}

/** Locks the counter row for the rest of the transaction (shift changes at one counter queue up). */
export async function lockCounter (db: Db, id: string): Promise<{ id: string; unit_id: string; active: boolean } | undefined> {
  return db.selectFrom('counters').select(['id', 'unit_id', 'active']).where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function counterNumberTaken (db: Db, unitId: string, number: number, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('counters').select('id').where('unit_id', '=', unitId).where('number', '=', number)
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId)
  return (await query.executeTakeFirst()) !== undefined
}

export async function insertCounter (db: Db, counter: { unitId: string; number: number; name: string; active: boolean }): Promise<string> {
  const row = await db
    .insertInto('counters')
    .values({ unit_id: counter.unitId, number: counter.number, name: counter.name, active: counter.active })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function updateCounter (db: Db, id: string, change: { number?: number; name?: string; active?: boolean }): Promise<void> {
  await db
    .updateTable('counters')
    .set({
      ...(change.number !== undefined ? { number: change.number } : {}),
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.active !== undefined ? { active: change.active } : {})
    })
    .where('id', '=', id)
    .execute()
}

export async function openAssignmentAtCounter (db: Db, counterId: string): Promise<AssignmentRow | undefined> {
  return db.selectFrom('assignments').selectAll().where('counter_id', '=', counterId).where('ended_at', 'is', null).executeTakeFirst()
}

export async function openAssignmentOfOfficer (db: Db, officerId: string): Promise<AssignmentRow | undefined> {
  return db.selectFrom('assignments').selectAll().where('officer_id', '=', officerId).where('ended_at', 'is', null).executeTakeFirst()
}

/** Ends a shift now (never before it started). */
export async function endAssignment (db: Db, id: string): Promise<AssignmentRow> {
  return db
    .updateTable('assignments')
    .set((eb) => ({ ended_at: eb.fn('greatest', [eb.fn('now'), eb.ref('started_at')]) }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function startAssignment (db: Db, shift: { unitId: string; counterId: string; officerId: string }): Promise<AssignmentRow> {
  return db
    .insertInto('assignments')
    .values({ unit_id: shift.unitId, counter_id: shift.counterId, officer_id: shift.officerId, ended_at: null })
    .returningAll()
    .executeTakeFirstOrThrow()
}
