// Shifts: starting one at a counter ends the officer's shift elsewhere and the counter's previous one.
// Used by the admin route (PUT /counters/:id/assignment) and by officer sign-in at a terminal; an officer's shift history.
import type { Transaction } from 'kysely'
import type { AssignmentRow, Database, Db } from '../../db/schema.ts'
import type { Shift } from '../../contract/ratings.ts'
import { subtreeOf } from './organisation.ts'
import { endAssignment, lockCounter, openAssignmentAtCounter, openAssignmentOfOfficer, startAssignment } from './counters.ts'

export interface ShiftStart {
  shift: AssignmentRow
  /** The shifts this one ended (at this counter, and the officer's elsewhere). */
  ended: AssignmentRow[]
  /** Counters whose officer changed (their terminals need fresh state); empty when nothing changed. */
  changedCounterIds: string[]
}

/**
 * Must run inside a transaction, with the counter locked (`lockCounter`): the ends and the start are one change.
 * Starting the shift of the officer already serving here changes nothing.
 */
export async function startShift (
  trx: Transaction<Database>,
  counter: { id: string; unit_id: string },
  officerId: string
): Promise<ShiftStart> {
  const atCounter = await openAssignmentAtCounter(trx, counter.id)
  if (atCounter?.officer_id === officerId) return { shift: atCounter, ended: [], changedCounterIds: [] }
  const elsewhere = await openAssignmentOfOfficer(trx, officerId)
  const ended: AssignmentRow[] = []
  for (const open of [atCounter, elsewhere]) if (open !== undefined) ended.push(await endAssignment(trx, open.id))
  const shift = await startAssignment(trx, { unitId: counter.unit_id, counterId: counter.id, officerId })
  return { shift, ended, changedCounterIds: [...new Set([counter.id, ...ended.map((row) => row.counter_id)])] }
}

/** Locks the counter and ends its open shift; answers the ended shift, or undefined when there was none. */
export async function endShift (trx: Transaction<Database>, counterId: string): Promise<AssignmentRow | undefined> {
  if ((await lockCounter(trx, counterId)) === undefined) return undefined
  const open = await openAssignmentAtCounter(trx, counterId)
  return open === undefined ? undefined : endAssignment(trx, open.id)
}

/** The officer's shifts, newest first, with the counter's number and name; only those in `scopeRoot`'s subtree (null: all). */
export async function listShiftsOfOfficer (db: Db, officerId: string, scopeRoot: string | null, limit: number): Promise<Shift[]> {
  let query = db
    .selectFrom('assignments')
    .innerJoin('counters', 'counters.id', 'assignments.counter_id')
    .select([
      'assignments.id',
      'assignments.unit_id',
      'assignments.counter_id',
      'counters.number',
      'counters.name',
      'assignments.officer_id',
      'assignments.started_at',
      'assignments.ended_at'
    ])
    .where('assignments.officer_id', '=', officerId)
  if (scopeRoot !== null) query = query.where('assignments.unit_id', 'in', subtreeOf(scopeRoot))
  const rows = await query.orderBy('assignments.started_at', 'desc').orderBy('assignments.id', 'desc').limit(limit).execute()
  return rows.map((row) => ({
    id: row.id,
    unitId: row.unit_id,
    counterId: row.counter_id,
    counterNumber: row.number,
    counterName: row.name,
    officerId: row.officer_id,
    startedAt: row.started_at.toISOString(),
    endedAt: row.ended_at === null ? null : row.ended_at.toISOString()
  }))
}
