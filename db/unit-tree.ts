// The unit tree in SQL: typed builders for the recursive subtree and ancestor walks, each usable inside a bigger statement.
import { sql, type RawBuilder } from 'kysely'

/**
 * Steps after which a walk by depth stops. The tree is at most MAX_UNIT_DEPTH (32) levels deep and cannot hold a cycle
 * (migration 2026_11_30_0201): the limit only keeps a walk finite whatever the data.
 */
const WALK_LIMIT = sql.lit(100)

/**
 * `(select id …)`: the root and every unit below it, one `id` column, for `where unit_id in …` or as a FROM item
 * (`select id from ${subtreeOf(root)} as tree`).
 */
export function subtreeOf (rootId: string): RawBuilder<string> {
  return sql<string>`(with recursive tree(id, depth) as (
      select id, 0 from units where id = ${rootId}
      union all
      select u.id, tree.depth + 1 from units u join tree on u.parent_id = tree.id where tree.depth < ${WALK_LIMIT}
    ) select id from tree)`
}

/** `(select id, depth …)`: the unit (depth 0) and every unit above it (its parent 1, and so on), as a FROM item. */
export function ancestorsOf (unitId: string): RawBuilder<{ id: string, depth: number }> {
  return sql`(with recursive chain(id, parent_id, depth) as (
      select id, parent_id, 0 from units where id = ${unitId}
      union all
      select u.id, u.parent_id, chain.depth + 1 from units u join chain on u.id = chain.parent_id where chain.depth < ${WALK_LIMIT}
    ) select id, depth from chain)`
}

/**
 * `(select unit_id, ancestor_id …)`: the units a select yields (null: every unit), each paired with itself and with
 * every unit above it, as a FROM item: what adds a unit's counts to the subtree rows of all its ancestors.
 */
export function ancestryOf (unitIds: RawBuilder<unknown> | null): RawBuilder<{ unit_id: string, ancestor_id: string }> {
  const start = unitIds === null ? sql`select id, id from units` : sql`select id, id from units where id in (${unitIds})`
  return sql`(with recursive up (unit_id, ancestor_id) as (
      ${start}
      union all
      select up.unit_id, u.parent_id from up join units u on u.id = up.ancestor_id where u.parent_id is not null
    ) select unit_id, ancestor_id from up)`
}

/**
 * `with recursive tree (id, top) as (…)`, the opening of a statement (more CTEs may follow after a comma): every unit
 * in the subtree under the root (null: every top-level unit and all below), each with `top`, the root's child it sits
 * under (the root itself for the root; with no root, its top-level unit). The figures group child units by `top`.
 */
export function withSubtreeTops (rootId: string | null): RawBuilder<unknown> {
  return rootId === null
    ? sql`with recursive tree (id, top) as (
        select id, id from units where parent_id is null
        union
        select u.id, t.top from units u join tree t on u.parent_id = t.id
      )`
    : sql`with recursive tree (id, top) as (
        select id, id from units where id = ${rootId}
        union
        select u.id, case when t.id = ${rootId} then u.id else t.top end from units u join tree t on u.parent_id = t.id
      )`
}
