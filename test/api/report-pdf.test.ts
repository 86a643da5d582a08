// The monthly report PDF made on the server: the form of Decree 30/2020/NĐ-CP in Vietnamese with its fonts embedded, checked by
// reading its text back and rendering page 1 to an image (poppler-utils: pdftotext, pdffonts, pdftoppm), scoped like the statistics.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { seedDemo } from '../../api/demo/seed.ts'
import { build } from '../helper.ts'
import { seedCentre, seedUser, signIn } from '../fixtures.ts'

const hasPoppler = ((): boolean => {
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
if (!hasPoppler) {
  if (process.env.CI === 'true') throw new Error('pdftoppm is missing: apt-get install -y poppler-utils')
  t.comment('skipped: pdftoppm is missing (Debian package poppler-utils)')
}

const app = await build(t)
const demo = await seedDemo(app.db, new Date(), app.config.pairingSecret!)
const dir = mkdtempSync(path.join(tmpdir(), 'hl-report-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const localToday = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10)
const [year, month, day] = localToday.split('-').map(Number) as [number, number, number]

async function report (
  cookies: Record<string, string>,
  query: string
): Promise<{ status: number; type: string; body: Buffer; json: () => { code: string } }> {
  const response = await app.inject({ url: `/api/v1/reports/monthly${query}`, cookies })
  return {
    status: response.statusCode,
    type: String(response.headers['content-type']),
    body: response.rawPayload,
    json: () => response.json()
  }
}

t.test("the PDF has the form of an administrative document, in Vietnamese, with the month's figures", { skip: !hasPoppler }, async (t) => {
  const cookies = await signIn(app, demo.supervisor)
  const from = `${localToday.slice(0, 8)}01`
  const answer = await report(cookies, `?from=${from}&to=${localToday}`)
  t.equal(answer.status, 200)
  t.equal(answer.type, 'application/pdf')
  const file = path.join(dir, 'report.pdf')
  writeFileSync(file, answer.body)

  const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' })
  t.match(fonts, /DejaVuSerif.*\byes\s+yes\s+yes\b/, 'the Vietnamese-capable font is embedded (subset, with Unicode map)')
  t.notMatch(fonts, /Helvetica|Times-Roman/, 'no standard font without Vietnamese glyphs')

  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
  const summary = (await app.inject({ url: `/api/v1/stats/summary?from=${from}&to=${localToday}`, cookies })).json() as {
    total: number
    satisfactionRate: number
  }
  const loop = (await app.inject({ url: `/api/v1/stats/cases?from=${from}&to=${localToday}`, cookies })).json().total as {
    opened: number
    openNow: number
  }
  for (const line of [
    'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    'Độc lập – Tự do – Hạnh phúc',
    'PHƯỜNG TÂN NINH',
    'BÁO CÁO',
    `ngày ${day} tháng ${month} năm ${year}`,
    `Từ ngày 01/${localToday.slice(5, 7)}/${year} đến ngày ${localToday.slice(8, 10)}/${localToday.slice(5, 7)}/${year}`,
    'I. KẾT QUẢ CHUNG',
    'II. VIỆC THỰC HIỆN TIÊU CHÍ',
    'III. KẾT QUẢ THEO ĐƠN VỊ',
    'IV. KẾT QUẢ THEO QUẦY',
    'V. KẾT QUẢ THEO CÁN BỘ',
    'VI. TIẾP NHẬN VÀ XỬ LÝ Ý KIẾN KHÔNG HÀI LÒNG',
    'Tỷ lệ xử lý đúng hạn',
    'Nơi nhận:',
    'Lưu: VT.',
    'THỦ TRƯỞNG ĐƠN VỊ',
    'Xin chào',
    'Rất hài lòng',
    new Intl.NumberFormat('vi-VN').format(summary.total),
    new Intl.NumberFormat('vi-VN', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(
      summary.satisfactionRate
    )
  ]) { t.ok(text.includes(line), `says "${line}"`) }
  const count = (value: number) => new Intl.NumberFormat('vi-VN').format(value).replace('.', '\\.')
  t.match(text, new RegExp(`Phản ánh mới trong kỳ\\s+${count(loop.opened)}\\b`), 'the cases opened, as the stats API counts them')
  t.match(text, new RegExp(`Đang mở \\(tại ngày lập báo cáo\\)\\s+${count(loop.openNow)}\\b`), 'and open now')
  t.match(text, /Số:\s+\/BC-/, 'the number and symbol line')
  const header = text.split('\n').find((line) => line.includes('CỘNG HÒA'))!
  t.ok(header.indexOf('CỘNG HÒA') > header.length / 3, 'the national title on the right, the issuing body on the left')

  // Rendered: an A4 page (at 30 dpi about 248 × 351 px) with ink at the top left, the top right and down the page.
  execFileSync('pdftoppm', ['-r', '30', '-gray', '-f', '1', '-l', '1', file, path.join(dir, 'page')])
  const image = readFileSync(path.join(dir, 'page-1.pgm'))
  const [magic, width, height] = image.subarray(0, 20).toString('latin1').split(/\s+/) as [string, string, string]
  t.equal(magic, 'P5')
  t.ok(Math.abs(Number(width) - 248) <= 1 && Math.abs(Number(height) - 351) <= 1, `A4 portrait: ${width} × ${height} px`)
  const pixels = image.subarray(image.length - Number(width) * Number(height))
  const ink = (x0: number, y0: number, x1: number, y1: number): number => {
    let dark = 0
    for (let y = Math.round(y0 * Number(height)); y < y1 * Number(height); y++) {
      for (let x = Math.round(x0 * Number(width)); x < x1 * Number(width); x++) if (pixels[y * Number(width) + x]! < 128) dark++
    }
    return dark
  }
  t.ok(ink(0.1, 0.04, 0.45, 0.12) > 30, 'the issuing body printed top left')
  t.ok(ink(0.5, 0.04, 0.98, 0.12) > 30, 'the national title printed top right')
  t.ok(ink(0.1, 0.3, 0.98, 0.9) > 500, 'the sections and tables printed below')
})

t.test('in English on request; scoped like the statistics; bad input is a 400 with a code', { skip: !hasPoppler }, async (t) => {
  const centre = await seedCentre(app.db)
  const outsider = await signIn(app, await seedUser(app.db, 'supervisor', centre.communeId))
  const english = await report(outsider, '?lang=en')
  t.equal(english.status, 200)
  const file = path.join(dir, 'english.pdf')
  writeFileSync(file, english.body)
  const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })
  t.match(text, /SOCIALIST REPUBLIC OF VIETNAM/)
  t.match(text, /Independence – Freedom – Happiness/)
  t.match(text, /Xã Hòa Bình/i, "the unit's own name keeps its diacritics")

  const demoCentre = await app.db
    .selectFrom('units')
    .select('id')
    .where('kind', '=', 'centre')
    .where('id', '!=', centre.centreId)
    .executeTakeFirstOrThrow()
  const foreign = await report(outsider, `?unitId=${demoCentre.id}`)
  t.equal(foreign.status, 404)
  t.equal(foreign.json().code, 'UNIT_NOT_FOUND')
  const backwards = await report(outsider, '?from=2026-11-30&to=2026-11-01')
  t.equal(backwards.status, 400)
  t.equal(backwards.json().code, 'RANGE_INVALID')
  t.equal((await report({}, '')).status, 401)
})
