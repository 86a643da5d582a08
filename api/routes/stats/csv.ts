// Figures as Excel-ready CSV: UTF-8 with a BOM, Vietnamese column headers by default, English on request.
import { stringify } from 'csv-stringify/sync'
import type { Figures, Labels } from '../../../analytics/queries.ts'

export type Lang = 'vi' | 'en'

/** A key column of a row kind: its field and header in each language. */
export interface KeyColumn {
  field: string
  vi: string
  en: string
}

export const keyColumns = {
  summary: [],
  officers: [
    { field: 'officerId', vi: 'ID cán bộ', en: 'Officer ID' },
    { field: 'fullName', vi: 'Họ và tên', en: 'Full name' },
    { field: 'smallSample', vi: 'Mẫu nhỏ', en: 'Small sample' }
  ],
  counters: [
    { field: 'counterId', vi: 'ID quầy', en: 'Counter ID' },
    { field: 'unitId', vi: 'ID đơn vị', en: 'Unit ID' },
    { field: 'number', vi: 'Số quầy', en: 'Counter number' },
    { field: 'name', vi: 'Tên quầy', en: 'Counter name' }
  ],
  units: [
    { field: 'unitId', vi: 'ID đơn vị', en: 'Unit ID' },
    { field: 'code', vi: 'Mã đơn vị', en: 'Unit code' },
    { field: 'name', vi: 'Tên đơn vị', en: 'Unit name' }
  ],
  timeseries: [{ field: 'bucket', vi: 'Bắt đầu', en: 'Bucket start' }],
  heatmap: [
    { field: 'weekday', vi: 'Thứ (1 = Thứ Hai)', en: 'Weekday (1 = Monday)' },
    { field: 'hour', vi: 'Giờ', en: 'Hour' }
  ]
} satisfies Record<string, KeyColumn[]>

const figureHeaders = {
  total: { vi: 'Tổng số lượt đánh giá', en: 'Total ratings' },
  satisfied: { vi: 'Số lượt hài lòng', en: 'Satisfied' },
  neutral: { vi: 'Số lượt bình thường', en: 'Neutral' },
  unsatisfied: { vi: 'Số lượt không hài lòng', en: 'Unsatisfied' },
  satisfactionRate: { vi: 'Tỷ lệ hài lòng', en: 'Satisfaction rate' },
  rate766: { vi: 'Tỷ lệ theo QĐ 766', en: 'Rate (Decision 766)' },
  scoreIndex: { vi: 'Chỉ số điểm (0–100)', en: 'Score index (0–100)' }
} as const

const cell = (value: unknown, lang: Lang): string | number => {
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return lang === 'vi' ? (value ? 'Có' : 'Không') : value ? 'yes' : 'no'
  return value as string | number
}

/** The rows as CSV bytes; the level and criterion columns come from the first row (every row lists the same ones). */
export function figuresCsv (rows: Array<Figures & Record<string, unknown>>, keys: KeyColumn[], labels: Labels, lang: Lang): Buffer {
  const levels = Object.keys(rows[0]?.byLevel ?? {})
    .map(Number)
    .sort((a, b) => b - a)
  const codes = (rows[0]?.criteria ?? []).map((criterion) => criterion.code)
  const levelName = (level: number): string => labels.levels.get(level)?.[lang] ?? String(level)
  const criterionName = (code: string): string => labels.criteria.get(code)?.[lang] ?? code
  const header = [
    ...keys.map((key) => key[lang]),
    figureHeaders.total[lang],
    ...levels.map((level) => (lang === 'vi' ? `Mức ${level} – ${levelName(level)}` : `Level ${level} – ${levelName(level)}`)),
    figureHeaders.satisfied[lang],
    figureHeaders.neutral[lang],
    figureHeaders.unsatisfied[lang],
    figureHeaders.satisfactionRate[lang],
    figureHeaders.rate766[lang],
    figureHeaders.scoreIndex[lang],
    ...codes.flatMap((code) =>
      lang === 'vi'
        ? [`${criterionName(code)} – số trả lời`, `${criterionName(code)} – số đạt`, `${criterionName(code)} – tỷ lệ`]
        : [`${criterionName(code)} – answered`, `${criterionName(code)} – met`, `${criterionName(code)} – rate`]
    )
  ]
  const records = rows.map((row) => {
    const criteria = new Map(row.criteria.map((criterion) => [criterion.code, criterion]))
    return [
      ...keys.map((key) => cell(row[key.field], lang)),
      row.total,
      ...levels.map((level) => row.byLevel[String(level)] ?? 0),
      row.satisfied,
      row.neutral,
      row.unsatisfied,
      cell(row.satisfactionRate, lang),
      cell(row.rate766, lang),
      cell(row.scoreIndex, lang),
      ...codes.flatMap((code) => {
        const criterion = criteria.get(code)
        return [criterion?.answered ?? 0, criterion?.met ?? 0, cell(criterion?.rate, lang)]
      })
    ]
  })
  return excelCsv([header, ...records])
}

/**
 * Every CSV the API writes goes through here. The BOM makes Excel read the file as UTF-8, so diacritics (Hài lòng,
 * Quầy) show as written. Names come from people (an officer called `=HYPERLINK(…)`): `escape_formulas` puts a
 * single quote before every text cell starting with = + - @ tab or CR (and their full-width forms), the OWASP
 * CSV-injection rule, so a spreadsheet shows it as text and never runs it; numbers (a negative one too) stay numbers.
 */
export function excelCsv (records: Array<Array<string | number>>): Buffer {
  return Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(stringify(records, { record_delimiter: 'windows', escape_formulas: true }), 'utf8')
  ])
}
