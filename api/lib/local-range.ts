// The `from`/`to` of list queries (cases, ratings, alerts): a YYYY-MM-DD is a whole local day in Asia/Ho_Chi_Minh, else an ISO 8601
// instant.
import { badRequest } from '../errors.ts'

const DAY = /^\d{4}-\d{2}-\d{2}$/

/** The start of `value`, or with `end` the instant just after it (the next local day, for a day). */
export function instant (value: string, end: boolean): Date {
  const day = DAY.test(value)
  const date = day ? new Date(`${value}T00:00:00+07:00`) : new Date(value)
  // A day that does not exist (2026-02-30) parses to another day, or to nothing.
  const valid = !Number.isNaN(date.getTime()) && (!day || new Date(date.getTime() + 7 * 3600_000).toISOString().slice(0, 10) === value)
  if (!valid) throw badRequest('INVALID_DATE', `${value} is not a date`)
  if (!end) return date
  return new Date(date.getTime() + (day ? 86_400_000 : 1))
}

/** `from` inclusive, `until` exclusive; 400 RANGE_INVALID when they cross. */
export function range (from: string | undefined, to: string | undefined): { from?: Date; until?: Date } {
  const start = from === undefined ? undefined : instant(from, false)
  const until = to === undefined ? undefined : instant(to, true)
  if (start !== undefined && until !== undefined && start.getTime() >= until.getTime()) {
    throw badRequest('RANGE_INVALID', '`from` must not be after `to`')
  }
  return { from: start, until }
}
