// How the follow-up loop performs, per child unit and in total: cases opened and resolved in a period, resolved within
// their due time, the time to resolve (median, p90), and what is open and overdue now. Read from `cases` directly: a
// few rows per unsatisfied citizen, one statement, exact.
import { sql } from 'kysely'
import type { Db } from '../db/schema.ts'
import { withSubtreeTops } from '../db/unit-tree.ts'
import { periodOf, type FigureFilter } from './period.ts'

export interface CaseFigures {
  /** Cases opened in the period. */
  opened: number
  /** Cases resolved in the period (whenever opened). */
  resolved: number
  /** Of those, resolved by their due time. */
  resolvedWithinSla: number
  /** resolvedWithinSla ÷ resolved; null when none was resolved. */
  withinSlaRate: number | null
  /** Time from opening to resolution of the cases resolved in the period, in seconds; null when none. */
  medianResolveSeconds: number | null
  p90ResolveSeconds: number | null
  /** Open now, whatever the period. */
  openNow: number
  /** Open now and past their due time. */
  overdueNow: number
  /** What went wrong, as citizens chose it on the terminal, for the cases opened in the period: the most frequent first (at most 5). */
  topReasons: Array<{ code: string, count: number }>
}

export interface UnitCaseFigures extends CaseFigures {
  unitId: string
  code: string
  name: string
}

interface Row {
  top: string | null
  opened: number
  resolved: number
  within: number
  median: number | null
  p90: number | null
  open_now: number
  overdue_now: number
}

function toFigures (row: Row | undefined): CaseFigures {
  const resolved = Number(row?.resolved ?? 0)
  const within = Number(row?.within ?? 0)
  const seconds = (value: number | null | undefined) => (value === null || value === undefined ? null : Math.round(Number(value)))
  return {
    opened: Number(row?.opened ?? 0),
    resolved,
    resolvedWithinSla: within,
    withinSlaRate: resolved === 0 ? null : within / resolved,
    medianResolveSeconds: seconds(row?.median),
    p90ResolveSeconds: seconds(row?.p90),
    openNow: Number(row?.open_now ?? 0),
    overdueNow: Number(row?.overdue_now ?? 0),
    topReasons: []
  }
}

const TOP_REASONS = 5

/**
 * The loop's figures for the filter's subtree and period: the total, and a row per child unit of the root (each over its
 * own subtree; with no root, per top-level unit), in code order. Officer and counter filters apply as for ratings.
 */
export async function caseFigures (
  db: Db,
  filter: FigureFilter,
  now = new Date()
): Promise<{ total: CaseFigures, rows: UnitCaseFigures[] }> {
  const period = periodOf(filter.from, filter.to)
  const inPeriod = (column: string) => sql`${sql.ref(column)} >= ${period.start} and ${sql.ref(column)} < ${period.end}`
  const resolvedInPeriod = inPeriod('c.resolved_at')
  const seconds = sql`extract(epoch from c.resolved_at - c.opened_at)`
  const result = await sql<Row>`${withSubtreeTops(filter.unitId)}
    select case when grouping(t.top) = 0 then t.top end as top,
      count(*) filter (where ${inPeriod('c.opened_at')})::int as opened,
      count(*) filter (where ${resolvedInPeriod})::int as resolved,
      count(*) filter (where ${resolvedInPeriod} and c.resolved_at <= c.due_at)::int as within,
      percentile_cont(0.5) within group (order by ${seconds}) filter (where ${resolvedInPeriod}) as median,
      percentile_cont(0.9) within group (order by ${seconds}) filter (where ${resolvedInPeriod}) as p90,
      count(*) filter (where c.status = 'open')::int as open_now,
      count(*) filter (where c.status = 'open' and c.due_at < ${now})::int as overdue_now
    from cases c join tree t on t.id = c.unit_id
    where (c.status = 'open' or ${inPeriod('c.opened_at')} or ${resolvedInPeriod})
      ${filter.counterId == null ? sql`` : sql`and c.counter_id = ${filter.counterId}`}
      ${filter.officerId == null ? sql`` : sql`and c.officer_id = ${filter.officerId}`}
    group by grouping sets ((t.top), ())`.execute(db)
  const reasons = await sql<{ top: string | null, reason: string, n: number }>`${withSubtreeTops(filter.unitId)}
    select case when grouping(t.top) = 0 then t.top end as top, c.reason, count(*)::int as n
    from cases c join tree t on t.id = c.unit_id
    where c.reason is not null and ${inPeriod('c.opened_at')}
      ${filter.counterId == null ? sql`` : sql`and c.counter_id = ${filter.counterId}`}
      ${filter.officerId == null ? sql`` : sql`and c.officer_id = ${filter.officerId}`}
    group by grouping sets ((t.top, c.reason), (c.reason))
    order by n desc, c.reason`.execute(db)
  const reasonsOf = (top: string | null): CaseFigures['topReasons'] => reasons.rows
    .filter((row) => row.top === top).slice(0, TOP_REASONS).map((row) => ({ code: row.reason, count: Number(row.n) }))
  const byTop = new Map(result.rows.filter((row) => row.top !== null).map((row) => [row.top!, row]))
  const total = result.rows.find((row) => row.top === null)
  const units = filter.unitId === null
    ? await db.selectFrom('units').select(['id', 'code', 'name']).where('parent_id', 'is', null).orderBy('code').execute()
    : await db.selectFrom('units').select(['id', 'code', 'name'])
      .where((eb) => eb.or([eb('parent_id', '=', filter.unitId), eb('id', '=', filter.unitId)])).orderBy('code').execute()
  return {
    total: { ...toFigures(total), topReasons: reasonsOf(null) },
    rows: units.map((unit) => ({
      unitId: unit.id, code: unit.code, name: unit.name, ...toFigures(byTop.get(unit.id)), topReasons: reasonsOf(unit.id)
    }))
  }
}
