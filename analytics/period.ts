// A figure's input and period coverage (pure): the period of whole local days, its limits, and the cheapest rollup rows covering it.
import type { ErrorCode } from '../contract/errors.ts'
import type { RollupGrain as Grain } from '../db/schema.ts'
import { DAY, monthStart, nextMonthStart, nextYearStart, parseLocalDate, yearStart, type Interval } from './calendar.ts'

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
  if (days > maxDays) {
    throw new AnalyticsInputError('RANGE_TOO_LONG', `the period is ${days} days; at most ${maxDays} days are allowed here`)
  }
  return { start, end: new Date(last.getTime() + DAY), days }
}

/** What a figure groups its counts by. */
export type Grouping =
  | { kind: 'none' }
  | { kind: 'officer' }
  | { kind: 'counter' }
  | { kind: 'unit' }
  | { kind: 'time', interval: Interval }
  | { kind: 'heatmap' }

/** Rollup rows of one grain over [start, end), added (sign 1) or taken away (sign −1). */
export interface Segment { grain: Grain, start: Date, end: Date, sign: 1 | -1 }

const alignDown = (at: Date, grain: 'year' | 'month'): Date => grain === 'year' ? yearStart(at) : monthStart(at)
const alignUp = (at: Date, grain: 'year' | 'month'): Date =>
  alignDown(at, grain).getTime() === at.getTime() ? at : grain === 'year' ? nextYearStart(at) : nextMonthStart(at)

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

/**
 * [start, end) as whole years, then whole months, then days: the fewest rollup rows (e.g. the last 365 days: two year
 * rows less a month and a few days each).
 */
function cover (start: Date, end: Date, useYears: boolean, fine: Fine = coverMonths): Segment[] {
  if (start >= end) return []
  if (!useYears) return fine(start, end)
  const first = alignUp(start, 'year')
  const last = alignDown(end, 'year')
  if (first < last) {
    return [...partOfYear(start, first, fine), { grain: 'year', start: first, end: last, sign: 1 }, ...partOfYear(last, end, fine)]
  }
  if (start < first && first < end) return [...partOfYear(start, first, fine), ...partOfYear(first, end, fine)]
  return partOfYear(start, end, fine)
}

/** The cheapest rollup rows covering the period for this grouping. */
export function segmentsFor (period: Period, grouping: Grouping): Segment[] {
  // The heat map: years of weekday × hour cells (heatmap_rollups), the rest as hour rows.
  if (grouping.kind === 'heatmap') return cover(period.start, period.end, true, hourRange)
  if (grouping.kind === 'time' && grouping.interval === 'hour') return [{ grain: 'hour', start: period.start, end: period.end, sign: 1 }]
  if (grouping.kind === 'time' && grouping.interval !== 'month') return [{ grain: 'day', start: period.start, end: period.end, sign: 1 }]
  // A monthly series cannot read year rows (they would merge its months).
  return cover(period.start, period.end, grouping.kind !== 'time')
}
