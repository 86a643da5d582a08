// Figures as Excel-ready CSV for people: a title line (unit, period), human columns first, rates in per cent; vi or en.
import { stringify } from 'csv-stringify/sync'
import type { Figures, Labels } from '../../../analytics/queries.ts'
import type { CaseFigures, CaseStats, VisitCounts, VisitStats } from '../../../contract/stats.ts'

export type Lang = 'vi' | 'en'

/** A key column of a row kind: its field and header in each language; `id` columns go last (for machines, not people). */
export interface KeyColumn {
  field: string
  vi: string
  en: string
  id?: true
  /** Names of the field's values, for a field that holds a code (a channel). */
  names?: Record<string, { vi: string, en: string }>
}

export const keyColumns = {
  summary: [],
  officers: [
    { field: 'fullName', vi: 'Họ và tên', en: 'Full name' },
    { field: 'smallSample', vi: 'Mẫu nhỏ', en: 'Small sample' },
    { field: 'officerId', vi: 'ID cán bộ', en: 'Officer ID', id: true }
  ],
  counters: [
    { field: 'number', vi: 'Số quầy', en: 'Counter number' },
    { field: 'name', vi: 'Tên quầy', en: 'Counter name' },
    { field: 'counterId', vi: 'ID quầy', en: 'Counter ID', id: true },
    { field: 'unitId', vi: 'ID đơn vị', en: 'Unit ID', id: true }
  ],
  units: [
    { field: 'code', vi: 'Mã đơn vị', en: 'Unit code' },
    { field: 'name', vi: 'Tên đơn vị', en: 'Unit name' },
    { field: 'unitId', vi: 'ID đơn vị', en: 'Unit ID', id: true }
  ],
  timeseries: [{ field: 'bucket', vi: 'Bắt đầu', en: 'Bucket start' }],
  heatmap: [
    { field: 'weekday', vi: 'Thứ (1 = Thứ Hai)', en: 'Weekday (1 = Monday)' },
    { field: 'hour', vi: 'Giờ', en: 'Hour' }
  ],
  channels: [
    {
      field: 'channel',
      vi: 'Kênh',
      en: 'Channel',
      names: {
        touch: { vi: 'Màn hình tại quầy', en: 'Counter terminal' },
        button: { vi: 'Hộp nút bấm', en: 'Button box' },
        phone: { vi: 'Điện thoại (đánh giá sau)', en: 'Phone (rated later)' }
      }
    }
  ]
} satisfies Record<string, KeyColumn[]>

const figureHeaders = {
  total: { vi: 'Tổng số lượt đánh giá', en: 'Total ratings' },
  satisfied: { vi: 'Số lượt hài lòng', en: 'Satisfied' },
  neutral: { vi: 'Số lượt bình thường', en: 'Neutral' },
  unsatisfied: { vi: 'Số lượt không hài lòng', en: 'Unsatisfied' },
  satisfactionRate: { vi: 'Tỷ lệ hài lòng (%)', en: 'Satisfaction rate (%)' },
  rate766: { vi: 'Tỷ lệ theo QĐ 766 (%)', en: 'Rate (Decision 766) (%)' },
  rate766Basis: { vi: 'Cách tính QĐ 766', en: 'Decision 766 basis' },
  dossiers: { vi: 'Số hồ sơ được đánh giá', en: 'Dossiers rated' },
  scoreIndex: { vi: 'Chỉ số điểm (0–100)', en: 'Score index (0–100)' }
} as const

/** How the 766 rate was counted, as the dashboard says it. */
export const basisNames = {
  dossier: { vi: 'theo hồ sơ', en: 'per dossier' },
  rating: { vi: 'theo lượt đánh giá', en: 'per rating' }
} as const

/**
 * The field separator. Excel opens a .csv with the list separator of the reader's Windows region: in vi-VN the decimal
 * mark is a comma, so the list separator is `;`; in en-US it is `,` with a decimal point. So the Vietnamese file
 * (decimal comma: `73,9`) is separated by `;` and the English one (`73.9`) by `,`, and each opens in columns in the
 * locale it is written for. No `sep=;` first line: it is an Excel-only hack that other readers (LibreOffice, pandas,
 * R, csvkit) take as data, and Excel then ignores the BOM, losing the diacritics.
 */
export const separators: Record<Lang, string> = { vi: ';', en: ',' }

/** A number written by us as text with one decimal (`73,9`): a number to a spreadsheet, so never formula-escaped (`-5,0`). */
export class Decimal {
  constructor (readonly text: string) {}
}

/** A fraction (0.739130…) as per cent with one decimal in the language's decimal mark: `73,9` (vi), `73.9` (en). */
export function percent (fraction: number | null | undefined, lang: Lang): Decimal | string {
  if (fraction === null || fraction === undefined) return ''
  return decimal(fraction * 100, lang)
}

/** A number with one decimal (rounded half away from zero, not toFixed's binary surprises) in the language's decimal mark. */
export function decimal (value: number | null | undefined, lang: Lang): Decimal | string {
  if (value === null || value === undefined) return ''
  const tenths = Math.round(Math.abs(value) * 10 + 1e-9) * Math.sign(value)
  const text = (tenths / 10 + 0).toFixed(1)
  return new Decimal(lang === 'vi' ? text.replace('.', ',') : text)
}

/** What the table covers, written above it: the unit's name and the period (dd/mm/yyyy in vi, yyyy-mm-dd in en). */
export interface CsvTitle {
  unitName: string | null
  from: string
  to: string
}

const day = (date: string, lang: Lang): string => (lang === 'vi' ? date.split('-').reverse().join('/') : date)

function titleLine (title: CsvTitle, lang: Lang): string[] {
  const period = `${day(title.from, lang)} – ${day(title.to, lang)}`
  return lang === 'vi'
    ? [`Đơn vị: ${title.unitName ?? 'Tất cả đơn vị'}`, `Kỳ: ${period}`]
    : [`Unit: ${title.unitName ?? 'All units'}`, `Period: ${period}`]
}

const vietnamese = new Intl.Collator('vi')

const cell = (value: unknown, lang: Lang): string | number => {
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return lang === 'vi' ? (value ? 'Có' : 'Không') : value ? 'yes' : 'no'
  return value as string | number
}

/**
 * The rows as CSV bytes; the level and criterion columns come from the first row (every row lists the same ones).
 * With a title: the title line, an empty line, then the table. Rows with a `fullName` (officers) are put in Vietnamese
 * alphabetical order (Đ after D, Ngô before Nguyễn), the row of nobody signed in last; other rows keep their order.
 */
export function figuresCsv (
  rows: Array<Figures & Record<string, unknown>>,
  keys: KeyColumn[],
  labels: Labels,
  lang: Lang,
  title?: CsvTitle
): Buffer {
  const human = keys.filter((key) => key.id !== true)
  const ids = keys.filter((key) => key.id === true)
  const levels = Object.keys(rows[0]?.byLevel ?? {})
    .map(Number)
    .sort((a, b) => b - a)
  const codes = (rows[0]?.criteria ?? []).map((criterion) => criterion.code)
  const levelName = (level: number): string => labels.levels.get(level)?.[lang] ?? String(level)
  const criterionName = (code: string): string => labels.criteria.get(code)?.[lang] ?? code
  const header = [
    ...human.map((key) => key[lang]),
    figureHeaders.total[lang],
    ...levels.map((level) => (lang === 'vi' ? `Mức ${level} – ${levelName(level)}` : `Level ${level} – ${levelName(level)}`)),
    figureHeaders.satisfied[lang],
    figureHeaders.neutral[lang],
    figureHeaders.unsatisfied[lang],
    figureHeaders.satisfactionRate[lang],
    figureHeaders.rate766[lang],
    figureHeaders.rate766Basis[lang],
    figureHeaders.dossiers[lang],
    figureHeaders.scoreIndex[lang],
    ...codes.flatMap((code) =>
      lang === 'vi'
        ? [
            `${criterionName(code)} – số trả lời`, `${criterionName(code)} – số đạt`,
            `${criterionName(code)} – không áp dụng`, `${criterionName(code)} – tỷ lệ (%)`
          ]
        : [
            `${criterionName(code)} – answered`, `${criterionName(code)} – met`,
            `${criterionName(code)} – not applicable`, `${criterionName(code)} – rate (%)`
          ]
    ),
    ...ids.map((key) => key[lang])
  ]
  const ordered = keys.some((key) => key.field === 'fullName')
    ? [...rows].sort((a, b) => byName(a['fullName'], b['fullName']))
    : rows
  const records = ordered.map((row) => {
    const criteria = new Map(row.criteria.map((criterion) => [criterion.code, criterion]))
    return [
      ...human.map((key) => {
        const value = row[key.field]
        return cell(key.names !== undefined && typeof value === 'string' ? key.names[value]?.[lang] ?? value : value, lang)
      }),
      row.total,
      ...levels.map((level) => row.byLevel[String(level)] ?? 0),
      row.satisfied,
      row.neutral,
      row.unsatisfied,
      percent(row.satisfactionRate, lang),
      percent(row.rate766, lang),
      basisNames[row.rate766Basis][lang],
      row.dossiers,
      decimal(row.scoreIndex, lang),
      ...codes.flatMap((code) => {
        const criterion = criteria.get(code)
        return [criterion?.answered ?? 0, criterion?.met ?? 0, criterion?.notApplicable ?? 0, percent(criterion?.rate, lang)]
      }),
      ...ids.map((key) => cell(row[key.field], lang))
    ]
  })
  const table = [header, ...records]
  return excelCsv(title === undefined ? table : [titleLine(title, lang), [], ...table], separators[lang])
}

/** Names in Vietnamese alphabetical order; a row without a name (nobody signed in) last. */
function byName (a: unknown, b: unknown): number {
  if (typeof a !== 'string') return typeof b === 'string' ? 1 : 0
  if (typeof b !== 'string') return -1
  return vietnamese.compare(a, b)
}

/**
 * Every CSV the API writes goes through here. The BOM makes Excel read the file as UTF-8, so diacritics (Hài lòng,
 * Quầy) show as written. Names come from people (an officer called `=HYPERLINK(…)`): `escape_formulas` puts a
 * single quote before every text cell starting with = + - @ tab or CR (and their full-width forms), the OWASP
 * CSV-injection rule, so a spreadsheet shows it as text and never runs it; numbers (a negative one too, and the
 * `Decimal`s written here from numbers) stay numbers.
 */
export function excelCsv (records: Array<Array<string | number | Decimal>>, delimiter = ','): Buffer {
  const cast = {
    object: (value: unknown) => (value instanceof Decimal ? { value: value.text, escape_formulas: false } : JSON.stringify(value))
  }
  return Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(stringify(records, { delimiter, record_delimiter: 'windows', escape_formulas: true, cast }), 'utf8')
  ])
}

const caseHeaders = {
  code: { vi: 'Mã đơn vị', en: 'Unit code' },
  name: { vi: 'Tên đơn vị', en: 'Unit name' },
  opened: { vi: 'Số phản ánh mới', en: 'Cases opened' },
  resolved: { vi: 'Số phản ánh đã xử lý', en: 'Cases resolved' },
  resolvedWithinSla: { vi: 'Xử lý đúng hạn', en: 'Resolved on time' },
  withinSlaRate: { vi: 'Tỷ lệ đúng hạn (%)', en: 'On time (%)' },
  medianResolveSeconds: { vi: 'Thời gian xử lý – trung vị (giờ)', en: 'Time to resolve – median (hours)' },
  p90ResolveSeconds: { vi: 'Thời gian xử lý – 90 % (giờ)', en: 'Time to resolve – 90th percentile (hours)' },
  openNow: { vi: 'Đang mở', en: 'Open now' },
  overdueNow: { vi: 'Quá hạn', en: 'Overdue now' },
  topReasons: { vi: 'Lý do nhiều nhất', en: 'Most frequent reasons' },
  unitId: { vi: 'ID đơn vị', en: 'Unit ID' }
} as const

/** The follow-up loop's figures as CSV for people: a row per child unit, then the total; times in hours, one decimal. */
export function caseFiguresCsv (stats: CaseStats, lang: Lang, title: CsvTitle): Buffer {
  const hours = (seconds: number | null) => (seconds === null ? '' : decimal(seconds / 3600, lang))
  const line = (row: CaseFigures, code: string, name: string, unitId: string): Array<string | number | Decimal> => [
    code, name, row.opened, row.resolved, row.resolvedWithinSla, percent(row.withinSlaRate, lang),
    hours(row.medianResolveSeconds), hours(row.p90ResolveSeconds), row.openNow, row.overdueNow,
    row.topReasons.map((reason) => `${lang === 'vi' ? reason.labelVi : reason.labelEn} (${reason.count})`).join(', '), unitId
  ]
  const header = Object.values(caseHeaders).map((names) => names[lang])
  const records = [
    ...stats.rows.map((row) => line(row, row.code, row.name, row.unitId)),
    line(stats.total, '', lang === 'vi' ? 'Tổng cộng' : 'Total', '')
  ]
  return excelCsv([titleLine(title, lang), [], header, ...records], separators[lang])
}

const visitHeaders = {
  day: { vi: 'Ngày', en: 'Day' },
  number: { vi: 'Số quầy', en: 'Counter number' },
  name: { vi: 'Tên quầy', en: 'Counter name' },
  ticketsCalled: { vi: 'Số lượt gọi số', en: 'Tickets called' },
  ratingsWithTicket: { vi: 'Số lượt đánh giá có số thứ tự', en: 'Ratings with a ticket' },
  shareRated: { vi: 'Tỷ lệ lượt được đánh giá (%)', en: 'Share of visits rated (%)' },
  dossiersRated: { vi: 'Số hồ sơ được đánh giá', en: 'Dossiers rated' },
  counterId: { vi: 'ID quầy', en: 'Counter ID' },
  unitId: { vi: 'ID đơn vị', en: 'Unit ID' }
} as const

/** The share of visits rated as CSV for people: a row per counter and day, then each counter's period, then the total. */
export function visitsCsv (stats: VisitStats, lang: Lang, title: CsvTitle): Buffer {
  const counts = (row: VisitCounts): Array<string | number | Decimal> =>
    [row.ticketsCalled, row.ratingsWithTicket, percent(row.shareRated, lang), row.dossiersRated]
  const all = lang === 'vi' ? 'Cả kỳ' : 'Whole period'
  const records = [
    ...stats.rows.map((row) => [day(row.day, lang), row.number, row.name, ...counts(row), row.counterId, row.unitId]),
    ...stats.counters.map((row) => [all, row.number, row.name, ...counts(row), row.counterId, row.unitId]),
    [all, '', lang === 'vi' ? 'Tổng cộng' : 'Total', ...counts(stats.total), '', '']
  ]
  const header = Object.values(visitHeaders).map((names) => names[lang])
  return excelCsv([titleLine(title, lang), [], header, ...records], separators[lang])
}
