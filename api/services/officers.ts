// Officers as staff change them: PINs hashed before the transaction, each change checked in scope and audited in it.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'
import type { Officer, OfficerCreateBody, OfficerUpdateBody } from '../../contract/organisation.ts'
import { conflict, notFound } from '../errors.ts'
import { endAssignment, openAssignmentOfOfficer } from '../repositories/counters.ts'
import { findOfficer, insertOfficer, officerForAudit, rowToOfficer, staffCodeTaken, updateOfficer } from '../repositories/officers.ts'
import { unitWithinScope, type UserActor } from '../repositories/organisation.ts'
import { writeAudit } from '../repositories/audit.ts'
import { hashSecret } from '../lib/secrets.ts'

const officerNotFound = () => notFound('Officer', 'OFFICER_NOT_FOUND')
const codeTaken = (staffCode: string) => conflict('STAFF_CODE_TAKEN', `Staff code ${staffCode} is already used by another officer`)

/** An officer in a unit of the actor's scope, its staff code unique and its PIN stored hashed. */
export async function createOfficer (db: Kysely<Database>, actor: UserActor, body: OfficerCreateBody): Promise<Officer> {
  const pinHash = await hashSecret(body.pin)
  const created = await db.transaction().execute(async (trx) => {
    if (!(await unitWithinScope(trx, actor, body.unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
    if (await staffCodeTaken(trx, body.staffCode)) throw codeTaken(body.staffCode)
    const row = await insertOfficer(trx, {
      unitId: body.unitId,
      staffCode: body.staffCode,
      fullName: body.fullName,
      title: body.title ?? '',
      photoUrl: body.photoUrl ?? null,
      pinHash,
      active: body.active ?? true
    })
    await writeAudit(trx, actor, {
      action: 'create',
      entity: 'officer',
      entityId: row.id,
      unitId: row.unit_id,
      after: officerForAudit(row)
    })
    return row
  })
  return rowToOfficer(created)
}

/**
 * Changes an officer in scope, moves it to another unit of the scope or resets its PIN (which clears any lockout);
 * deactivating it ends its open shift. Answers the officer and the counter where it serves, whose terminal needs fresh state.
 */
export async function changeOfficer (
  db: Kysely<Database>, actor: UserActor, id: string, request: OfficerUpdateBody
): Promise<{ officer: Officer, counterId: string | undefined }> {
  const { pin, ...body } = request
  const pinHash = pin === undefined ? undefined : await hashSecret(pin)
  const result = await db.transaction().execute(async (trx) => {
    const before = await findOfficer(trx, id, { lock: true })
    if (before === undefined || !(await unitWithinScope(trx, actor, before.unit_id))) throw officerNotFound()
    if (body.unitId !== undefined && !(await unitWithinScope(trx, actor, body.unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
    if (body.staffCode !== undefined && (await staffCodeTaken(trx, body.staffCode, before.id))) throw codeTaken(body.staffCode)
    const row = await updateOfficer(trx, before.id, { ...body, ...(pinHash === undefined ? {} : { pinHash }) })
    // The terminal shows the serving officer: it needs fresh state after any change, and none once the officer is inactive.
    const shift = await openAssignmentOfOfficer(trx, row.id)
    if (shift !== undefined && body.active === false) await endAssignment(trx, shift.id)
    await writeAudit(trx, actor, {
      action: 'update',
      entity: 'officer',
      entityId: row.id,
      unitId: row.unit_id,
      before: officerForAudit(before),
      after: { ...officerForAudit(row), ...(pin === undefined ? {} : { pinReset: true }) }
    })
    return { row, counterId: shift?.counter_id }
  })
  return { officer: rowToOfficer(result.row), counterId: result.counterId }
}
