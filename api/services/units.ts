// The unit tree as staff change it: placed within the actor's scope, no deeper than MAX_UNIT_DEPTH, audited in one transaction.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'
import type { Unit, UnitCreateBody, UnitUpdateBody } from '../../contract/organisation.ts'
import { badRequest, conflict, forbidden, notFound } from '../errors.ts'
import {
  findUnit, findUnitByCode, insertUnit, lockUnitTree, rowToUnit, unitWithinScope, updateUnit, type UserActor
} from '../repositories/organisation.ts'
import { MAX_UNIT_DEPTH, placement } from '../repositories/units.ts'
import { writeAudit } from '../repositories/audit.ts'

const unitNotFound = () => notFound('Unit', 'UNIT_NOT_FOUND')

/** The tree stops at MAX_UNIT_DEPTH levels (repositories/units.ts). */
const tooDeep = () => badRequest('UNIT_TOO_DEEP', `The unit tree may not be deeper than ${MAX_UNIT_DEPTH} levels`)

/** A unit under a parent in the actor's scope (top-level only for an admin of the whole tree), its code unique. */
export async function createUnit (db: Kysely<Database>, actor: UserActor, body: UnitCreateBody): Promise<Unit> {
  const created = await db.transaction().execute(async (trx) => {
    if (body.parentId === null) {
      if (actor.unitId !== null) {
        throw forbidden('TOP_LEVEL_UNIT_FORBIDDEN', 'Only an admin of the whole tree can create a top-level unit')
      }
    } else if (!(await unitWithinScope(trx, actor, body.parentId))) {
      throw notFound('Parent unit', 'UNIT_NOT_FOUND')
    }
    if ((await findUnitByCode(trx, body.code)) !== undefined) {
      throw conflict('UNIT_CODE_TAKEN', `A unit with code ${body.code} already exists`)
    }
    if (body.parentId !== null && (await placement(trx, null, body.parentId)).deepest > MAX_UNIT_DEPTH) throw tooDeep()
    const row = await insertUnit(trx, body)
    await writeAudit(trx, actor, { action: 'create', entity: 'unit', entityId: row.id, unitId: row.id, after: rowToUnit(row) })
    return row
  })
  return rowToUnit(created)
}

/**
 * Renames, recodes or moves a unit below the actor's scope root; a move locks the tree first, and is refused under
 * the unit itself (UNIT_CYCLE) or below MAX_UNIT_DEPTH (UNIT_TOO_DEEP).
 */
export async function changeUnit (db: Kysely<Database>, actor: UserActor, id: string, body: UnitUpdateBody): Promise<Unit> {
  const moves = body.parentId !== undefined
  const updated = await db.transaction().execute(async (trx) => {
    if (moves) await lockUnitTree(trx)
    const before = await findUnit(trx, id)
    if (before === undefined || !(await unitWithinScope(trx, actor, before.id))) throw unitNotFound()
    // The root of a scope is changed by whoever holds the scope above it, or it could move itself out of reach.
    if (before.id === actor.unitId) {
      throw forbidden('UNIT_IS_SCOPE_ROOT', 'The unit your access is rooted at can only be changed by an admin above it')
    }
    if (moves && body.parentId !== before.parent_id) {
      if (body.parentId === null) {
        if (actor.unitId !== null) {
          throw forbidden('TOP_LEVEL_UNIT_FORBIDDEN', 'Only an admin of the whole tree can make a unit top-level')
        }
      } else {
        if (!(await unitWithinScope(trx, actor, body.parentId!))) throw notFound('Parent unit', 'UNIT_NOT_FOUND')
        const place = await placement(trx, before.id, body.parentId!)
        if (place.cycle) throw badRequest('UNIT_CYCLE', 'A unit cannot be moved under itself or one of its own descendants')
        if (place.deepest > MAX_UNIT_DEPTH) throw tooDeep()
      }
    }
    if (body.code !== undefined && body.code !== before.code && (await findUnitByCode(trx, body.code)) !== undefined) {
      throw conflict('UNIT_CODE_TAKEN', `A unit with code ${body.code} already exists`)
    }
    const row = await updateUnit(trx, before.id, body)
    await writeAudit(trx, actor, {
      action: 'update',
      entity: 'unit',
      entityId: row.id,
      unitId: row.id,
      before: rowToUnit(before),
      after: rowToUnit(row)
    })
    return row
  })
  return rowToUnit(updated)
}
