// A unit's follow-up settings: its own (units.follow_up) and the ones that hold down the tree (unit_follow_up()).
import { sql } from 'kysely'
import type { Db } from '../../db/schema.ts'
import type { FollowUpSettings, UnitFollowUp } from '../../contract/follow-up.ts'
import { effectiveFollowUp } from '../lib/follow-up.ts'

/** Undefined: no such unit. */
export async function unitFollowUp (db: Db, unitId: string): Promise<UnitFollowUp | undefined> {
  const row = await db
    .selectFrom('units')
    .select(['follow_up', sql<FollowUpSettings | null>`unit_follow_up(id)`.as('effective')])
    .where('id', '=', unitId)
    .executeTakeFirst()
  if (row === undefined) return undefined
  return { own: row.follow_up, effective: effectiveFollowUp(row.effective) }
}

export async function setUnitFollowUp (db: Db, unitId: string, settings: FollowUpSettings | null): Promise<void> {
  await db.updateTable('units').set({ follow_up: settings === null ? null : JSON.stringify(settings) }).where('id', '=', unitId).execute()
}
