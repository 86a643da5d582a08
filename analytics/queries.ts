// Figure queries for a unit subtree and period: summary, per officer / counter / child unit, time series and heat map, read from rollups (or raw ratings, to check them).
import { sql, type RawBuilder } from 'kysely'
import type { Category } from '../api/db/schema.ts'
import { DAY, bucketStart, localHour, localWeekday, monthStart, nextBucket, nextMonthStart, parseLocalDate, toLocalIso, type Interval } from './calendar.ts'
import { addCategory, addCounts, addCriterion, emptyCounts, toFigures, type Catalogue, type Counts, type Figures } from './figures.ts'
import { LEVELS, sqlLocalBucket, type Db, type Grain } from './rollups.ts'

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
  constructor (readonly code: 'RANGE_INVALID' | 'RANGE_TOO_LONG' | 'INTERVAL_INVALID', message: string) {
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

interface Segment { grain: Grain, start: Date, end: Date }

/** The cheapest rollup rows covering the period: whole local months from the month grain, the days around them from the day grain. */
function segmentsFor (period: Period, grouping: Grouping): Segment[] {
  if (grouping.kind === 'heatmap' || (grouping.kind === 'time' && grouping.interval === 'hour')) return [{ grain: 'hour', start: period.start, end: period.end }]
  if (grouping.kind === 'time' && grouping.interval !== 'month') return [{ grain: 'day', start: period.start, end: period.end }]
  const firstMonth = monthStart(period.start).getTime() === period.start.getTime() ? period.start : nextMonthStart(period.start)
  const endMonth = monthStart(period.end)
  if (firstMonth >= endMonth) return [{ grain: 'day', start: period.start, end: period.end }]
  const segments: Segment[] = [{ grain: 'month', start: firstMonth, end: endMonth }]
  if (period.start < firstMonth) segments.push({ grain: 'day', start: period.start, end: firstMonth })
  if (endMonth < period.end) segments.push({ grain: 'day', start: endMonth, end: period.end })
  return segments
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

function treeSql (tree: Tree): RawBuilder<unknown> {
  return sql`with tree (id, top) as (select * from unnest(${tree.ids}::uuid[], ${tree.tops}::uuid[]))`
}

function filterSql (filter: FigureFilter, alias: 'r'): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = []
  if (filter.counterId != null) parts.push(sql`and ${sql.ref(`${alias}.counter_id`)} = ${filter.counterId}`)
  if (filter.officerId != null) parts.push(sql`and ${sql.ref(`${alias}.officer_id`)} = ${filter.officerId}`)
  if (filter.includeMisuse !== true) parts.push(sql`and not ${sql.ref(`${alias}.misuse`)}`)
  return sql.join(parts, sql` `)
}

function rollupKeySql (grouping: Grouping): RawBuilder<unknown> {
  switch (grouping.kind) {
    case 'none': return sql`''`
    case 'officer': return sql`coalesce(r.officer_id::text, '')`
    case 'counter': return sql`r.counter_id::text`
    case 'unit': return sql`t.top::text`
    default: return sql`r.bucket`
  }
}

function rawKeySql (grouping: Grouping): RawBuilder<unknown> {
  switch (grouping.kind) {
    case 'time': return sqlLocalBucket(sql`r.counted_at`, grouping.interval)
    case 'heatmap': {
      const local = sql`((r.counted_at at time zone 'UTC') + interval '7 hours')`
      return sql`(extract(isodow from ${local})::int::text || ':' || extract(hour from ${local})::int::text)`
    }
    default: return rollupKeySql(grouping)
  }
}

const keyOf = (value: unknown): string => value instanceof Date ? value.toISOString() : String(value)

function countsAt (map: Map<string, Counts>, key: string): Counts {
  let counts = map.get(key)
  if (counts === undefined) {
    counts = emptyCounts()
    map.set(key, counts)
  }
  return counts
}

interface RollupRow extends Record<string, unknown> { key: unknown, total: number, satisfied: number, neutral: number, unsatisfied: number, weight_sum: number }
interface CriterionRow { key: unknown, code: string, answered: number, met: number }

const levelSums = sql.join(Array.from({ length: LEVELS }, (_, index) => sql`sum(r.${sql.ref(`level_${index + 1}`)}) as ${sql.ref(`level_${index + 1}`)}`))

async function countsFromRollups (db: Db, filter: FigureFilter, period: Period, grouping: Grouping): Promise<Map<string, Counts>> {
  const tree = await subtreeOf(db, filter.unitId)
  if (tree.ids.length === 0) return new Map()
  const key = rollupKeySql(grouping)
  const where = (segment: Segment): RawBuilder<unknown> =>
    sql`r.grain = ${segment.grain} and r.bucket >= ${segment.start} and r.bucket < ${segment.end} ${filterSql(filter, 'r')}`
  const segments = segmentsFor(period, grouping)
  const rollups = sql.join(segments.map((segment) => sql`(${treeSql(tree)}
    select ${key} as key, sum(r.total) as total, sum(r.satisfied) as satisfied, sum(r.neutral) as neutral,
      sum(r.unsatisfied) as unsatisfied, sum(r.weight_sum) as weight_sum, ${levelSums}
    from rating_rollups r join tree t on t.id = r.unit_id where ${where(segment)} group by 1)`), sql` union all `)
  const criteria = sql.join(segments.map((segment) => sql`(${treeSql(tree)}
    select ${key} as key, r.criterion_code as code, sum(r.answered) as answered, sum(r.met) as met
    from rating_criterion_rollups r join tree t on t.id = r.unit_id where ${where(segment)} group by 1, 2)`), sql` union all `)
  const [rows, criterionRows] = await Promise.all([
    sql<RollupRow>`${rollups}`.execute(db),
    sql<CriterionRow>`${criteria}`.execute(db)
  ])
  const fold = (value: unknown): string => {
    if (grouping.kind === 'time') return bucketStart(value as Date, grouping.interval).toISOString()
    if (grouping.kind === 'heatmap') return `${localWeekday(value as Date)}:${localHour(value as Date)}`
    return keyOf(value)
  }
  const result = new Map<string, Counts>()
  for (const row of rows.rows) {
    const counts = countsAt(result, fold(row.key))
    const part = emptyCounts()
    // Sums may arrive as strings where a driver has no numeric parser: read every count with Number().
    part.total = Number(row.total)
    part.satisfied = Number(row.satisfied)
    part.neutral = Number(row.neutral)
    part.unsatisfied = Number(row.unsatisfied)
    part.weightSum = Number(row.weight_sum)
    for (let level = 1; level <= LEVELS; level++) {
      const count = Number(row[`level_${level}`])
      if (count > 0) part.byLevel.set(level, count)
    }
    addCounts(counts, part)
  }
  for (const row of criterionRows.rows) addCriterion(countsAt(result, fold(row.key)), row.code, Number(row.answered), Number(row.met))
  return result
}

async function countsFromRatings (db: Db, filter: FigureFilter, period: Period, grouping: Grouping, pendingOnly = false): Promise<Map<string, Counts>> {
  const tree = await subtreeOf(db, filter.unitId)
  if (tree.ids.length === 0) return new Map()
  const key = rawKeySql(grouping)
  // pendingOnly: the ratings the rollup worker has not added yet (a few, through ratings_rollup_pending_idx).
  const where = sql`r.counted_at >= ${period.start} and r.counted_at < ${period.end} ${filterSql(filter, 'r')}${pendingOnly ? sql` and not r.rolled_up` : sql``}`
  const [rows, criterionRows] = await Promise.all([
    sql<{ key: unknown, level: number, category: Category, total: number, weight_sum: number }>`${treeSql(tree)}
      select ${key} as key, r.level, r.category, count(*) as total, sum(r.weight) as weight_sum
      from ratings r join tree t on t.id = r.unit_id where ${where} group by 1, 2, 3`.execute(db),
    sql<CriterionRow>`${treeSql(tree)}
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

/** Rollups plus the ratings still pending (`not rolled_up`), read in one snapshot: exact while the worker catches up. */
function exactCounts (db: Db, filter: FigureFilter, period: Period, grouping: Grouping): Promise<Map<string, Counts>> {
  return inSnapshot(db, async (trx) => {
    const result = await countsFromRollups(trx, filter, period, grouping)
    const pending = await countsFromRatings(trx, filter, period, grouping, true)
    for (const [key, counts] of pending) addCounts(countsAt(result, key), counts)
    return result
  })
}

function countsFor (db: Db, filter: FigureFilter, period: Period, grouping: Grouping, options: QueryOptions): Promise<Map<string, Counts>> {
  return options.source === 'ratings' ? countsFromRatings(db, filter, period, grouping) : exactCounts(db, filter, period, grouping)
}

async function catalogueOf (db: Db): Promise<Catalogue> {
  const [levels, criteria] = await Promise.all([
    db.selectFrom('scale_levels').select('level').orderBy('level', 'desc').execute(),
    db.selectFrom('criteria').select('code').where('active', '=', true).orderBy('position').orderBy('code').execute()
  ])
  return { levels: levels.map((row) => row.level), criterionCodes: criteria.map((row) => row.code) }
}

/** Figures for the whole subtree and period. */
export async function summary (db: Db, filter: FigureFilter, options: QueryOptions = {}): Promise<Figures> {
  const period = periodOf(filter.from, filter.to)
  const [counts, catalogue] = await Promise.all([countsFor(db, filter, period, { kind: 'none' }, options), catalogueOf(db)])
  return toFigures(counts.get('') ?? emptyCounts(), catalogue)
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
  const [counts, catalogue] = await Promise.all([countsFor(db, filter, period, { kind: 'officer' }, options), catalogueOf(db)])
  const ids = [...counts.keys()].filter((id) => id !== '')
  const officers = ids.length === 0 ? [] : await db.selectFrom('officers').select(['id', 'full_name']).where('id', 'in', ids).execute()
  const names = new Map(officers.map((officer) => [officer.id, officer.full_name]))
  const rows = [...counts.entries()].map(([id, officerCounts]) => ({
    officerId: id === '' ? null : id,
    fullName: id === '' ? null : names.get(id) ?? null,
    smallSample: officerCounts.total < options.minSample,
    ...toFigures(officerCounts, catalogue)
  }))
  rows.sort((a, b) => a.officerId === null ? 1 : b.officerId === null ? -1 : (a.fullName ?? '').localeCompare(b.fullName ?? '', 'vi') || a.officerId.localeCompare(b.officerId))
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
  const [counts, catalogue] = await Promise.all([countsFor(db, filter, period, { kind: 'counter' }, options), catalogueOf(db)])
  const ids = [...counts.keys()]
  const counters = ids.length === 0
    ? []
    : await db.selectFrom('counters').innerJoin('units', 'units.id', 'counters.unit_id')
      .select(['counters.id', 'counters.unit_id', 'counters.number', 'counters.name', 'units.code as unit_code'])
      .where('counters.id', 'in', ids).orderBy('units.code').orderBy('counters.number').execute()
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
    countsFor(db, filter, period, { kind: 'unit' }, options),
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
  const [counts, catalogue] = await Promise.all([countsFor(db, filter, period, { kind: 'time', interval }, options), catalogueOf(db)])
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
  const [counts, catalogue] = await Promise.all([countsFor(db, filter, period, { kind: 'heatmap' }, options), catalogueOf(db)])
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
