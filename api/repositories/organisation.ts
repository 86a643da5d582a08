// Units as API objects, and the scope filter (a recursive CTE over the unit tree) every list query uses.
import { sql, type Transaction } from 'kysely'
import type { Database, UnitKind, UnitRow, Db } from '../../db/schema.ts'
import type { Unit } from '../../contract/organisation.ts'
import type { Actor } from '../plugins/app/auth.ts'
import { badRequest, unauthorized } from '../errors.ts'
import { isUnitWithin } from './units.ts'
import { subtreeOf } from '../../db/unit-tree.ts'

export function rowToUnit (row: UnitRow): Unit {
  return {
    id: row.id,
    parentId: row.parent_id,
    kind: row.kind,
    code: row.code,
    name: row.name,
    satisfactionTarget: row.satisfaction_target,
    caseSlaDays: row.case_sla_days,
    receiptDays: row.receipt_days
  }
}

/** `(select id of every unit in the subtree rooted at rootId)`, for `where unit_id in …` (db/unit-tree.ts). */
export { subtreeOf }

export async function findUnit (db: Db, id: string): Promise<UnitRow | undefined> {
  return db.selectFrom('units').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function findUnitByCode (db: Db, code: string): Promise<UnitRow | undefined> {
  return db.selectFrom('units').selectAll().where('code', '=', code).executeTakeFirst()
}

/** Units inside the scope root (null: all), optionally only the children of `parentId` (null: top level). */
export async function listUnits (db: Db, scopeRoot: string | null, parentId?: string | null): Promise<UnitRow[]> {
  let query = db.selectFrom('units').selectAll()
  if (scopeRoot !== null) query = query.where('id', 'in', subtreeOf(scopeRoot))
  if (parentId === null) query = query.where('parent_id', 'is', null)
  else if (parentId !== undefined) query = query.where('parent_id', '=', parentId)
  return query.orderBy('code').execute()
}

export async function insertUnit (db: Db, unit: { parentId: string | null; kind: UnitKind; code: string; name: string }): Promise<UnitRow> {
  return db
    .insertInto('units')
    .values({ parent_id: unit.parentId, kind: unit.kind, code: unit.code, name: unit.name })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function updateUnit (
  db: Db,
  id: string,
  change: {
    parentId?: string | null;
    kind?: UnitKind;
    code?: string;
    name?: string;
    satisfactionTarget?: number | null
    caseSlaDays?: number | null
    receiptDays?: number | null
  }
): Promise<UnitRow> {
  return db
    .updateTable('units')
    .set({
      ...(change.satisfactionTarget !== undefined ? { satisfaction_target: change.satisfactionTarget } : {}),
      ...(change.caseSlaDays !== undefined ? { case_sla_days: change.caseSlaDays } : {}),
      ...(change.receiptDays !== undefined ? { receipt_days: change.receiptDays } : {}),
      ...(change.parentId !== undefined ? { parent_id: change.parentId } : {}),
      ...(change.kind !== undefined ? { kind: change.kind } : {}),
      ...(change.code !== undefined ? { code: change.code } : {}),
      ...(change.name !== undefined ? { name: change.name } : {})
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Serialises moves in the tree, so two concurrent moves cannot together create a cycle. */
export async function lockUnitTree (db: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(72401001)`.execute(db)
}

/** The signed-in user behind a request that passed `app.requireUser`. */
export type UserActor = Extract<Actor, { kind: 'user' }>

export function userActor (actor: Actor | null): UserActor {
  if (actor === null || actor.kind !== 'user') throw unauthorized('AUTH_REQUIRED', 'Sign in first')
  return actor
}

/** Whether `unitId` lies in the actor's subtree, read inside the caller's transaction. */
export async function unitWithinScope (db: Db, actor: UserActor, unitId: string): Promise<boolean> {
  return isUnitWithin(db, actor.unitId, unitId)
}

/** A change must name a field: unknown keys are stripped by validation, which can leave nothing. */
export function nothingToChange (change: object): void {
  if (Object.values(change).every((value) => value === undefined)) {
    throw badRequest('NOTHING_TO_CHANGE', 'Send at least one field to change')
  }
}
