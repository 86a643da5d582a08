// Resolving a follow-up case as a supervisor does it: locked, checked in scope, resolved once and audited in one transaction.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'
import type { Case } from '../../contract/cases.ts'
import { conflict, notFound } from '../errors.ts'
import { findCase, lockCase, resolveCase, rowToCase } from '../repositories/cases.ts'
import { unitWithinScope, type UserActor } from '../repositories/organisation.ts'
import { writeAudit } from '../repositories/audit.ts'

/** Resolves a case in scope with a note saying what was done; a resolved case answers 409 CASE_ALREADY_RESOLVED. */
export async function resolveCaseAs (db: Kysely<Database>, actor: UserActor, id: string, note: string): Promise<Case> {
  return db.transaction().execute(async (trx) => {
    const locked = await lockCase(trx, id)
    if (locked === undefined || !(await unitWithinScope(trx, actor, locked.unit_id))) throw notFound('Case', 'CASE_NOT_FOUND')
    if (locked.status === 'resolved') throw conflict('CASE_ALREADY_RESOLVED', 'This case is already resolved')
    const before = rowToCase((await findCase(trx, locked.id))!)
    await resolveCase(trx, locked.id, { userId: actor.userId, note })
    const after = rowToCase((await findCase(trx, locked.id))!)
    await writeAudit(trx, actor, { action: 'resolve', entity: 'case', entityId: locked.id, unitId: locked.unit_id, before, after })
    return after
  })
}
