// What a Vietnamese supervisor sees on the dashboard: numbers and dates in the app's language on charts too, integer count ticks,
// month names, four-digit years, the heat-map legend, "?" on the headline figures, the target line, trends compared, unit kinds,
// errors by code, one connection state with retry, the live page opening on today's feed. Chromium against the real server.
import t from 'tap'
import type { Page } from 'playwright-core'
import { seedDemo } from '../../api/demo/seed.ts'
import { rateOnTerminal, seedAssignment, seedCentre, seedUser } from '../fixtures.ts'
import { eventually, signIn, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness
const demo = await seedDemo(app.db, new Date(), app.config.pairingSecret!)
// A small centre of its own: three ratings today, for the integer ticks and the live feed.
const centre = await seedCentre(app.db)
await seedAssignment(app.db, centre.counterIds[0]!, centre.officers[0]!.id)
const supervisor = await seedUser(app.db, 'supervisor', centre.communeId)

async function rateNow (level: number): Promise<string> {
  const [id] = await rateOnTerminal(app, centre.terminal.token, [{ level }])
  return id!
}
const todays = [await rateNow(4), await rateNow(3), await rateNow(1)]

interface Drawn {
  axes: Record<string, string[]>
  series: string[]
}
/** The labels the chart drew on each axis and its series' names, once it has drawn. */
async function drawn (page: Page, label: string): Promise<Drawn> {
  const canvas = page.getByRole('img', { name: label, exact: true }).first()
  await canvas.waitFor()
  await page.waitForFunction(
    (name) =>
      [...document.querySelectorAll('canvas')].some((item) => item.getAttribute('aria-label') === name && item.dataset.axes !== undefined),
    label
  )
  return canvas.evaluate((item: HTMLCanvasElement) => ({ axes: JSON.parse(item.dataset.axes!), series: JSON.parse(item.dataset.series!) }))
}

t.test("charts speak the app's language, not the browser's: 1.000 and Th1/2026 in Vietnamese, 1,000 and Jan 2026 in English", async (t) => {
  const { context, page } = await signIn(harness, demo.supervisor.username, demo.supervisor.password, '/?period=year', {
    width: 1366,
    height: 900
  })
  t.teardown(() => context.close())
  // A browser set to American English: the charts must still follow the app.
  const levels = await drawn(page, 'Phân bố mức đánh giá')
  const counts = levels.axes.x!
  t.ok(
    counts.some((label) => /^\d{1,3}(\.\d{3})+$/.test(label)),
    `thousands grouped with a dot: ${counts.join(' ')}`
  )
  t.notOk(
    counts.some((label) => label.includes(',')),
    'no comma in a Vietnamese count'
  )
  const trend = await drawn(page, 'Xu hướng')
  t.ok(
    trend.axes.x!.length > 0 && trend.axes.x!.every((label) => /^Th\d{1,2}\/\d{4}$/.test(label)),
    `month names on the year trend: ${trend.axes.x!.join(' ')}`
  )
  t.ok(
    trend.axes.rate!.every((label) => /^\d+%$/.test(label)),
    `percent ticks: ${trend.axes.rate!.join(' ')}`
  )
  t.ok(
    trend.series.some((name) => /^Chỉ tiêu 95,0%$/.test(name)),
    `the SIPAS 2030 target line by default: ${trend.series.join(' | ')}`
  )

  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('link', { name: 'Officers' }).waitFor()
  const english = await drawn(page, 'Level distribution')
  t.ok(
    english.axes.x!.some((label) => /^\d{1,3}(,\d{3})+$/.test(label)),
    `English groups with a comma: ${english.axes.x!.join(' ')}`
  )
  const englishTrend = await drawn(page, 'Trend')
  t.ok(
    englishTrend.axes.x!.every((label) => /^[A-Z][a-z]{2,3} \d{4}$/.test(label)),
    `Jan 2026…: ${englishTrend.axes.x!.join(' ')}`
  )
  await page.getByRole('button', { name: 'Tiếng Việt' }).click()
})

t.test(
  'a small day counts in whole ratings; the heat map has a legend and numbers readable at arm\'s length; "?" explains each headline figure',
  async (t) => {
    const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/?period=today')
    t.teardown(() => context.close())
    const trend = await drawn(page, 'Xu hướng')
    t.ok(
      trend.axes.count!.length > 1 && trend.axes.count!.every((label) => /^\d+$/.test(label)),
      `integer ticks for 3 ratings: ${trend.axes.count!.join(' ')}`
    )
    const levels = await drawn(page, 'Phân bố mức đánh giá')
    t.ok(
      levels.axes.x!.every((label) => /^\d+$/.test(label)),
      `no 0,5 on the level counts: ${levels.axes.x!.join(' ')}`
    )

    const legend = page.locator('.heatmap-legend')
    t.match(await legend.textContent(), /tỷ lệ hài lòng.*số lượt đánh giá/i, 'the legend says what colour and number mean')
    const size = await page
      .locator('.heatmap td')
      .filter({ hasText: /\d/ })
      .first()
      .evaluate((cell) => parseFloat(getComputedStyle(cell).fontSize))
    t.ok(size >= 14, `heat-map numbers ${size} px (were 11 px)`)

    const explain = async (figure: string): Promise<string> => {
      await page.getByRole('button', { name: `Cách tính: ${figure}` }).click()
      return (await page.getByRole('group', { name: figure, exact: true }).getByRole('note').textContent()) ?? ''
    }
    t.match(await explain('Tỷ lệ hài lòng'), /hài lòng.*chia cho tổng số lượt/)
    t.match(await explain('Tỷ lệ theo QĐ 766'), /"bình thường" được coi là không phải không hài lòng/)
    t.match(await explain('Chỉ số điểm'), /Rất hài lòng 100, Hài lòng 75, Bình thường 40, Không hài lòng 0/)
  }
)

t.test(
  'a target set in Quản trị draws on the trend and the unit comparison; unit kinds read as words; an API refusal reads by its code',
  async (t) => {
    const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/admin')
    t.teardown(() => context.close())
    await page.getByRole('tab', { name: 'Đơn vị' }).click()
    const row = page.locator(`tr[data-unit="${centre.centreId}"]`)
    await row.waitFor()
    t.match(await row.textContent(), /Trung tâm Phục vụ hành chính công/, 'the kind in words')
    t.notMatch(await page.locator('table.grid').first().textContent(), /\b(centre|commune|province|special_zone)\b/, 'no raw kind left')
    await row.getByRole('textbox', { name: /^Chỉ tiêu/ }).fill('90')
    await row.locator('form.target').getByRole('button', { name: 'Lưu' }).click()
    await row.getByRole('status').filter({ hasText: 'Đã lưu.' }).waitFor()

    // The commune's code is taken: the form says so in Vietnamese, not the API's English.
    await page.getByLabel('Đơn vị cấp trên').selectOption(centre.communeId)
    await page.getByLabel('Loại').selectOption('centre')
    const taken = await app.db.selectFrom('units').select('code').where('id', '=', centre.centreId).executeTakeFirstOrThrow()
    await page.getByLabel('Mã', { exact: true }).fill(taken.code)
    await page.getByLabel('Tên', { exact: true }).fill('Trung tâm trùng mã')
    await page.getByRole('button', { name: 'Tạo' }).click()
    t.equal(await page.getByRole('alert').filter({ hasText: 'Mã đơn vị' }).textContent(), 'Mã đơn vị này đã được dùng.')

    await page.goto(`${harness.url}/?unit=${centre.centreId}&period=7d`)
    const trend = await drawn(page, 'Xu hướng')
    t.ok(trend.series.includes('Chỉ tiêu 90,0%'), `the centre's own target: ${trend.series.join(' | ')}`)
    await page.goto(`${harness.url}/province?unit=${centre.communeId}&period=7d`)
    const compared = await drawn(page, 'So sánh các đơn vị trực thuộc')
    t.ok(compared.series.includes('Chỉ tiêu 95,0%'), `the commune has no target of its own: SIPAS 2030 (${compared.series.join(' | ')})`)
    t.ok(
      compared.axes.y!.every((label) => /^\d+%$/.test(label)),
      'percent ticks on the comparison'
    )
  }
)

t.test('several counters side by side, with the target; four-digit years in dates', async (t) => {
  await app.db.updateTable('units').set({ satisfaction_target: 0.9 }).where('id', '=', centre.centreId).execute()
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, `/?unit=${centre.centreId}&period=7d`)
  t.teardown(() => context.close())
  const compare = page.getByRole('region', { name: 'So sánh xu hướng' })
  await compare.getByLabel('Quầy 1').check()
  await compare.getByLabel('Quầy 2').check()
  const chart = await drawn(page, 'So sánh xu hướng')
  t.same(chart.series, ['Quầy 1', 'Quầy 2', 'Chỉ tiêu 90,0%'], 'one line per counter and the target of the centre')
  await compare.getByRole('button', { name: 'Cán bộ' }).click()
  await compare.getByLabel(centre.officers[0]!.fullName).check()
  t.same((await drawn(page, 'So sánh xu hướng')).series, [centre.officers[0]!.fullName, 'Chỉ tiêu 90,0%'])

  await page.getByRole('link', { name: 'Quản trị' }).click()
  await page.getByRole('tab', { name: 'Thiết bị' }).click()
  await page.locator('.admin-form select').first().selectOption({ index: 1 })
  await page.getByRole('button', { name: 'Tạo' }).click()
  const hint = (await page.getByRole('status', { name: 'Mã ghép nối' }).textContent()) ?? ''
  t.match(hint, /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/, `a four-digit year: ${hint}`)
  t.notMatch(hint, /\d{1,2}\/\d{1,2}\/\d{2}(?!\d)/, 'never a two-digit year')
})

t.test("the live page opens on today's ratings so far", async (t) => {
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/live')
  t.teardown(() => context.close())
  await page.locator(`[data-rating="${todays[2]}"]`).waitFor()
  t.same(
    await page.locator('.feed li').evaluateAll((items) => items.map((item) => item.getAttribute('data-rating'))),
    [...todays].reverse(),
    'newest first, before any new press'
  )
  const next = await rateNow(4)
  await page.locator(`[data-rating="${next}"]`).waitFor()
  t.equal(await page.locator('.feed li').count(), 4, 'the new one on top, none twice')
})

t.test('server unreachable: one Vietnamese connection state with a retry button, automatic retry, and the page loads again', async (t) => {
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/?period=7d')
  t.teardown(() => context.close())
  await page.locator('.tile-value').first().waitFor()
  await context.route('**/api/v1/**', (route) => route.abort('connectionrefused'))
  await context.route('**/healthz', (route) => route.abort('connectionrefused'))
  await page.getByRole('link', { name: 'Cán bộ' }).click()
  const banner = page.locator('.offline-banner')
  await banner.waitFor()
  t.match(await banner.textContent(), /Mất kết nối tới máy chủ\..*Đang tự động thử lại/)
  t.notMatch(await page.locator('body').textContent(), /Failed to fetch|NetworkError|TypeError/, 'no raw browser error')
  t.equal(await page.locator('.offline-banner').count(), 1, 'one state for the whole app, not one per panel')

  await context.unrouteAll()
  await page.getByRole('button', { name: 'Thử lại ngay' }).click()
  await banner.waitFor({ state: 'detached' })
  await page.locator('table.officers tbody tr').first().waitFor()
  t.pass('the retry button brings the page back with its data')

  await context.route('**/api/v1/**', (route) => route.abort('connectionrefused'))
  await context.route('**/healthz', (route) => route.abort('connectionrefused'))
  await page.getByRole('button', { name: 'Hôm nay' }).click()
  await banner.waitFor()
  await context.unrouteAll()
  await eventually(async () => (await page.locator('.offline-banner').count()) === 0, 25_000, 'the automatic retry')
  await page.locator('table.officers tbody tr').first().waitFor()
  t.pass('retried by itself once the server answered')
})

t.test("the monthly report has the form of Decree 30/2020/NĐ-CP, prints on A4, and downloads as the server's PDF", async (t) => {
  const { context, page } = await signIn(harness, demo.supervisor.username, demo.supervisor.password, '/report?period=month')
  t.teardown(() => context.close())
  await page.getByRole('heading', { name: 'BÁO CÁO', exact: true }).waitFor()
  const issuer = await page.locator('.report-head .issuer').boundingBox()
  const nation = await page.locator('.report-head .nation').boundingBox()
  t.ok(
    issuer !== null && nation !== null && issuer.x < nation.x && Math.abs(issuer.y - nation.y) < 5,
    'the issuing body top left, the national title top right'
  )
  t.match(await page.locator('.report-head .issuer').textContent(), /PHƯỜNG TÂN NINH.*Số:\s+\/BC-/)
  t.equal(await page.locator('.report-head .nation p').first().textContent(), 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM')
  t.equal(await page.locator('.report-head .motto').textContent(), 'Độc lập – Tự do – Hạnh phúc', 'en dashes in the motto')
  const [year, month, day] = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10).split('-').map(Number) as [
    number,
    number,
    number
  ]
  t.match(
    await page.locator('.report-head .date-line').textContent(),
    new RegExp(`^[A-ZĐ][^,]+, ngày ${day} tháng ${month} năm ${year}$`),
    'place and date line'
  )
  await page.locator('.report-foot').waitFor()
  t.same(await page.locator('.report h2').allTextContents(), [
    'I. KẾT QUẢ CHUNG',
    'II. VIỆC THỰC HIỆN TIÊU CHÍ "4 XIN, 4 LUÔN"',
    'III. KẾT QUẢ THEO ĐƠN VỊ',
    'IV. KẾT QUẢ THEO QUẦY',
    'V. KẾT QUẢ THEO CÁN BỘ',
    'VI. TIẾP NHẬN VÀ XỬ LÝ Ý KIẾN KHÔNG HÀI LÒNG'
  ])
  const sizes = await page
    .locator('.report h2')
    .evaluateAll((items) => [...new Set(items.map((item) => getComputedStyle(item).fontSize + getComputedStyle(item).fontWeight))])
  t.equal(sizes.length, 1, 'the sections weigh the same')
  t.match(await page.locator('.report-foot .recipients').textContent(), /Nơi nhận:.*Lưu: VT\./)
  t.match(await page.locator('.report-foot .signer').textContent(), /THỦ TRƯỞNG ĐƠN VỊ/)

  await page.emulateMedia({ media: 'print' })
  t.equal(await page.locator('.report-actions').isVisible(), false, 'no buttons on paper')
  t.equal(await page.locator('header.top').isVisible(), false, 'no menu on paper')
  const printed = await page.pdf({ format: 'A4', preferCSSPageSize: true })
  t.ok(printed.subarray(0, 5).toString() === '%PDF-' && printed.length > 10_000, 'Chromium prints it as an A4 PDF')
  await page.emulateMedia({ media: 'screen' })

  const href = await page.getByRole('link', { name: 'Tải PDF' }).getAttribute('href')
  t.match(href, /^\/api\/v1\/reports\/monthly\?from=\d{4}-\d{2}-01&to=\d{4}-\d{2}-\d{2}&lang=vi$/)
  const answer = await page.evaluate(async (url) => {
    const response = await fetch(url)
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      head: new TextDecoder().decode((await response.arrayBuffer()).slice(0, 5))
    }
  }, href!)
  t.same(answer, { status: 200, type: 'application/pdf', head: '%PDF-' }, "the link downloads the server's PDF")
})
