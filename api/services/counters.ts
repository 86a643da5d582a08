// Counters and their shifts as staff change them: each change checked in scope, locked and audited in one transaction.
import type { Kysely } from 'kysely'
import type { AssignmentRow, Database } from '../../db/schema.ts'
import type { Counter, CounterCreateBody, CounterUpdateBody } from '../../contract/organisation.ts'
import { conflict, notFound } from '../errors.ts'
import {
  counterNumberTaken,
  endAssignment,
  findCounter,
  insertCounter,
  lockCounter,
  openAssignmentAtCounter,
  rowToAssignment,
  rowToCounter,
  updateCounter
} from '../repositories/counters.ts'
import { startShift, type ShiftStart } from '../repositories/shifts.ts'
import { findOfficer } from '../repositories/officers.ts'
import { unitWithinScope, type UserActor } from '../repositories/organisation.ts'
import { writeAudit } from '../repositories/audit.ts'

const counterNotFound = () => notFound('Counter', 'COUNTER_NOT_FOUND')
const numberTaken = (number: number) => conflict('COUNTER_NUMBER_TAKEN', `Counter number ${number} is already used in this unit`)

/** A counter in a unit of the actor's scope, its number free in that unit; answers it as the API shows it. */
export async function createCounter (db: Kysely<Database>, actor: UserActor, body: CounterCreateBody): Promise<Counter> {
  return db.transaction().execute(async (trx) => {
    if (!(await unitWithinScope(trx, actor, body.unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
    if (await counterNumberTaken(trx, body.unitId, body.number)) throw numberTaken(body.number)
    const id = await insertCounter(trx, { unitId: body.unitId, number: body.number, name: body.name, active: body.active ?? true })
    const counter = rowToCounter((await findCounter(trx, id))!)
    await writeAudit(trx, actor, { action: 'create', entity: 'counter', entityId: id, unitId: body.unitId, after: counter })
    return counter
  })
}

/** Renumbers, renames or (de)activates a counter in scope; deactivating it ends its open shift. */
export async function changeCounter (db: Kysely<Database>, actor: UserActor, id: string, body: CounterUpdateBody): Promise<Counter> {
  return db.transaction().execute(async (trx) => {
    const locked = await lockCounter(trx, id)
    if (locked === undefined || !(await unitWithinScope(trx, actor, locked.unit_id))) throw counterNotFound()
    const before = rowToCounter((await findCounter(trx, locked.id))!)
    if (body.number !== undefined && (await counterNumberTaken(trx, locked.unit_id, body.number, locked.id))) {
      throw numberTaken(body.number)
    }
    await updateCounter(trx, locked.id, body)
    // A closed counter credits nobody: its shift ends with it.
    const shift = body.active === false ? await openAssignmentAtCounter(trx, locked.id) : undefined
    if (shift !== undefined) await endAssignment(trx, shift.id)
    const after = rowToCounter((await findCounter(trx, locked.id))!)
    await writeAudit(trx, actor, { action: 'update', entity: 'counter', entityId: locked.id, unitId: locked.unit_id, before, after })
    return after
  })
}

/**
 * Starts the officer's shift at this counter, ending the officer's shift elsewhere and the counter's previous one;
 * audited only when something changed. Answers the change, with the counters whose terminals need fresh state.
 */
export async function startShiftAt (db: Kysely<Database>, actor: UserActor, counterId: string, officerId: string): Promise<ShiftStart> {
  return db.transaction().execute(async (trx) => {
    const counter = await lockCounter(trx, counterId)
    if (counter === undefined || !(await unitWithinScope(trx, actor, counter.unit_id))) throw counterNotFound()
    const officer = await findOfficer(trx, officerId, { lock: true })
    if (officer === undefined || !(await unitWithinScope(trx, actor, officer.unit_id))) throw notFound('Officer', 'OFFICER_NOT_FOUND')
    if (!counter.active) throw conflict('COUNTER_INACTIVE', 'This counter is inactive; activate it first')
    if (!officer.active) throw conflict('OFFICER_INACTIVE', 'This officer is inactive; activate the officer first')
    const change = await startShift(trx, counter, officer.id)
    if (change.changedCounterIds.length > 0) {
      await writeAudit(trx, actor, {
        action: 'start_shift',
        entity: 'assignment',
        entityId: change.shift.id,
        unitId: counter.unit_id,
        before: { ended: change.ended.map(rowToAssignment) },
        after: rowToAssignment(change.shift)
      })
    }
    return change
  })
}

/** Ends the open shift at a counter in scope (404 ASSIGNMENT_NOT_FOUND when there is none); answers the ended shift. */
export async function endShiftAt (db: Kysely<Database>, actor: UserActor, counterId: string): Promise<AssignmentRow> {
  return db.transaction().execute(async (trx) => {
    const counter = await lockCounter(trx, counterId)
    if (counter === undefined || !(await unitWithinScope(trx, actor, counter.unit_id))) throw counterNotFound()
    const shift = await openAssignmentAtCounter(trx, counter.id)
    if (shift === undefined) throw notFound('Open shift at this counter', 'ASSIGNMENT_NOT_FOUND')
    const row = await endAssignment(trx, shift.id)
    await writeAudit(trx, actor, {
      action: 'end_shift',
      entity: 'assignment',
      entityId: row.id,
      unitId: counter.unit_id,
      before: rowToAssignment(shift),
      after: rowToAssignment(row)
    })
    return row
  })
}
