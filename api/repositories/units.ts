// Queries over the unit tree: ancestors and subtrees by recursive CTE, so any depth works.
import { sql } from 'kysely'
import type { Db } from '../../db/schema.ts'
import { ancestorsOf, subtreeOf } from '../../db/unit-tree.ts'

/**
 * Levels from a root (1) to the deepest unit. Vietnam needs about 5 (nation, province, commune, centre, desk); 32 leaves
 * room for agencies and departments while keeping every walk of the tree short. The database holds the same limit
 * (migration 2026_11_30_0201, trigger units_check_depth), so no insert or move past it, or making a cycle, is stored.
 */
export const MAX_UNIT_DEPTH = 32

/**
 * Where `unitId` would stand under `parentId`: `cycle` when the parent is the unit or one of its descendants, else
 * the deepest level the moved subtree would reach. Both walks stop after MAX_UNIT_DEPTH + 1 steps.
 */
export async function placement (db: Db, unitId: string | null, parentId: string): Promise<{ cycle: boolean, deepest: number }> {
  const result = await sql<{ above: number | null, cycle: boolean | null, below: number | null }>`
    with recursive up(id, depth) as (
      select id, 1 from units where id = ${parentId}
      union all
      select u.parent_id, up.depth + 1 from units u join up on u.id = up.id
      where u.parent_id is not null and up.depth <= ${MAX_UNIT_DEPTH} and up.id is distinct from ${unitId}::uuid
    ), down(id, depth) as (
      select id, 1 from units where id = ${unitId}::uuid
      union all
      select u.id, down.depth + 1 from units u join down on u.parent_id = down.id where down.depth <= ${MAX_UNIT_DEPTH}
    )
    select (select max(depth) from up)::int as above, (select bool_or(id = ${unitId}::uuid) from up) as cycle,
           (select max(depth) from down)::int as below`.execute(db)
  const row = result.rows[0]!
  return { cycle: row.cycle === true, deepest: (row.above ?? 0) + (row.below ?? 1) }
}

/** The unit and all its ancestors, nearest first. */
export async function unitAncestorIds (db: Db, unitId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`select id from ${ancestorsOf(unitId)} as chain order by depth`.execute(db)
  return result.rows.map((row) => row.id)
}

/** The unit and every unit below it. */
export async function unitSubtreeIds (db: Db, unitId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`select id from ${subtreeOf(unitId)} as tree`.execute(db)
  return result.rows.map((row) => row.id)
}

/** Whether `unitId` lies in the subtree rooted at `rootId` (null root: the whole tree). */
export async function isUnitWithin (db: Db, rootId: string | null, unitId: string): Promise<boolean> {
  const ancestors = await unitAncestorIds(db, unitId)
  if (ancestors.length === 0) return false
  return rootId === null || ancestors.includes(rootId)
}
