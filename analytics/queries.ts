// Figure queries for a unit subtree and period: summary, per officer / counter / child unit, time series and heat map,
// read from rollups (analytics/statement.ts) or raw ratings (analytics/oracle.ts, to check them).
import { sql } from 'kysely'
import type { Db } from '../db/schema.ts'
import { bucketStart, nextBucket, toLocalIso, type Interval } from './calendar.ts'
import { noCounts, toFigures, type Catalogue, type Figures } from './figures.ts'
import { countsFromRatings } from './oracle.ts'
import {
  AnalyticsInputError, MAX_HEATMAP_DAYS, MAX_HOURLY_DAYS, MAX_PERIOD_DAYS, intervals, periodOf,
  type FigureFilter, type Grouping, type Period
} from './period.ts'
import { exactCounts, exactStatement, keyOf, planFor, slotCache, slotList, type CountsAnswer } from './statement.ts'
import { channelCounts, channels, dossierCounts, type Channel } from './visit-figures.ts'

export type { Figures, CriterionFigure } from './figures.ts'
export type { Interval } from './calendar.ts'
export {
  AnalyticsInputError, MAX_HEATMAP_DAYS, MAX_HOURLY_DAYS, MAX_PERIOD_DAYS, intervals, periodOf, type FigureFilter, type Period
} from './period.ts'
export { inSnapshot } from './statement.ts'
export { caseFigures, type CaseFigures, type UnitCaseFigures } from './case-figures.ts'
export { visits, type Visits, type VisitCounts, type CounterVisits, type CounterDayVisits, type Channel } from './visit-figures.ts'

export interface QueryOptions {
  /** Where counts come from: the rollups (default), or the raw ratings (to check the rollups, and the benchmark baseline). */
  source?: 'rollups' | 'ratings'
}

/**
 * The counts and per-dossier counts of a figure: from the rollups (one statement reads both), or from raw ratings
 * (the oracle; and hours of one counter or officer), the dossiers then read beside them.
 */
async function countsFor (db: Db, filter: FigureFilter, period: Period, grouping: Grouping, options: QueryOptions): Promise<CountsAnswer> {
  const plan = options.source === 'ratings' ? 'ratings' : planFor(filter, grouping)
  if (plan !== 'ratings') return exactCounts(db, filter, period, grouping, plan)
  // Hours of one counter or officer: a few hundred ratings through an index, a figure read like the others (serial).
  const [counts, dossiers] = await Promise.all([
    countsFromRatings(db, filter, period, grouping, options.source === 'ratings' ? {} : { serial: true }),
    dossierCounts(db, filter, period, grouping)
  ])
  return { counts, rows: null, dossiers }
}

/** A figure by name, as the benchmark and the plan guard (test/analytics/plans.test.ts) list them. */
export type FigureName = 'summary' | 'officers' | 'counters' | 'units'
  | 'timeseries hour' | 'timeseries day' | 'timeseries week' | 'timeseries month' | 'heatmap'

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
export async function figurePlan (
  db: Db, figure: FigureName, filter: FigureFilter, options: { analyze?: boolean } = {}
): Promise<FigurePlan> {
  const grouping = groupings[figure]
  const maxDays = grouping.kind === 'heatmap'
    ? MAX_HEATMAP_DAYS
    : grouping.kind === 'time' && grouping.interval === 'hour' ? MAX_HOURLY_DAYS : MAX_PERIOD_DAYS
  const period = periodOf(filter.from, filter.to, maxDays)
  const plan = planFor(filter, grouping)
  if (plan === 'ratings') throw new Error(`${figure} with this filter reads raw ratings, not one rollup statement`)
  const slots = (db.isTransaction ? undefined : slotCache.get(db)) ?? await slotList(db)
  const analyze = options.analyze === true ? sql`analyze, buffers, ` : sql``
  const statement = exactStatement(filter, period, grouping, plan, slots)
  const result = await sql<{ 'QUERY PLAN': unknown }>`explain (${analyze}summary, format json) ${statement}`.execute(db)
  // pg parses the json column; PGlite may hand it over as text.
  const raw = result.rows[0]!['QUERY PLAN']
  type Explained = Array<{ Plan: PlanNode, 'Planning Time': number, 'Execution Time'?: number }>
  const [explained] = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Explained
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
  const [{ counts, dossiers }, catalogue] = await Promise.all([countsFor(db, filter, period, { kind: 'none' }, options), catalogueOf(db)])
  return toFigures(counts.get('') ?? noCounts, catalogue, undefined, dossiers.get(''))
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
export async function byOfficer (
  db: Db, filter: FigureFilter, options: QueryOptions & { minSample: number }
): Promise<{ rows: OfficerFigures[] }> {
  const period = periodOf(filter.from, filter.to)
  const [{ counts, rows: read, dossiers }, catalogue] = await Promise.all([
    countsFor(db, filter, period, { kind: 'officer' }, options), catalogueOf(db)
  ])
  const ids = [...counts.keys()].filter((id) => id !== '')
  const names = new Map<string, string | null>()
  if (read !== null) for (const row of read) names.set(row.key === null ? '' : keyOf(row.key), row.full_name as string | null)
  else if (ids.length > 0) {
    const officers = await db.selectFrom('officers').select(['id', 'full_name'])
      .where('id', '=', sql<string>`any(${ids}::uuid[])`).execute()
    for (const officer of officers) names.set(officer.id, officer.full_name)
  }
  const rows: OfficerFigures[] = []
  // forEach: iterating a Map with for…of allocates an entry per key (2,001 officers a call).
  counts.forEach((officerCounts, id) => {
    rows.push(toFigures(officerCounts, catalogue, {
      officerId: id === '' ? null : id,
      fullName: id === '' ? null : names.get(id) ?? null,
      smallSample: officerCounts.total < options.minSample
    }, dossiers.get(id)))
  })
  const ranks = rankedNames(rows.map((row) => row.fullName ?? ''))
  rows.sort((a, b) => a.officerId === null
    ? 1
    : b.officerId === null ? -1 : ranks.get(a.fullName ?? '')! - ranks.get(b.fullName ?? '')! || a.officerId.localeCompare(b.officerId))
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
  const [{ counts, rows: read, dossiers }, catalogue] = await Promise.all([
    countsFor(db, filter, period, { kind: 'counter' }, options), catalogueOf(db)
  ])
  const ids = [...counts.keys()]
  const counters = read !== null
    ? read.filter((row) => counts.has(keyOf(row.key)))
      .map((row) => ({ id: keyOf(row.key), unit_id: row.unit_id as string, number: Number(row.number), name: row.name as string }))
    : ids.length === 0
      ? []
      : await db.selectFrom('counters').innerJoin('units', 'units.id', 'counters.unit_id')
        .select(['counters.id', 'counters.unit_id', 'counters.number', 'counters.name', 'units.code as unit_code'])
        .where('counters.id', '=', sql<string>`any(${ids}::uuid[])`).orderBy('units.code').orderBy('counters.number').execute()
  return {
    rows: counters.map((counter) => toFigures(counts.get(counter.id) ?? noCounts, catalogue, {
      counterId: counter.id,
      unitId: counter.unit_id,
      number: counter.number,
      name: counter.name
    }, dossiers.get(counter.id)))
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
  const [{ counts, dossiers }, catalogue, children] = await Promise.all([
    countsFor(db, filter, period, { kind: 'unit' }, options),
    catalogueOf(db),
    filter.unitId === null
      ? db.selectFrom('units').select(['id', 'code', 'name']).where('parent_id', 'is', null).orderBy('code').execute()
      : db.selectFrom('units').select(['id', 'code', 'name'])
        .where((eb) => eb.or([eb('parent_id', '=', filter.unitId), eb('id', '=', filter.unitId)])).orderBy('code').execute()
  ])
  const rows = children
    .filter((unit) => unit.id !== filter.unitId || counts.has(unit.id))
    .map((unit) => toFigures(counts.get(unit.id) ?? noCounts, catalogue, { unitId: unit.id, code: unit.code, name: unit.name },
      dossiers.get(unit.id)))
  return { rows }
}

export interface BucketFigures extends Figures {
  /** The bucket's start, ISO 8601 in +07:00. */
  bucket: string
}

/** One row per hour, day, week (Monday first) or month of the period, empty buckets included. */
export async function timeseries (
  db: Db, filter: FigureFilter & { interval: string }, options: QueryOptions = {}
): Promise<{ rows: BucketFigures[] }> {
  const interval = filter.interval as Interval
  if (!intervals.includes(interval)) {
    throw new AnalyticsInputError('INTERVAL_INVALID', `interval must be one of ${intervals.join(', ')}, got "${filter.interval}"`)
  }
  const period = periodOf(filter.from, filter.to, interval === 'hour' ? MAX_HOURLY_DAYS : MAX_PERIOD_DAYS)
  const [{ counts, dossiers }, catalogue] = await Promise.all([
    countsFor(db, filter, period, { kind: 'time', interval }, options), catalogueOf(db)
  ])
  const rows: BucketFigures[] = []
  for (let bucket = bucketStart(period.start, interval); bucket < period.end; bucket = nextBucket(bucket, interval)) {
    const key = bucket.toISOString()
    rows.push(toFigures(counts.get(key) ?? noCounts, catalogue, { bucket: toLocalIso(bucket) }, dossiers.get(key)))
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
  const [{ counts, dossiers }, catalogue] = await Promise.all([
    countsFor(db, filter, period, { kind: 'heatmap' }, options), catalogueOf(db)
  ])
  const rows: HeatmapFigures[] = []
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      const key = `${weekday}:${hour}`
      rows.push(toFigures(counts.get(key) ?? noCounts, catalogue, { weekday, hour }, dossiers.get(key)))
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

export interface ChannelFigures extends Figures {
  /** touch: the counter's terminal; button: the button box; phone: rated later from the citizen's phone (/r/<code>). */
  channel: Channel
}

/** One row per channel (touch, button, phone), every channel listed even at zero. */
export async function byChannel (db: Db, filter: FigureFilter, options: QueryOptions = {}): Promise<{ rows: ChannelFigures[] }> {
  const period = periodOf(filter.from, filter.to)
  const [{ counts, dossiers }, catalogue] = await Promise.all([channelCounts(db, filter, period, options), catalogueOf(db)])
  return { rows: channels.map((channel) => ({ channel, ...toFigures(counts.get(channel)!, catalogue, dossiers.get(channel)) })) }
}
