// The raw oracle: figures counted straight from the ratings, to check the rollups against, the benchmark's baseline,
// and the hours of one counter or officer.
import { sql, type RawBuilder } from 'kysely'
import type { Category, Db } from '../db/schema.ts'
import { withSubtreeTops } from '../db/unit-tree.ts'
import { addCategory, addCriterion, emptyCounts, type Counts } from './figures.ts'
import type { FigureFilter, Grouping, Period } from './period.ts'
import { filterSql, keyOf, keySql, serialOnly } from './statement.ts'

interface Tree {
  ids: string[]
  /** For each unit, the root's child it sits under (the root itself for its own ratings). */
  tops: string[]
}

/** The subtree under the root (null: every top-level unit and all below), resolved first: the planner then probes unit by unit. */
async function resolvedSubtree (db: Db, rootId: string | null): Promise<Tree> {
  const result = await sql<{ id: string, top: string }>`${withSubtreeTops(rootId)} select id, top from tree`.execute(db)
  return { ids: result.rows.map((row) => row.id), tops: result.rows.map((row) => row.top) }
}

function unnestedTreeSql (tree: Tree): RawBuilder<unknown> {
  return sql`with tree (id, top) as (select * from unnest(${tree.ids}::uuid[], ${tree.tops}::uuid[]))`
}

function countsAt (map: Map<string, Counts>, key: string): Counts {
  let counts = map.get(key)
  if (counts === undefined) {
    counts = emptyCounts()
    map.set(key, counts)
  }
  return counts
}

const rawKeySql = (grouping: Grouping): RawBuilder<unknown> => keySql(grouping, sql`r.counted_at`)

interface CriterionRow { key: unknown, code: string, answered: number, met: number, na: number }

/** The raw GROUP BY over ratings: the figures to check the rollups against, the benchmark's baseline, hours of one counter or officer. */
export async function countsFromRatings (
  db: Db, filter: FigureFilter, period: Period, grouping: Grouping, options: { serial?: boolean } = {}
): Promise<Map<string, Counts>> {
  // Resolved first, so the planner probes the ratings index unit by unit.
  const tree = await resolvedSubtree(db, filter.unitId)
  if (tree.ids.length === 0) return new Map()
  const treeSql = unnestedTreeSql(tree)
  const key = rawKeySql(grouping)
  // The raw baseline over a whole province keeps its parallel workers; a figure read of one counter's hours does not.
  const serial = options.serial === true ? sql` and ${serialOnly}` : sql``
  const where = sql`r.counted_at >= ${period.start} and r.counted_at < ${period.end} ${filterSql(filter, 'r')}${serial}`
  const [rows, criterionRows] = await Promise.all([
    sql<{ key: unknown, level: number, category: Category, total: number, weight_sum: number }>`${treeSql}
      select ${key} as key, r.level, r.category, count(*) as total, sum(r.weight) as weight_sum
      from ratings r join tree t on t.id = r.unit_id where ${where} group by 1, 2, 3`.execute(db),
    sql<CriterionRow>`${treeSql}
      select ${key} as key, c.key as code, count(*) filter (where jsonb_typeof(c.value) = 'boolean') as answered,
        count(*) filter (where c.value = 'true'::jsonb) as met, count(*) filter (where c.value = '"na"'::jsonb) as na
      from ratings r join tree t on t.id = r.unit_id cross join lateral jsonb_each(r.criteria) c where ${where} group by 1, 2`.execute(db)
  ])
  const result = new Map<string, Counts>()
  for (const row of rows.rows) {
    const counts = countsAt(result, keyOf(row.key))
    const total = Number(row.total)
    counts.total += total
    addCategory(counts, row.category, total)
    counts.weightSum += Number(row.weight_sum)
    counts.byLevel.set(row.level, (counts.byLevel.get(row.level) ?? 0) + total)
  }
  for (const row of criterionRows.rows) {
    addCriterion(countsAt(result, keyOf(row.key)), row.code, Number(row.answered), Number(row.met), Number(row.na))
  }
  return result
}
