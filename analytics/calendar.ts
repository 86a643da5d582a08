// Calendar buckets in Asia/Ho_Chi_Minh: UTC+7 all year (no DST), so plain arithmetic on instants is exact.
export const LOCAL_OFFSET_MS = 7 * 3600_000
const HOUR_MS = 3600_000
export const DAY_MS = 24 * HOUR_MS

export type Interval = 'hour' | 'day' | 'week' | 'month'

/** The start of the local hour holding `at` (the same instant as the UTC hour: the offset is whole hours). */
export function hourStart (at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS)
}

/** The instant local midnight begins the day holding `at`. */
export function dayStart (at: Date): Date {
  return new Date(Math.floor((at.getTime() + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS - LOCAL_OFFSET_MS)
}

/** The instant the local month holding `at` begins. */
export function monthStart (at: Date): Date {
  const local = new Date(at.getTime() + LOCAL_OFFSET_MS)
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 1) - LOCAL_OFFSET_MS)
}

/** The instant the local year holding `at` begins. */
export function yearStart (at: Date): Date {
  const local = new Date(at.getTime() + LOCAL_OFFSET_MS)
  return new Date(Date.UTC(local.getUTCFullYear(), 0, 1) - LOCAL_OFFSET_MS)
}

/** The instant the next local year begins. */
export function nextYearStart (at: Date): Date {
  const local = new Date(at.getTime() + LOCAL_OFFSET_MS)
  return new Date(Date.UTC(local.getUTCFullYear() + 1, 0, 1) - LOCAL_OFFSET_MS)
}

/** The instant the next local month begins. */
export function nextMonthStart (at: Date): Date {
  const local = new Date(monthStart(at).getTime() + LOCAL_OFFSET_MS)
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1) - LOCAL_OFFSET_MS)
}

/** The instant the local ISO week (Monday first) holding `at` begins. */
export function weekStart (at: Date): Date {
  const day = dayStart(at)
  return new Date(day.getTime() - (localWeekday(day) - 1) * DAY_MS)
}

/** 1 = Monday … 7 = Sunday, local time. */
export function localWeekday (at: Date): number {
  const weekday = new Date(at.getTime() + LOCAL_OFFSET_MS).getUTCDay()
  return weekday === 0 ? 7 : weekday
}

/** 0–23, local time. */
export function localHour (at: Date): number {
  return new Date(at.getTime() + LOCAL_OFFSET_MS).getUTCHours()
}

export function bucketStart (at: Date, interval: Interval): Date {
  switch (interval) {
    case 'hour': return hourStart(at)
    case 'day': return dayStart(at)
    case 'week': return weekStart(at)
    case 'month': return monthStart(at)
  }
}

export function nextBucket (start: Date, interval: Interval): Date {
  switch (interval) {
    case 'hour': return new Date(start.getTime() + HOUR_MS)
    case 'day': return new Date(start.getTime() + DAY_MS)
    case 'week': return new Date(start.getTime() + 7 * DAY_MS)
    case 'month': return nextMonthStart(start)
  }
}

/** ISO 8601 in +07:00, e.g. 2026-11-01T00:00:00+07:00. */
export function toLocalIso (at: Date): string {
  return new Date(at.getTime() + LOCAL_OFFSET_MS).toISOString().slice(0, 19) + '+07:00'
}

/** A `YYYY-MM-DD` local date's midnight as an instant; null when it is not a real date. */
export function parseLocalDate (text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (match === null) return null
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const utc = Date.UTC(year, month - 1, day)
  const check = new Date(utc)
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null
  return new Date(utc - LOCAL_OFFSET_MS)
}

/** The local date (`YYYY-MM-DD`) holding `at`. */
export function toLocalDate (at: Date): string {
  return new Date(at.getTime() + LOCAL_OFFSET_MS).toISOString().slice(0, 10)
}

export const DAY = DAY_MS
