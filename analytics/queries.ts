// Figure queries for a unit subtree and period: summary, per officer / counter / child unit, time series and heat map, read from rollups (or raw ratings, to check them).
import { sql, type RawBuilder } from 'kysely'
import type { ErrorCode } from '../contract/errors.ts'
import type { Category, Db } from '../db/schema.ts'
import { DAY, bucketStart, monthStart, nextBucket, nextMonthStart, nextYearStart, parseLocalDate, toLocalIso, yearStart, type Interval } from './calendar.ts'
import { addCategory, addCounts, addCriterion, emptyCounts, toFigures, type Catalogue, type Counts, type Figures } from './figures.ts'
import { LEVELS, criterionSlots, heatmapGrains, officerCounterGrains, sqlHeatmapCell, sqlLocalBucket, type Grain } from './rollups.ts'

export type { Figures, CriterionFigure } from './figures.ts'
export type { Interval } from './calendar.ts'

/** Longest period for any figure, in days (both ends included). */
export const MAX_PERIOD_DAYS = 1096
/** Longest period for an hourly time series (744 buckets) and for the heat map. */
export const MAX_HOURLY_DAYS = 31
export const MAX_HEATMAP_DAYS = 366
export const intervals: readonly Interval[] = ['hour', 'day', 'week', 'month']

/** Bad input to a figure query; `code` is the stable code the API answers with. */
export class AnalyticsInputError extends Error {
  constructor (readonly code: Extract<ErrorCode, 'RANGE_INVALID' | 'RANGE_TOO_LONG' | 'INTERVAL_INVALID'>, message: string) {
    super(message)
    this.name = 'AnalyticsInputError'
  }
}

export interface FigureFilter {
  /** The subtree's root unit; null: the whole tree (every top-level unit). */
  unitId: string | null
  /** First local day, `YYYY-MM-DD` (Asia/Ho_Chi_Minh), included. */
  from: string
  /** Last local day, `YYYY-MM-DD`, included. */
  to: string
  counterId?: string | null
  officerId?: string | null
  /** Count ratings flagged as misuse too (left out by default). */
  includeMisuse?: boolean
}

export interface QueryOptions {
  /** Where counts come from: the rollups (default), or the raw ratings (to check the rollups, and the benchmark baseline). */
  source?: 'rollups' | 'ratings'
}

export interface Period {
  /** The instant the first local day begins. */
  start: Date
  /** The instant after the last local day ends. */
  end: Date
  days: number
}

/** Whole local days `from`…`to`, both included; throws AnalyticsInputError on bad or too long ranges. */
export function periodOf (from: string, to: string, maxDays = MAX_PERIOD_DAYS): Period {
  const start = parseLocalDate(from)
  if (start === null) throw new AnalyticsInputError('RANGE_INVALID', `from must be a date YYYY-MM-DD, got "${from}"`)
  const last = parseLocalDate(to)
  if (last === null) throw new AnalyticsInputError('RANGE_INVALID', `to must be a date YYYY-MM-DD, got "${to}"`)
  if (last < start) throw new AnalyticsInputError('RANGE_INVALID', `from (${from}) is after to (${to})`)
  const days = Math.round((last.getTime() - start.getTime()) / DAY) + 1
  if (days > maxDays) throw new AnalyticsInputError('RANGE_TOO_LONG', `the period is ${days} days; at most ${maxDays} days are allowed here`)
  return { start, end: new Date(last.getTime() + DAY), days }
}

type Grouping =
  | { kind: 'none' }
  | { kind: 'officer' }
  | { kind: 'counter' }
  | { kind: 'unit' }
  | { kind: 'time', interval: Interval }
  | { kind: 'heatmap' }

/** Rollup rows of one grain over [start, end), added (sign 1) or taken away (sign −1). */
interface Segment { grain: Grain, start: Date, end: Date, sign: 1 | -1 }

const alignDown = (at: Date, grain: 'year' | 'month'): Date => grain === 'year' ? yearStart(at) : monthStart(at)
const alignUp = (at: Date, grain: 'year' | 'month'): Date => alignDown(at, grain).getTime() === at.getTime() ? at : grain === 'year' ? nextYearStart(at) : nextMonthStart(at)

/**
 * Part of one local month, [start, end): its days, or, when that is more than half the month, the month's row
 * less the days of it outside the range (at most half a month of day rows either way).
 */
function partOfMonth (start: Date, end: Date): Segment[] {
  const first = monthStart(start)
  const next = nextMonthStart(start)
  if ((end.getTime() - start.getTime()) * 2 <= next.getTime() - first.getTime()) return [{ grain: 'day', start, end, sign: 1 }]
  const segments: Segment[] = [{ grain: 'month', start: first, end: next, sign: 1 }]
  if (first < start) segments.push({ grain: 'day', start: first, end: start, sign: -1 })
  if (end < next) segments.push({ grain: 'day', start: end, end: next, sign: -1 })
  return segments
}

/** [start, end) (local midnights) as whole months, and parts of the months at either end. */
function coverMonths (start: Date, end: Date): Segment[] {
  if (start >= end) return []
  const first = alignUp(start, 'month')
  const last = alignDown(end, 'month')
  if (first < last) return [...coverMonths(start, first), { grain: 'month', start: first, end: last, sign: 1 }, ...coverMonths(last, end)]
  // No whole month inside: one part-month, or the ends of two neighbouring months.
  if (start < first && first < end) return [...partOfMonth(start, first), ...partOfMonth(first, end)]
  return partOfMonth(start, end)
}

const negated = (segments: Segment[]): Segment[] => segments.map((segment) => ({ ...segment, sign: segment.sign === 1 ? -1 : 1 }))

/** Sub-year parts of a period: months and days (coverMonths), or, for the heat map, one range of hour rows. */
type Fine = (start: Date, end: Date) => Segment[]

const hourRange: Fine = (start, end) => start < end ? [{ grain: 'hour', start, end, sign: 1 }] : []

/** Part of one local year: its months and days, or, when that is more than half the year, the year's row less the rest of it. */
function partOfYear (start: Date, end: Date, fine: Fine): Segment[] {
  if (start >= end) return []
  const first = yearStart(start)
  const next = nextYearStart(start)
  if ((end.getTime() - start.getTime()) * 2 <= next.getTime() - first.getTime()) return fine(start, end)
  return [{ grain: 'year', start: first, end: next, sign: 1 }, ...negated(fine(first, start)), ...negated(fine(end, next))]
}

/** [start, end) as whole years, then whole months, then days: the fewest rollup rows (e.g. the last 365 days: two year rows less a month and a few days each). */
function cover (start: Date, end: Date, useYears: boolean, fine: Fine = coverMonths): Segment[] {
  if (start >= end) return []
  if (!useYears) return fine(start, end)
  const first = alignUp(start, 'year')
  const last = alignDown(end, 'year')
  if (first < last) return [...partOfYear(start, first, fine), { grain: 'year', start: first, end: last, sign: 1 }, ...partOfYear(last, end, fine)]
  if (start < first && first < end) return [...partOfYear(start, first, fine), ...partOfYear(first, end, fine)]
  return partOfYear(start, end, fine)
}

/** The cheapest rollup rows covering the period for this grouping. */
function segmentsFor (period: Period, grouping: Grouping): Segment[] {
  // The heat map: years of weekday × hour cells (heatmap_rollups), the rest as hour rows.
  if (grouping.kind === 'heatmap') return cover(period.start, period.end, true, hourRange)
  if (grouping.kind === 'time' && grouping.interval === 'hour') return [{ grain: 'hour', start: period.start, end: period.end, sign: 1 }]
  if (grouping.kind === 'time' && grouping.interval !== 'month') return [{ grain: 'day', start: period.start, end: period.end, sign: 1 }]
  // A monthly series cannot read year rows (they would merge its months).
  return cover(period.start, period.end, grouping.kind !== 'time')
}

interface Tree {
  ids: string[]
  /** For each unit, the root's child it sits under (the root itself for its own ratings). */
  tops: string[]
}

/** The subtree under the root (null: every top-level unit and all below), resolved first so the figure queries can probe the rollup index unit by unit. */
async function subtreeOf (db: Db, rootId: string | null): Promise<Tree> {
  const result = rootId === null
    ? await sql<{ id: string, top: string }>`with recursive tree (id, top) as (
        select id, id from units where parent_id is null
        union
        select u.id, t.top from units u join tree t on u.parent_id = t.id
      ) select id, top from tree`.execute(db)
    : await sql<{ id: string, top: string }>`with recursive tree (id, top) as (
        select id, id from units where id = ${rootId}
        union
        select u.id, case when t.id = ${rootId} then u.id else t.top end from units u join tree t on u.parent_id = t.id
      ) select id, top from tree`.execute(db)
  return { ids: result.rows.map((row) => row.id), tops: result.rows.map((row) => row.top) }
}

function unnestedTreeSql (tree: Tree): RawBuilder<unknown> {
  return sql`with tree (id, top) as (select * from unnest(${tree.ids}::uuid[], ${tree.tops}::uuid[]))`
}

/** The same (id, top) subtree as subtreeOf, as a CTE inside the figure's statement. */
function subtreeSql (rootId: string | null): RawBuilder<unknown> {
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

function filterSql (filter: FigureFilter, alias: 'r'): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = []
  if (filter.counterId != null) parts.push(sql`and ${sql.ref(`${alias}.counter_id`)} = ${filter.counterId}`)
  if (filter.officerId != null) parts.push(sql`and ${sql.ref(`${alias}.officer_id`)} = ${filter.officerId}`)
  if (filter.includeMisuse !== true) parts.push(sql`and not ${sql.ref(`${alias}.misuse`)}`)
  return sql.join(parts, sql` `)
}

/** The group key of a rollup (`time` = r.bucket) or raw (`time` = r.counted_at) row: series and heat map cells are folded in SQL. */
function keySql (grouping: Grouping, time: RawBuilder<unknown>): RawBuilder<unknown> {
  switch (grouping.kind) {
    case 'none': return sql`''`
    case 'officer': return sql`coalesce(r.officer_id::text, '')`
    case 'counter': return sql`r.counter_id::text`
    case 'unit': return sql`t.top::text`
    case 'time': return sqlLocalBucket(time, grouping.interval)
    case 'heatmap': {
      const local = sql`((${time} at time zone 'UTC') + interval '7 hours')`
      return sql`(extract(isodow from ${local})::int::text || ':' || extract(hour from ${local})::int::text)`
    }
  }
}

const rawKeySql = (grouping: Grouping): RawBuilder<unknown> => keySql(grouping, sql`r.counted_at`)

const keyOf = (value: unknown): string => value instanceof Date ? value.toISOString() : String(value)

/**
 * The group key inside the one-statement read: as keySql, but a heat-map cell is an integer (sqlHeatmapCell: no
 * extracts and no text per row), turned into keySql's text by exactKeyText.
 */
function exactKeySql (grouping: Grouping, time: RawBuilder<unknown>): RawBuilder<unknown> {
  // Officers and counters by their uuid (null: nobody signed in): no text per row, and the names join on the key.
  if (grouping.kind === 'officer') return sql`r.officer_id`
  if (grouping.kind === 'counter') return sql`r.counter_id`
  return grouping.kind === 'heatmap' ? sqlHeatmapCell(time) : keySql(grouping, time)
}

/** The statement's key as the text keySql gives (series buckets come as ISO text already, see exactStatement). */
function exactKeyText (grouping: Grouping, value: unknown): string {
  if (grouping.kind === 'officer' && value === null) return ''
  if (grouping.kind !== 'heatmap') return keyOf(value)
  const cell = Number(value)
  return `${Math.floor(cell / 24) + 1}:${cell % 24}`
}

function countsAt (map: Map<string, Counts>, key: string): Counts {
  let counts = map.get(key)
  if (counts === undefined) {
    counts = emptyCounts()
    map.set(key, counts)
  }
  return counts
}

interface CriterionRow { key: unknown, code: string, answered: number, met: number }

/** Criterion codes the statement counts, each with its rollup array slot (null: a code only pending ratings carry so far). */
type SlotList = Array<{ code: string, slot: number | null }>

const levelNumbers = Array.from({ length: LEVELS }, (_, index) => index + 1)
const scalarColumns = ['total', 'satisfied', 'neutral', 'unsatisfied', 'weight_sum', ...levelNumbers.map((level) => `level_${level}`)]

/**
 * One rollup segment's rows, each row's counts as columns (negated for a sign −1 segment), criteria unpacked from
 * their slots: `rows` is the FROM clause naming the rollup row `r`.
 */
function rollupRowsSql (key: RawBuilder<unknown>, rows: RawBuilder<unknown>, sign: 1 | -1 | RawBuilder<unknown>, slots: SlotList): RawBuilder<unknown> {
  const signed = (value: RawBuilder<unknown>): RawBuilder<unknown> => sign === 1 ? value : sign === -1 ? sql`-${value}` : sql`${sign} * ${value}`
  const counts = scalarColumns.map((column) => signed(sql`r.${sql.ref(column)}`))
  const criteria = slots.flatMap(({ slot }) => slot === null
    ? [sql`0`, sql`0`]
    : [signed(sql`r.answered[${sql.lit(slot)}]`), signed(sql`r.met[${sql.lit(slot)}]`)])
  return sql`select ${key}, ${sql.join([...counts, ...criteria])}, false from ${rows}`
}

/** The pending ratings (`not rolled_up`) as rows of the same columns: one rating each, so the sums add them. */
function pendingRowsSql (filter: FigureFilter, period: Period, grouping: Grouping, slots: SlotList): RawBuilder<unknown> {
  const levels = levelNumbers.map((level) => sql`(r.level = ${sql.lit(level)})::int`)
  const criteria = slots.flatMap(({ code }) => [sql`(r.criteria ? ${code})::int`, sql`(r.criteria -> ${code} = 'true'::jsonb)::int`])
  // A code no slot was given yet (the worker gives it one): the statement cannot count it, the caller asks again with it.
  const codes = slots.map(({ code }) => code)
  return sql`select ${exactKeySql(grouping, sql`r.counted_at`)}, 1, (r.category = 'satisfied')::int, (r.category = 'neutral')::int, (r.category = 'unsatisfied')::int,
      r.weight::bigint, ${sql.join([...levels, ...criteria])}, (r.criteria - ${codes}::text[]) <> '{}'::jsonb
    from tree t cross join lateral (select * from ratings r where r.unit_id = t.id and not r.rolled_up
      and r.counted_at >= ${period.start} and r.counted_at < ${period.end} ${filterSql(filter, 'r')}) r`
}

/**
 * The whole figure in ONE statement: the rollup rows of every segment (signed) and the pending ratings, summed per
 * key. A statement reads one snapshot, so a worker run committing meanwhile can neither double a rating (in the
 * rollups and still pending) nor drop one, without a transaction around it (BEGIN, SET, COMMIT: round trips
 * that were most of a centre's time). The subtree stays in the statement; units are probed one by one (lateral).
 * Also answered per row: whether the slots read are still the table's (`slots_current`) and whether a pending
 * rating carries a code outside them (`unslotted`).
 */
function exactStatement (filter: FigureFilter, period: Period, grouping: Grouping, plan: 'subtree' | 'detail', slots: SlotList): RawBuilder<unknown> {
  const segments = segmentsFor(period, grouping)
  let parts: RawBuilder<unknown>[]
  if (plan === 'subtree') {
    // Each unit's subtree row counts all below it: the root's own rows (its children's and its own for `units`).
    const key = grouping.kind === 'unit' ? sql`s.key` : exactKeySql(grouping, sql`r.bucket`)
    const misuse = filter.includeMisuse === true ? sql`` : sql`and not r.misuse`
    // By unit under a root: the root's own ratings are its row less its children's (each child read twice: +child, −root).
    const byChild = grouping.kind === 'unit' && filter.unitId !== null
    parts = segments.map((segment) => grouping.kind === 'heatmap' && heatmapGrains.includes(segment.grain)
      ? rollupRowsSql(sql`r.cell::int`, sql`s cross join lateral (select * from heatmap_rollups r where r.unit_id = s.id
          and r.grain = ${segment.grain} and r.bucket >= ${segment.start} and r.bucket < ${segment.end} ${misuse}) r`, segment.sign, slots)
      : rollupRowsSql(key, sql`s cross join lateral (select * from subtree_rollups r where r.unit_id = s.id
          and r.grain = ${segment.grain} and r.bucket >= ${segment.start} and r.bucket < ${segment.end} ${misuse}) r`,
        byChild ? sql`${sql.lit(segment.sign)} * s.sign` : segment.sign, slots))
  } else {
    // Years: the root's own per-officer or per-counter subtree rows, when the filter and grouping need only one of
    // the two. Otherwise, and for months and days: the per counter × officer rows of every unit in the subtree.
    const subtreeTable = grouping.kind === 'unit'
      ? null
      : filter.counterId == null && (grouping.kind === 'officer' || grouping.kind === 'none')
        ? 'officer_rollups'
        : filter.officerId == null && (grouping.kind === 'counter' || grouping.kind === 'none') ? 'counter_rollups' : null
    parts = segments.map((segment) => rollupRowsSql(exactKeySql(grouping, sql`r.bucket`), subtreeTable !== null && officerCounterGrains.includes(segment.grain)
      ? sql`s cross join lateral (select * from ${sql.table(subtreeTable)} r where r.unit_id = s.id
          and r.grain = ${segment.grain} and r.bucket >= ${segment.start} and r.bucket < ${segment.end} ${filterSql(filter, 'r')}) r`
      : sql`tree t cross join lateral (select * from rating_rollups r where r.unit_id = t.id
          and r.grain = ${segment.grain} and r.bucket >= ${segment.start} and r.bucket < ${segment.end} ${filterSql(filter, 'r')}) r`, segment.sign, slots))
  }
  parts.push(pendingRowsSql(filter, period, grouping, slots))
  const units = filter.unitId === null
    ? sql`select id, id::text, 1 from units where parent_id is null`
    : grouping.kind === 'unit'
      ? sql`select id, id::text, 1 from units where parent_id = ${filter.unitId} or id = ${filter.unitId}
          union all select id, ${filter.unitId}::text, -1 from units where parent_id = ${filter.unitId}`
      : sql`select id, '', 1 from units where id = ${filter.unitId}`
  const criterionColumns = slots.flatMap((_, index) => [`a${index}`, `m${index}`])
  const columns = ['key', ...scalarColumns, ...criterionColumns, 'unslotted']
  const known = slots.filter(({ slot }) => slot !== null)
  const slotsCurrent = sql`(select coalesce(array_agg(slot order by slot), '{}') = ${known.map(({ slot }) => slot)}::int[]
      and coalesce(array_agg(code order by slot), '{}') = ${known.map(({ code }) => code)}::text[] from criterion_slots)`
  // Series buckets leave as the text keyOf would make of them (parsing hundreds of timestamps in the driver is slower).
  const keyColumn = grouping.kind === 'time' ? sql`to_char(p.key at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : sql`p.key`
  const grouped = sql`select ${keyColumn} as key, ${sql.join([...scalarColumns, ...criterionColumns].map((column) => sql`sum(p.${sql.ref(column)}) as ${sql.ref(column)}`))},
      bool_or(p.unslotted) as unslotted, ${slotsCurrent} as slots_current
    from (${sql.join(parts, sql` union all `)}) as p (${sql.join(columns.map((column) => sql.ref(column)))})
    where ${serialOnly}
    group by p.key`
  // Officers and counters get their names in the same statement (no round trip after it), counters in display order.
  const labelled = grouping.kind === 'officer'
    ? sql`select g.*, o.full_name from (${grouped}) g left join officers o on o.id = g.key`
    : grouping.kind === 'counter'
      ? sql`select g.*, c.unit_id, c.number, c.name from (${grouped}) g join counters c on c.id = g.key join units u on u.id = c.unit_id
          order by u.code, c.number`
      : grouped
  return sql`${subtreeSql(filter.unitId)}, s (id, key, sign) as (${units}) ${labelled}`
}

/**
 * Keeps the statement off parallel workers at any table size: a PARALLEL UNSAFE function anywhere in a statement
 * rules out every parallel plan (migration 2026_11_30_0500), and this one is folded to `true` while planning. A figure
 * read is a few hundred index probes; two workers cost ~100 ms to start here, and the planner chose them by table
 * size (the units read at 1 M ratings, not at 100 k or 10 M: docs/analytics.md, "The parallel cliff").
 */
const serialOnly = sql`no_parallel_workers()`

interface ExactRow extends Record<string, unknown> { key: unknown, unslotted: boolean, slots_current: boolean }

const levelColumns = levelNumbers.map((level) => `level_${level}`)
const answeredColumns: string[] = []
const metColumns: string[] = []

/** Adds the statement's rows (counts and criteria by position in `slots`) to the map under their keys. */
function addExactRows (result: Map<string, Counts>, rows: ExactRow[], slots: SlotList, grouping: Grouping): void {
  for (const row of rows) {
    const counts = emptyCounts()
    // Sums may arrive as strings where a driver has no numeric parser: read every count with Number().
    counts.total = Number(row.total ?? 0)
    counts.satisfied = Number(row.satisfied ?? 0)
    counts.neutral = Number(row.neutral ?? 0)
    counts.unsatisfied = Number(row.unsatisfied ?? 0)
    counts.weightSum = Number(row.weight_sum ?? 0)
    for (const level of levelNumbers) {
      const count = Number(row[levelColumns[level - 1]!] ?? 0)
      if (count !== 0) counts.byLevel.set(level, count)
    }
    for (let index = 0; index < slots.length; index++) {
      const answered = Number(row[answeredColumns[index] ??= `a${index}`] ?? 0)
      if (answered !== 0) counts.criteria.set(slots[index]!.code, { answered, met: Number(row[metColumns[index] ??= `m${index}`] ?? 0) })
    }
    const key = exactKeyText(grouping, row.key)
    const known = result.get(key)
    if (known === undefined) result.set(key, counts)
    else addCounts(known, counts)
  }
}

/** Which rows answer a query: subtree rollups (no counter/officer), detail rollups, or raw ratings (hours of one counter or officer). */
function planFor (filter: FigureFilter, grouping: Grouping): 'subtree' | 'detail' | 'ratings' {
  const detail = filter.counterId != null || filter.officerId != null || grouping.kind === 'officer' || grouping.kind === 'counter'
  if (!detail) return 'subtree'
  return grouping.kind === 'heatmap' || (grouping.kind === 'time' && grouping.interval === 'hour') ? 'ratings' : 'detail'
}

/**
 * Criterion slots last read, per database handle. Slots are append-only (a code keeps its slot for good), so a
 * cached list can only lack codes counted since; every statement checks its list against the table in its own
 * snapshot and is asked again when it is stale. Keyed by the handle: another database has other slots.
 */
const slotCache = new WeakMap<object, SlotList>()

async function slotList (db: Db): Promise<SlotList> {
  const slots = await criterionSlots(db)
  return [...slots.entries()].sort(([, a], [, b]) => a - b).map(([code, slot]) => ({ code, slot }))
}

/** Codes on pending ratings that have no slot yet, added to the list (their rollup columns read 0). */
async function withPendingCodes (db: Db, slots: SlotList): Promise<SlotList> {
  const codes = await sql<{ code: string }>`select distinct jsonb_object_keys(criteria) as code from ratings where not rolled_up`.execute(db)
  const known = new Set(slots.map(({ code }) => code))
  return [...slots, ...codes.rows.map((row) => row.code).filter((code) => !known.has(code)).sort().map((code) => ({ code, slot: null }))]
}

/** Counts per key; `rows`: the statement's rows with the officers' / counters' names (counters in display order), when it read them. */
interface CountsAnswer {
  counts: Map<string, Counts>
  rows: ExactRow[] | null
}

/** Rollups plus the ratings still pending (`not rolled_up`), in one statement's snapshot: exact while the worker catches up. */
async function exactCounts (db: Db, filter: FigureFilter, period: Period, grouping: Grouping): Promise<CountsAnswer> {
  const plan = planFor(filter, grouping)
  // Hours of one counter or officer: a few hundred ratings through an index, a figure read like the others (serial).
  if (plan === 'ratings') return { counts: await countsFromRatings(db, filter, period, grouping, { serial: true }), rows: null }
  const run = async (trx: Db, slots: SlotList): Promise<ExactRow[]> => (await sql<ExactRow>`${exactStatement(filter, period, grouping, plan, slots)}`.execute(trx)).rows
  const cacheKey = db.isTransaction ? null : db
  let slots = (cacheKey === null ? undefined : slotCache.get(cacheKey)) ?? await slotList(db)
  let rows = await run(db, slots)
  if (rows.some((row) => row.slots_current !== true || row.unslotted === true)) {
    // A criterion code new since the list was read: the slots, the pending ratings' codes and the figure read in
    // one snapshot, so they agree whatever the worker commits meanwhile.
    [slots, rows] = await inSnapshot(db, async (trx) => {
      const all = await withPendingCodes(trx, await slotList(trx))
      return [all, await run(trx, all)] as const
    })
  }
  if (cacheKey !== null) slotCache.set(cacheKey, slots.filter(({ slot }) => slot !== null))
  const result = new Map<string, Counts>()
  addExactRows(result, rows, slots, grouping)
  // A month row less its other days can leave a key with nothing in the period (an officer who served only
  // on those days): raw ratings would not list it either.
  for (const [key, counts] of result) if (counts.total === 0) result.delete(key)
  return { counts: result, rows }
}

/** The raw GROUP BY over ratings: the figures to check the rollups against, the benchmark's baseline, and hours of one counter or officer. */
async function countsFromRatings (db: Db, filter: FigureFilter, period: Period, grouping: Grouping, options: { serial?: boolean } = {}): Promise<Map<string, Counts>> {
  // Resolved first, so the planner probes the ratings index unit by unit.
  const tree = await subtreeOf(db, filter.unitId)
  if (tree.ids.length === 0) return new Map()
  const treeSql = unnestedTreeSql(tree)
  const key = rawKeySql(grouping)
  // The raw baseline over a whole province keeps its parallel workers; a figure read of one counter's hours does not.
  const where = sql`r.counted_at >= ${period.start} and r.counted_at < ${period.end} ${filterSql(filter, 'r')}${options.serial === true ? sql` and ${serialOnly}` : sql``}`
  const [rows, criterionRows] = await Promise.all([
    sql<{ key: unknown, level: number, category: Category, total: number, weight_sum: number }>`${treeSql}
      select ${key} as key, r.level, r.category, count(*) as total, sum(r.weight) as weight_sum
      from ratings r join tree t on t.id = r.unit_id where ${where} group by 1, 2, 3`.execute(db),
    sql<CriterionRow>`${treeSql}
      select ${key} as key, c.key as code, count(*) as answered, count(*) filter (where c.value = 'true'::jsonb) as met
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
  for (const row of criterionRows.rows) addCriterion(countsAt(result, keyOf(row.key)), row.code, Number(row.answered), Number(row.met))
  return result
}

/**
 * Runs `fn` in one snapshot: a read-only REPEATABLE READ transaction, unless `db` already is a transaction
 * (then the caller chose its isolation). A worker run committing between two reads can then neither double
 * a rating (in the rollups and still pending) nor drop one.
 */
export async function inSnapshot<T> (db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db)
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn)
}

async function countsFor (db: Db, filter: FigureFilter, period: Period, grouping: Grouping, options: QueryOptions): Promise<CountsAnswer> {
  return options.source === 'ratings' ? { counts: await countsFromRatings(db, filter, period, grouping), rows: null } : exactCounts(db, filter, period, grouping)
}

/** A figure by name, as the benchmark and the plan guard (test/analytics/plans.test.ts) list them. */
export type FigureName = 'summary' | 'officers' | 'counters' | 'units' | 'timeseries hour' | 'timeseries day' | 'timeseries week' | 'timeseries month' | 'heatmap'

const groupings: Record<FigureName, Grouping> = {
  summary: { kind: 'none' },
  officers: { kind: 'officer' },
  counters: { kind: 'counter' },
  units: { kind: 'unit' },
  'timeseries hour': { kind: 'time', interval: 'hour' },
  'timeseries day': { kind: 'time', interval: 'day' },
  'timeseries week': { kind: 'time', interval: 'week' },
  'timeseries month': { kind: 'time', interval: 'month' },
  heatmap: { kind: 'heatmap' }
}

/** One node of EXPLAIN (FORMAT JSON)'s plan tree, as far as the plan guard and the benchmark read it. */
export interface PlanNode extends Record<string, unknown> {
  'Node Type': string
  'Relation Name'?: string
  Plans?: PlanNode[]
}

export interface FigurePlan {
  plan: PlanNode
  planningMs: number
  /** Set with `analyze: true` (the statement runs). */
  executionMs?: number
}

/**
 * EXPLAIN (FORMAT JSON) of the one statement that reads this figure from the rollups, built as the figure builds
 * it: what the plan guard and the benchmark check (no parallel workers, only the rows of the period's grains).
 */
export async function figurePlan (db: Db, figure: FigureName, filter: FigureFilter, options: { analyze?: boolean } = {}): Promise<FigurePlan> {
  const grouping = groupings[figure]
  const maxDays = grouping.kind === 'heatmap' ? MAX_HEATMAP_DAYS : grouping.kind === 'time' && grouping.interval === 'hour' ? MAX_HOURLY_DAYS : MAX_PERIOD_DAYS
  const period = periodOf(filter.from, filter.to, maxDays)
  const plan = planFor(filter, grouping)
  if (plan === 'ratings') throw new Error(`${figure} with this filter reads raw ratings, not one rollup statement`)
  const slots = (db.isTransaction ? undefined : slotCache.get(db)) ?? await slotList(db)
  const analyze = options.analyze === true ? sql`analyze, buffers, ` : sql``
  const result = await sql<{ 'QUERY PLAN': unknown }>`explain (${analyze}summary, format json) ${exactStatement(filter, period, grouping, plan, slots)}`.execute(db)
  // pg parses the json column; PGlite may hand it over as text.
  const raw = result.rows[0]!['QUERY PLAN']
  const [explained] = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{ Plan: PlanNode, 'Planning Time': number, 'Execution Time'?: number }>
  return { plan: explained!.Plan, planningMs: explained!['Planning Time'], executionMs: explained!['Execution Time'] }
}

/** The configured scale levels and active criteria, in one statement (beside the figure's, on another connection). */
async function catalogueOf (db: Db): Promise<Catalogue> {
  const result = await sql<{ levels: number[] | null, codes: string[] | null }>`select
    (select array_agg(level order by level desc) from scale_levels) as levels,
    (select array_agg(code order by position, code) from criteria where active) as codes`.execute(db)
  const row = result.rows[0]
  return { levels: (row?.levels ?? []).map(Number), criterionCodes: row?.codes ?? [] }
}

/** Figures for the whole subtree and period. */
export async function summary (db: Db, filter: FigureFilter, options: QueryOptions = {}): Promise<Figures> {
  const period = periodOf(filter.from, filter.to)
  const [{ counts }, catalogue] = await Promise.all([countsFor(db, filter, period, { kind: 'none' }, options), catalogueOf(db)])
  return toFigures(counts.get('') ?? emptyCounts(), catalogue)
}

const vietnamese = new Intl.Collator('vi')

/**
 * Names ranked in Vietnamese order, kept per process: sorting a province's 2,000 officers then compares integers
 * instead of calling the collator ~22,000 times (~3–6 ms a call, a quarter of the officers figure's time in
 * JavaScript). Names that compare equal share a rank. A name not seen yet re-ranks every name kept (as often as
 * officers are added); past MAX_RANKED names the list starts again, so it cannot grow without end.
 */
const nameRanks = new Map<string, number>()
const MAX_RANKED = 200_000

function rankedNames (names: string[]): Map<string, number> {
  if (names.every((name) => nameRanks.has(name))) return nameRanks
  const all = [...new Set([...(nameRanks.size + names.length > MAX_RANKED ? [] : nameRanks.keys()), ...names])].sort(vietnamese.compare)
  nameRanks.clear()
  let rank = 0
  for (let index = 0; index < all.length; index++) {
    if (index > 0 && vietnamese.compare(all[index - 1]!, all[index]!) !== 0) rank++
    nameRanks.set(all[index]!, rank)
  }
  return nameRanks
}

export interface OfficerFigures extends Figures {
  /** null: ratings given while no officer was signed in at the counter. */
  officerId: string | null
  fullName: string | null
  /** Fewer ratings than the minimum sample: too few to judge the officer on. */
  smallSample: boolean
}

/** One row per officer credited with ratings in the subtree and period, by name. */
export async function byOfficer (db: Db, filter: FigureFilter, options: QueryOptions & { minSample: number }): Promise<{ rows: OfficerFigures[] }> {
  const period = periodOf(filter.from, filter.to)
  const [{ counts, rows: read }, catalogue] = await Promise.all([countsFor(db, filter, period, { kind: 'officer' }, options), catalogueOf(db)])
  const ids = [...counts.keys()].filter((id) => id !== '')
  const officers = read !== null
    ? read.map((row) => ({ id: row.key === null ? '' : keyOf(row.key), full_name: row.full_name as string | null }))
    : ids.length === 0 ? [] : await db.selectFrom('officers').select(['id', 'full_name']).where('id', '=', sql<string>`any(${ids}::uuid[])`).execute()
  const names = new Map(officers.map((officer) => [officer.id, officer.full_name]))
  const rows = [...counts.entries()].map(([id, officerCounts]) => ({
    officerId: id === '' ? null : id,
    fullName: id === '' ? null : names.get(id) ?? null,
    smallSample: officerCounts.total < options.minSample,
    ...toFigures(officerCounts, catalogue)
  }))
  const ranks = rankedNames(rows.map((row) => row.fullName ?? ''))
  rows.sort((a, b) => a.officerId === null ? 1 : b.officerId === null ? -1 : ranks.get(a.fullName ?? '')! - ranks.get(b.fullName ?? '')! || a.officerId.localeCompare(b.officerId))
  return { rows }
}

export interface CounterFigures extends Figures {
  counterId: string
  unitId: string
  number: number
  name: string
}

/** One row per counter with ratings in the subtree and period, by unit and counter number. */
export async function byCounter (db: Db, filter: FigureFilter, options: QueryOptions = {}): Promise<{ rows: CounterFigures[] }> {
  const period = periodOf(filter.from, filter.to)
  const [{ counts, rows: read }, catalogue] = await Promise.all([countsFor(db, filter, period, { kind: 'counter' }, options), catalogueOf(db)])
  const ids = [...counts.keys()]
  const counters = read !== null
    ? read.filter((row) => counts.has(keyOf(row.key))).map((row) => ({ id: keyOf(row.key), unit_id: row.unit_id as string, number: Number(row.number), name: row.name as string }))
    : ids.length === 0
      ? []
    : await db.selectFrom('counters').innerJoin('units', 'units.id', 'counters.unit_id')
      .select(['counters.id', 'counters.unit_id', 'counters.number', 'counters.name', 'units.code as unit_code'])
      .where('counters.id', '=', sql<string>`any(${ids}::uuid[])`).orderBy('units.code').orderBy('counters.number').execute()
  return {
    rows: counters.map((counter) => ({
      counterId: counter.id, unitId: counter.unit_id, number: counter.number, name: counter.name,
      ...toFigures(counts.get(counter.id) ?? emptyCounts(), catalogue)
    }))
  }
}

export interface UnitFigures extends Figures {
  unitId: string
  code: string
  name: string
}

/** One row per child unit of the root, each over its whole subtree (a row for the root itself only if ratings sit on it directly). */
export async function byUnit (db: Db, filter: FigureFilter, options: QueryOptions = {}): Promise<{ rows: UnitFigures[] }> {
  const period = periodOf(filter.from, filter.to)
  const [counts, catalogue, children] = await Promise.all([
    countsFor(db, filter, period, { kind: 'unit' }, options).then((answer) => answer.counts),
    catalogueOf(db),
    filter.unitId === null
      ? db.selectFrom('units').select(['id', 'code', 'name']).where('parent_id', 'is', null).orderBy('code').execute()
      : db.selectFrom('units').select(['id', 'code', 'name']).where((eb) => eb.or([eb('parent_id', '=', filter.unitId), eb('id', '=', filter.unitId)])).orderBy('code').execute()
  ])
  const rows = children
    .filter((unit) => unit.id !== filter.unitId || counts.has(unit.id))
    .map((unit) => ({ unitId: unit.id, code: unit.code, name: unit.name, ...toFigures(counts.get(unit.id) ?? emptyCounts(), catalogue) }))
  return { rows }
}

export interface BucketFigures extends Figures {
  /** The bucket's start, ISO 8601 in +07:00. */
  bucket: string
}

/** One row per hour, day, week (Monday first) or month of the period, empty buckets included. */
export async function timeseries (db: Db, filter: FigureFilter & { interval: string }, options: QueryOptions = {}): Promise<{ rows: BucketFigures[] }> {
  const interval = filter.interval as Interval
  if (!intervals.includes(interval)) throw new AnalyticsInputError('INTERVAL_INVALID', `interval must be one of ${intervals.join(', ')}, got "${filter.interval}"`)
  const period = periodOf(filter.from, filter.to, interval === 'hour' ? MAX_HOURLY_DAYS : MAX_PERIOD_DAYS)
  const [{ counts }, catalogue] = await Promise.all([countsFor(db, filter, period, { kind: 'time', interval }, options), catalogueOf(db)])
  const rows: BucketFigures[] = []
  for (let bucket = bucketStart(period.start, interval); bucket < period.end; bucket = nextBucket(bucket, interval)) {
    rows.push({ bucket: toLocalIso(bucket), ...toFigures(counts.get(bucket.toISOString()) ?? emptyCounts(), catalogue) })
  }
  return { rows }
}

export interface HeatmapFigures extends Figures {
  /** 1 = Monday … 7 = Sunday, local time. */
  weekday: number
  /** 0–23, local time. */
  hour: number
}

/** 7 × 24 rows: figures by local weekday and hour of day. */
export async function heatmap (db: Db, filter: FigureFilter, options: QueryOptions = {}): Promise<{ rows: HeatmapFigures[] }> {
  const period = periodOf(filter.from, filter.to, MAX_HEATMAP_DAYS)
  const [{ counts }, catalogue] = await Promise.all([countsFor(db, filter, period, { kind: 'heatmap' }, options), catalogueOf(db)])
  const rows: HeatmapFigures[] = []
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      rows.push({ weekday, hour, ...toFigures(counts.get(`${weekday}:${hour}`) ?? emptyCounts(), catalogue) })
    }
  }
  return { rows }
}

export interface Labels {
  levels: Map<number, { vi: string, en: string }>
  criteria: Map<string, { vi: string, en: string }>
}

/** Names of the scale levels and criteria, for column headers of exports. */
export async function labels (db: Db): Promise<Labels> {
  const [levels, criteria] = await Promise.all([
    db.selectFrom('scale_levels').select(['level', 'label_vi', 'label_en']).execute(),
    db.selectFrom('criteria').select(['code', 'label_vi', 'label_en']).execute()
  ])
  return {
    levels: new Map(levels.map((row) => [row.level, { vi: row.label_vi, en: row.label_en }])),
    criteria: new Map(criteria.map((row) => [row.code, { vi: row.label_vi, en: row.label_en }]))
  }
}
