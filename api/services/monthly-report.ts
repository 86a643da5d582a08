// The monthly report as a PDF in the form of an administrative document (Decree 30/2020/NĐ-CP): issuing body, national title,
// number, place and date, numbered sections, recipients and signature block; DejaVu Serif Condensed embedded for the Vietnamese glyphs.
import { createRequire } from 'node:module'
import type { Figures, Labels, OfficerFigures, CounterFigures, UnitFigures } from '../../analytics/queries.ts'
import type { CaseFigures } from '../../contract/stats.ts'

export type ReportLang = 'vi' | 'en'

export interface ReportData {
  lang: ReportLang
  /** The issuing unit and the body above it (the first line top left). */
  unit: { name: string; code: string }
  superior: string | null
  /** The place of the date line: the province (or city) of the unit. */
  place: string
  from: string
  to: string
  /** The day the report is made, YYYY-MM-DD (local). */
  madeOn: string
  summary: Figures
  units: UnitFigures[]
  counters: CounterFigures[]
  officers: OfficerFigures[]
  /** The follow-up of unsatisfied citizens in the period (phone numbers are never part of it). */
  cases: CaseFigures
  labels: Labels
}

const fonts = createRequire(import.meta.url)
const font = (file: string): string => fonts.resolve(`dejavu-fonts-ttf/ttf/${file}`)
const REGULAR = font('DejaVuSerifCondensed.ttf')
const BOLD = font('DejaVuSerifCondensed-Bold.ttf')
const ITALIC = font('DejaVuSerifCondensed-Italic.ttf')
const BOLD_ITALIC = font('DejaVuSerifCondensed-BoldItalic.ttf')

const words = {
  vi: {
    nation: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    motto: 'Độc lập – Tự do – Hạnh phúc',
    number: (code: string) => `Số:    /BC-${code}`,
    date: (place: string, day: string) =>
      `${place}, ngày ${Number(day.slice(8, 10))} tháng ${Number(day.slice(5, 7))} năm ${day.slice(0, 4)}`,
    title: 'BÁO CÁO',
    subject: 'Kết quả đánh giá mức độ hài lòng của người dân, tổ chức',
    period: (from: string, to: string) => `Từ ngày ${dmy(from)} đến ngày ${dmy(to)}`,
    sections: [
      'I. KẾT QUẢ CHUNG',
      'II. VIỆC THỰC HIỆN TIÊU CHÍ "4 XIN, 4 LUÔN"',
      'III. KẾT QUẢ THEO ĐƠN VỊ',
      'IV. KẾT QUẢ THEO QUẦY',
      'V. KẾT QUẢ THEO CÁN BỘ',
      'VI. TIẾP NHẬN VÀ XỬ LÝ Ý KIẾN KHÔNG HÀI LÒNG'
    ],
    cases: [
      'Phản ánh mới trong kỳ', 'Phản ánh đã xử lý trong kỳ', 'Trong đó xử lý đúng hạn', 'Tỷ lệ xử lý đúng hạn',
      'Thời gian xử lý (trung vị)', 'Thời gian xử lý (90 % phản ánh)', 'Đang mở (tại ngày lập báo cáo)', 'Quá hạn (tại ngày lập báo cáo)',
      'Lý do người dân nêu nhiều nhất'
    ],
    caseFigure: 'Số liệu',
    hours: 'giờ',
    ratings: 'Lượt đánh giá',
    satisfaction: 'Tỷ lệ hài lòng',
    rate766: 'Tỷ lệ theo QĐ 766',
    rate766Basis: { dossier: 'theo hồ sơ', rating: 'theo lượt đánh giá' },
    score: 'Chỉ số điểm',
    unsatisfied: 'Không hài lòng',
    criterion: 'Tiêu chí',
    met: 'Đạt / trả lời',
    notApplicable: 'Không áp dụng',
    rate: 'Tỷ lệ',
    unitName: 'Đơn vị',
    counter: 'Quầy',
    officer: 'Cán bộ',
    noOfficer: 'Không có cán bộ',
    none: 'Không có số liệu trong kỳ.',
    small: '* Mẫu nhỏ: quá ít lượt để đánh giá.',
    recipients: 'Nơi nhận:',
    recipientList: ['- Như trên;', '- Lãnh đạo đơn vị;', '- Lưu: VT.'],
    signer: 'THỦ TRƯỞNG ĐƠN VỊ',
    signHint: '(Ký, ghi rõ họ tên và đóng dấu)',
    locale: 'vi-VN'
  },
  en: {
    nation: 'SOCIALIST REPUBLIC OF VIETNAM',
    motto: 'Independence – Freedom – Happiness',
    number: (code: string) => `No.    /BC-${code}`,
    date: (place: string, day: string) => `${place}, ${dmy(day)}`,
    title: 'REPORT',
    subject: 'Citizen and organisation satisfaction results',
    period: (from: string, to: string) => `From ${dmy(from)} to ${dmy(to)}`,
    sections: [
      'I. OVERALL RESULTS',
      'II. THE "4 XIN, 4 LUÔN" CRITERIA',
      'III. RESULTS BY UNIT',
      'IV. RESULTS BY COUNTER',
      'V. RESULTS BY OFFICER',
      'VI. FOLLOW-UP OF UNSATISFIED CITIZENS'
    ],
    cases: [
      'Cases opened in the period', 'Cases resolved in the period', 'Of which on time', 'Resolved on time',
      'Time to resolve (median)', 'Time to resolve (90 % of cases)', 'Open (on the day of the report)',
      'Overdue (on the day of the report)',
      'Most frequent reasons given by citizens'
    ],
    caseFigure: 'Figure',
    hours: 'hours',
    ratings: 'Ratings',
    satisfaction: 'Satisfaction rate',
    rate766: 'Rate (Decision 766)',
    rate766Basis: { dossier: 'per dossier', rating: 'per rating' },
    score: 'Score index',
    unsatisfied: 'Unsatisfied',
    criterion: 'Criterion',
    met: 'Met / answered',
    notApplicable: 'Not applicable',
    rate: 'Rate',
    unitName: 'Unit',
    counter: 'Counter',
    officer: 'Officer',
    noOfficer: 'No officer',
    none: 'No data in the period.',
    small: '* Small sample: too few ratings to judge on.',
    recipients: 'Recipients:',
    recipientList: ['- As above;', '- Unit leadership;', '- Archive.'],
    signer: 'HEAD OF UNIT',
    signHint: '(Signature, full name and seal)',
    locale: 'en-GB'
  }
}

function dmy (day: string): string {
  return `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`
}

/** A4 with the margins Decree 30 asks for: top 20 mm, bottom 20 mm, left 30 mm, right 15 mm. */
const MM = 72 / 25.4
const MARGIN = { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM }

type Cell = string
interface Column {
  title: string
  width: number
  numeric?: boolean
}

/** Renders the report; resolves with the whole PDF. */
export async function monthlyReportPdf (data: ReportData): Promise<Buffer> {
  const w = words[data.lang]
  const count = (value: number): string => new Intl.NumberFormat(w.locale).format(value)
  const percent = (value: number | null): string =>
    value === null
      ? '–'
      : new Intl.NumberFormat(w.locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value)
  const decimal = (value: number | null): string =>
    value === null ? '–' : new Intl.NumberFormat(w.locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value)
  const label = (entry: { vi: string; en: string } | undefined, fallback: string): string =>
    entry === undefined ? fallback : entry[data.lang]

  // pdfkit loads only when the first report is asked for: it is 0.13 s of every start otherwise (docs/operations.md).
  const { default: PDFDocument } = await import('pdfkit')
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    info: { Title: `${w.title} – ${data.unit.name}`, Author: data.unit.name },
    lang: data.lang,
    bufferPages: true
  })
  doc.registerFont('regular', REGULAR)
  doc.registerFont('bold', BOLD)
  doc.registerFont('italic', ITALIC)
  doc.registerFont('bold-italic', BOLD_ITALIC)
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })

  const left = MARGIN.left
  const width = doc.page.width - MARGIN.left - MARGIN.right
  const leftWidth = width * 0.42
  const rightX = left + width * 0.42
  const rightWidth = width * 0.58
  const top = MARGIN.top

  // Top left: the body above (regular, upper case) and the issuing body (bold), a short rule under it; then the number.
  doc.font('regular').fontSize(12)
  if (data.superior !== null) doc.text(data.superior.toUpperCase(), left, top, { width: leftWidth, align: 'center' })
  doc.font('bold').fontSize(12).text(data.unit.name.toUpperCase(), left, doc.y, { width: leftWidth, align: 'center' })
  const underBody = doc.y + 2
  doc
    .moveTo(left + leftWidth * 0.3, underBody)
    .lineTo(left + leftWidth * 0.7, underBody)
    .lineWidth(0.6)
    .stroke()
  doc
    .font('regular')
    .fontSize(13)
    .text(w.number(data.unit.code), left, underBody + 8, { width: leftWidth, align: 'center' })
  const leftBottom = doc.y

  // Top right: the national title and the motto, underlined by a rule as long as the motto; then the place and date in italics.
  doc.font('bold').fontSize(12).text(w.nation, rightX, top, { width: rightWidth, align: 'center' })
  doc.font('bold').fontSize(13).text(w.motto, rightX, doc.y, { width: rightWidth, align: 'center' })
  const mottoWidth = doc.widthOfString(w.motto)
  const underMotto = doc.y + 2
  doc
    .moveTo(rightX + (rightWidth - mottoWidth) / 2, underMotto)
    .lineTo(rightX + (rightWidth + mottoWidth) / 2, underMotto)
    .lineWidth(0.6)
    .stroke()
  doc
    .font('italic')
    .fontSize(13)
    .text(w.date(data.place, data.madeOn), rightX, underMotto + 8, { width: rightWidth, align: 'center' })

  // The title, the subject and the period.
  doc.y = Math.max(leftBottom, doc.y) + 22
  doc.font('bold').fontSize(14).text(w.title, left, doc.y, { width, align: 'center' })
  doc.font('bold').fontSize(13).text(w.subject, { width, align: 'center' })
  doc.font('italic').fontSize(13).text(w.period(data.from, data.to), { width, align: 'center' })
  doc.moveDown(1)

  const section = (title: string): void => {
    if (doc.y > doc.page.height - MARGIN.bottom - 80) doc.addPage()
    doc.moveDown(0.6)
    doc.font('bold').fontSize(13).text(title, left, doc.y, { width })
    doc.moveDown(0.3)
  }

  /** A plain ruled table; it continues on the next page with its header repeated. */
  const table = (columns: Column[], rows: Cell[][]): void => {
    const total = columns.reduce((sum, column) => sum + column.width, 0)
    const widths = columns.map((column) => (column.width / total) * width)
    const pad = 3
    const drawRow = (cells: Cell[], bold: boolean): void => {
      doc.font(bold ? 'bold' : 'regular').fontSize(11)
      const height = Math.max(...cells.map((cell, index) => doc.heightOfString(cell, { width: widths[index]! - 2 * pad }))) + 2 * pad
      if (doc.y + height > doc.page.height - MARGIN.bottom) {
        doc.addPage()
        if (!bold) {
          drawRow(
            columns.map((column) => column.title),
            true
          )
        }
        doc.font('regular').fontSize(11)
      }
      const y = doc.y
      let x = left
      cells.forEach((cell, index) => {
        doc.rect(x, y, widths[index]!, height).lineWidth(0.5).stroke()
        doc.text(cell, x + pad, y + pad, { width: widths[index]! - 2 * pad, align: columns[index]!.numeric === true ? 'right' : 'left' })
        x += widths[index]!
      })
      doc.x = left
      doc.y = y + height
    }
    drawRow(
      columns.map((column) => column.title),
      true
    )
    for (const row of rows) drawRow(row, false)
  }
  const note = (text: string): void => {
    doc
      .font('italic')
      .fontSize(11)
      .text(text, left, doc.y + 3, { width })
  }
  const figuresColumns = (first: string): Column[] => [
    { title: first, width: 5 },
    { title: w.ratings, width: 2, numeric: true },
    { title: w.satisfaction, width: 2, numeric: true },
    { title: w.rate766, width: 2, numeric: true },
    { title: w.score, width: 1.6, numeric: true },
    { title: w.unsatisfied, width: 2, numeric: true }
  ]
  const figuresCells = (name: string, row: Figures): Cell[] => [
    name,
    count(row.total),
    percent(row.satisfactionRate),
    percent(row.rate766),
    decimal(row.scoreIndex),
    count(row.unsatisfied)
  ]

  const [overall, criteria, byUnit, byCounter, byOfficer, followUp] = w.sections as [string, string, string, string, string, string]
  section(overall)
  const levels = Object.keys(data.summary.byLevel)
    .map(Number)
    .sort((a, b) => b - a)
  table(
    [
      { title: '', width: 5 },
      { title: w.ratings, width: 2, numeric: true }
    ],
    [
      [w.ratings, count(data.summary.total)],
      ...levels.map((level) => [label(data.labels.levels.get(level), String(level)), count(data.summary.byLevel[String(level)] ?? 0)]),
      [w.satisfaction, percent(data.summary.satisfactionRate)],
      [`${w.rate766} (${w.rate766Basis[data.summary.rate766Basis]})`, percent(data.summary.rate766)],
      [w.score, decimal(data.summary.scoreIndex)]
    ]
  )

  section(criteria)
  if (data.summary.criteria.length === 0) note(w.none)
  else {
    table(
      [
        { title: w.criterion, width: 5 },
        { title: w.met, width: 2.5, numeric: true },
        { title: w.notApplicable, width: 2, numeric: true },
        { title: w.rate, width: 2, numeric: true }
      ],
      data.summary.criteria.map((item) => [
        label(data.labels.criteria.get(item.code), item.code),
        `${count(item.met)}/${count(item.answered)}`,
        count(item.notApplicable),
        percent(item.rate)
      ])
    )
  }

  section(byUnit)
  if (data.units.length === 0) note(w.none)
  else {
    table(
      figuresColumns(w.unitName),
      data.units.map((row) => figuresCells(row.name, row))
    )
  }

  section(byCounter)
  if (data.counters.length === 0) note(w.none)
  else {
    table(
      figuresColumns(w.counter),
      data.counters.map((row) =>
        figuresCells(row.name.includes(String(row.number)) ? row.name : `${w.counter} ${row.number} · ${row.name}`, row)
      )
    )
  }

  section(byOfficer)
  if (data.officers.length === 0) note(w.none)
  else {
    table(
      figuresColumns(w.officer),
      data.officers.map((row) => figuresCells(`${row.fullName ?? w.noOfficer}${row.smallSample ? ' *' : ''}`, row))
    )
    if (data.officers.some((row) => row.smallSample)) note(w.small)
  }

  section(followUp)
  const hours = (seconds: number | null): string => (seconds === null ? '–' : `${decimal(seconds / 3600)} ${w.hours}`)
  const loop = data.cases
  table(
    [
      { title: '', width: 5 },
      { title: w.caseFigure, width: 2, numeric: true }
    ],
    [loop.opened, loop.resolved, loop.resolvedWithinSla].map((value, index) => [w.cases[index]!, count(value)])
      .concat([
        [w.cases[3]!, percent(loop.withinSlaRate)],
        [w.cases[4]!, hours(loop.medianResolveSeconds)],
        [w.cases[5]!, hours(loop.p90ResolveSeconds)],
        [w.cases[6]!, count(loop.openNow)],
        [w.cases[7]!, count(loop.overdueNow)],
        [w.cases[8]!, loop.topReasons.length === 0
          ? '–'
          : loop.topReasons.map((reason) => `${data.lang === 'vi' ? reason.labelVi : reason.labelEn} (${count(reason.count)})`).join(', ')]
      ])
  )

  // Recipients bottom left, the signature block bottom right, kept together on one page.
  if (doc.y > doc.page.height - MARGIN.bottom - 120) doc.addPage()
  const closing = doc.y + 24
  doc.font('bold-italic').fontSize(12).text(w.recipients, left, closing, { width: leftWidth })
  doc.font('regular').fontSize(11)
  for (const line of w.recipientList) doc.text(line, left, doc.y, { width: leftWidth })
  doc.font('bold').fontSize(13).text(w.signer, rightX, closing, { width: rightWidth, align: 'center' })
  doc.font('italic').fontSize(12).text(w.signHint, rightX, doc.y, { width: rightWidth, align: 'center' })

  doc.end()
  return done
}
