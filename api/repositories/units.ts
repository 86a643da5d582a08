// Queries over the unit tree: ancestors and subtrees by recursive CTE, so any depth works.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../db/schema.ts'

type Db = Kysely<Database> | Transaction<Database>

/** The unit and all its ancestors, nearest first. */
export async function unitAncestorIds (db: Db, unitId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with recursive chain(id, parent_id, depth) as (
      select id, parent_id, 0 from units where id = ${unitId}
      union all
      select u.id, u.parent_id, chain.depth + 1 from units u join chain on u.id = chain.parent_id where chain.depth < 100
    )
    select id from chain order by depth`.execute(db)
  return result.rows.map((row) => row.id)
}

/** The unit and every unit below it. */
export async function unitSubtreeIds (db: Db, unitId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with recursive tree(id, depth) as (
      select id, 0 from units where id = ${unitId}
      union all
      select u.id, tree.depth + 1 from units u join tree on u.parent_id = tree.id where tree.depth < 100
    )
    select id from tree`.execute(db)
  return result.rows.map((row) => row.id)
}

/** Whether `unitId` lies in the subtree rooted at `rootId` (null root: the whole tree). */
export async function isUnitWithin (db: Db, rootId: string | null, unitId: string): Promise<boolean> {
  const ancestors = await unitAncestorIds(db, unitId)
  if (ancestors.length === 0) return false
  return rootId === null || ancestors.includes(rootId)
}
