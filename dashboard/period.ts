// Date presets in local days (Asia/Ho_Chi_Minh, UTC+7 all year), the previous period and number formats.
import { locale, text, type Lang } from './i18n.ts'

export type Preset = 'today' | '7d' | 'month' | 'quarter' | 'year' | 'custom'
export const presets: Preset[] = ['today', '7d', 'month', 'quarter', 'year', 'custom']

export interface Period {
  from: string
  to: string
}

const DAY = 86_400_000
const OFFSET = 7 * 3_600_000

/** A local day as YYYY-MM-DD. */
const iso = (utcMidnight: number): string => new Date(utcMidnight).toISOString().slice(0, 10)
const parse = (day: string): number => Date.parse(`${day}T00:00:00Z`)

/** Today in Vietnam, whatever the browser's zone. */
export function localToday (now = Date.now()): string {
  return iso(now + OFFSET)
}

export function presetPeriod (preset: Preset, today = localToday()): Period {
  const [year, month] = today.split('-').map(Number) as [number, number]
  switch (preset) {
    case 'today':
      return { from: today, to: today }
    case '7d':
      return { from: iso(parse(today) - 6 * DAY), to: today }
    case 'quarter':
      return { from: iso(Date.UTC(year, Math.floor((month - 1) / 3) * 3, 1)), to: today }
    case 'year':
      return { from: `${year}-01-01`, to: today }
    default:
      return { from: iso(Date.UTC(year, month - 1, 1)), to: today }
  }
}

export const days = (period: Period): number => Math.round((parse(period.to) - parse(period.from)) / DAY) + 1

/** The same number of days just before. */
export function previousPeriod (period: Period): Period {
  const length = days(period)
  return { from: iso(parse(period.from) - length * DAY), to: iso(parse(period.from) - DAY) }
}

export const isDay = (value: string | undefined): value is string =>
  value !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(parse(value))

/** The trend's bucket size for a period. */
export const intervalFor = (period: Period): 'hour' | 'day' | 'week' | 'month' => {
  const length = days(period)
  return length <= 2 ? 'hour' : length <= 62 ? 'day' : length <= 200 ? 'week' : 'month'
}

export const percent = (lang: Lang, value: number | null): string =>
  value === null
    ? '–'
    : new Intl.NumberFormat(locale(lang), { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value)
export const decimal = (lang: Lang, value: number | null, digits = 1): string =>
  value === null ? '–' : new Intl.NumberFormat(locale(lang), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value)
export const integer = (lang: Lang, value: number): string => new Intl.NumberFormat(locale(lang)).format(value)
/** A date as 30/11/2026 (en: 30/11/2026): always four-digit years. */
const dateParts: Intl.DateTimeFormatOptions = { day: '2-digit', month: '2-digit', year: 'numeric' }
export const dateTime = (lang: Lang, value: string): string =>
  `${new Intl.DateTimeFormat(locale(lang), { ...dateParts, timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(value))} ${new Intl.DateTimeFormat(locale(lang), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(value))}`
export const time = (lang: Lang, value: string): string =>
  new Intl.DateTimeFormat(locale(lang), {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZone: 'Asia/Ho_Chi_Minh'
  }).format(new Date(value))
export const dayLabel = (lang: Lang, day: string): string =>
  new Intl.DateTimeFormat(locale(lang), { ...dateParts, timeZone: 'UTC' }).format(new Date(parse(day)))
/** A month as the year trend labels it: "Th1/2026" in Vietnamese, "Jan 2026" in English. */
export const monthLabel = (lang: Lang, day: string): string =>
  lang === 'vi'
    ? `Th${Number(day.slice(5, 7))}/${day.slice(0, 4)}`
    : new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(parse(day.slice(0, 10))))
/** A trend bucket's label: the hour, the day (30/11), or the month. */
export const bucketLabel = (lang: Lang, bucket: string, interval: string): string =>
  interval === 'hour'
    ? bucket.slice(11, 16)
    : interval === 'month'
      ? monthLabel(lang, bucket)
      : `${bucket.slice(8, 10)}/${bucket.slice(5, 7)}`
/** Names in Vietnamese alphabetical order (Đ after D, Ô after O), whatever the language shown. */
export const vietnameseOrder = new Intl.Collator('vi').compare
/** A duration as "2 giờ 05 phút" / "3 ngày 4 giờ". */
export function age (lang: Lang, seconds: number): string {
  const [day, hour, minute] = text(lang, 'ageUnits').split(',') as [string, string, string]
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} ${minute}`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} ${hour} ${String(minutes % 60).padStart(2, '0')} ${minute}`
  return `${Math.floor(hours / 24)} ${day} ${hours % 24} ${hour}`
}
