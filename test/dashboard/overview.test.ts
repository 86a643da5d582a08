// The dashboard's sign-in, overview figures against the API, the period in the URL, a CSV export and scope, in Chromium against the real
// server.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { seedDemo } from '../../api/demo/seed.ts'
import { rateOnTerminal, seedCentre, seedUser } from '../fixtures.ts'
import { signIn, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness
const demo = await seedDemo(app.db, new Date(), app.config.pairingSecret!)

interface Figures {
  total: number
  byLevel: Record<string, number>
  satisfactionRate: number | null
  rate766: number | null
  scoreIndex: number | null
}

/** The session cookie of a fresh API sign-in, to ask the API what the page should show. */
async function apiCookie (username: string, password: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } })
  const cookie = response.cookies.find((item) => item.name === 'hl_session')
  if (cookie === undefined) throw new Error(`login failed: ${response.statusCode}`)
  return `hl_session=${cookie.value}`
}
const cookie = await apiCookie(demo.supervisor.username, demo.supervisor.password)
const api = async <T>(url: string): Promise<T> => {
  const response = await app.inject({ method: 'GET', url, headers: { cookie } })
  if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`)
  return response.json() as T
}

// How a Vietnamese reader sees the figures (formatted here independently of the dashboard's code).
const count = (value: number): string => new Intl.NumberFormat('vi-VN').format(value)
const rate = (value: number | null): string =>
  value === null
    ? '–'
    : new Intl.NumberFormat('vi-VN', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value)
const score = (value: number | null): string =>
  value === null ? '–' : new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value)
const localDay = (offsetDays = 0): string => new Date(Date.now() + 7 * 3_600_000 - offsetDays * 86_400_000).toISOString().slice(0, 10)

t.test(
  'sign-in: a wrong password is refused, the right one opens the overview, the session survives a reload, sign-out ends it',
  async (t) => {
    const context = await harness.browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' })
    t.teardown(() => context.close())
    context.setDefaultTimeout(10_000)
    const page = await context.newPage()
    await page.goto(`${harness.url}/officers`)
    await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor()
    await page.getByLabel('Tên đăng nhập').fill(demo.supervisor.username)
    await page.getByLabel('Mật khẩu').fill('not the password')
    await page.getByRole('button', { name: 'Đăng nhập' }).click()
    t.equal(await page.getByRole('alert').textContent(), 'Sai tên đăng nhập hoặc mật khẩu.')

    await page.getByLabel('Mật khẩu').fill(demo.supervisor.password)
    await page.getByRole('button', { name: 'Đăng nhập' }).click()
    await page.getByRole('navigation').waitFor()
    t.equal(
      await page.getByRole('link', { name: 'Cán bộ' }).getAttribute('aria-current'),
      'page',
      'the deep link asked for opens after sign-in'
    )
    t.same(
      await page.getByRole('navigation').getByRole('link').allTextContents(),
      ['Tổng quan', 'Trực tiếp', 'Cán bộ', 'Phản ánh', 'Cảnh báo', 'So sánh đơn vị', 'Báo cáo tháng', 'Quản trị'],
      "a supervisor's menu"
    )
    await page.reload()
    await page.getByRole('navigation').waitFor()
    t.pass('still signed in after a reload')

    await page.getByRole('button', { name: 'English' }).click()
    await page.getByRole('link', { name: 'Officers' }).waitFor()
    t.equal(await page.locator('html').getAttribute('lang'), 'en')
    await page.getByRole('button', { name: 'Tiếng Việt' }).click()
    await page.getByRole('button', { name: 'Đăng xuất' }).click()
    await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor()
    const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status)
    t.equal(me, 401, 'the session is over on the server too')
  }
)

t.test("the overview shows the API's figures for the seeded month, against the previous period; a preset goes into the URL", async (t) => {
  const { context, page } = await signIn(harness, demo.supervisor.username, demo.supervisor.password)
  t.teardown(() => context.close())
  const month = { from: `${localDay().slice(0, 8)}01`, to: localDay() }
  const summary = await api<Figures>(`/api/v1/stats/summary?from=${month.from}&to=${month.to}`)
  // The demo holds the last 30 days and more; in the first hours of a local month the month itself may hold none yet.
  const lastThirtyDays = await api<Figures>(`/api/v1/stats/summary?from=${localDay(29)}&to=${localDay()}`)
  t.ok(lastThirtyDays.total > 100, 'the demo has a month of ratings')
  const tile = (name: string) => page.getByRole('group', { name, exact: true }).locator('.tile-value')
  await tile('Lượt đánh giá').waitFor()
  t.equal(await tile('Lượt đánh giá').textContent(), count(summary.total))
  t.equal(await tile('Tỷ lệ hài lòng').textContent(), rate(summary.satisfactionRate))
  t.equal(await tile('Tỷ lệ theo QĐ 766').textContent(), rate(summary.rate766))
  t.equal(await tile('Chỉ số điểm').textContent(), score(summary.scoreIndex))
  t.equal(
    await page.locator('.levels li[data-level="1"] strong').textContent(),
    count(summary.byLevel['1'] ?? 0),
    'the unsatisfied count of the level distribution'
  )
  t.match(await page.getByRole('group', { name: 'Lượt đánh giá', exact: true }).locator('.delta').textContent(), /so với kỳ trước/)

  const counters = await api<{ rows: Array<{ name: string; total: number; satisfactionRate: number | null }> }>(
    `/api/v1/stats/counters?from=${month.from}&to=${month.to}`
  )
  const table = page.getByRole('region', { name: 'Theo quầy' })
  await table.locator('tbody tr').first().waitFor()
  const shown = await table
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)))
  t.same(
    shown.map((cells) => [cells[1], cells[2], cells[3]]),
    counters.rows.map((row) => [row.name, count(row.total), rate(row.satisfactionRate)]),
    'the per-counter table'
  )
  t.equal(await page.locator('.heatmap tbody tr').count(), 7, 'a heat map row per weekday')
  t.ok(await page.locator('canvas[aria-label="Xu hướng"]').isVisible(), 'the trend chart is drawn')

  await page.getByRole('button', { name: '7 ngày' }).click()
  await page.waitForURL(/period=7d/)
  const week = await api<Figures>(`/api/v1/stats/summary?from=${localDay(6)}&to=${localDay()}`)
  await page.reload()
  await page.getByRole('button', { name: '7 ngày' }).and(page.locator('[aria-pressed="true"]')).waitFor()
  await page.waitForFunction(
    (expected) => document.querySelector('[data-figure="total"] .tile-value')?.textContent === expected,
    count(week.total)
  )
  t.equal(await tile('Tỷ lệ hài lòng').textContent(), rate(week.satisfactionRate), 'a bookmarked 7-day view shows the 7 days')

  await page.getByRole('button', { name: 'Tháng này' }).click()
  await page.waitForURL(/period=month/)
  await page.getByRole('link', { name: 'So sánh đơn vị' }).and(page.locator('[href*="period=month"]')).waitFor()
  await page.getByRole('link', { name: 'So sánh đơn vị' }).click()
  await page.waitForURL(/\/province\?period=month/)
  const units = await api<{ rows: Array<{ name: string; total: number }> }>(`/api/v1/stats/units?from=${month.from}&to=${month.to}`)
  await page.locator('table.units tbody tr').first().waitFor()
  t.same(
    await page.locator('table.units tbody tr td:nth-child(3)').allTextContents(),
    units.rows.map((row) => count(row.total)),
    'the unit comparison, for the period carried over by the menu'
  )

  await page.getByRole('link', { name: 'Báo cáo tháng' }).click()
  await page.getByRole('heading', { name: 'BÁO CÁO', exact: true }).waitFor()
  const totalRow = page.locator('.report tr', { has: page.getByRole('rowheader', { name: 'Lượt đánh giá', exact: true }) })
  await totalRow.first().waitFor()
  t.equal(await totalRow.first().locator('td').textContent(), count(summary.total), "the printable report has the month's total")
  t.equal(await page.getByRole('button', { name: 'In báo cáo' }).isVisible(), true)
})

t.test("a CSV export downloads the API's Excel-ready CSV of the table", async (t) => {
  const { context, page } = await signIn(harness, demo.supervisor.username, demo.supervisor.password, '/officers?period=month')
  t.teardown(() => context.close())
  await page.locator('table.officers tbody tr').first().waitFor()
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải CSV' }).click()])
  const content = await readFile((await download.path())!, 'utf8')
  t.ok(content.startsWith('\uFEFF'), 'UTF-8 with a BOM, for Excel')
  const header = content.slice(1).split(/\r?\n/)[2]! // after the title line (unit, period) and an empty line
  t.match(header, /Họ và tên/, 'Vietnamese column headers')
  const response = await app.inject({
    method: 'GET',
    url: `/api/v1/stats/officers?from=${localDay().slice(0, 8)}01&to=${localDay()}&format=csv&lang=vi`,
    headers: { cookie }
  })
  t.equal(content, response.body, 'the same bytes the API gives for the period on screen')
  const names = await page.locator('table.officers tbody .officer-name').allTextContents()
  for (const name of names.slice(0, 3)) t.ok(content.includes(name.replace(' *', '')), `${name} is in the file`)

  await page.getByRole('button', { name: 'Lượt đánh giá' }).click()
  const totals = await page.locator('table.officers tbody tr td:nth-child(2)').allTextContents()
  const numbers = totals.map((value) => Number(value.replace(/\./g, '')))
  t.same(
    numbers,
    [...numbers].sort((a, b) => b - a),
    'sorted by ratings, most first'
  )
  t.equal(numbers.length, names.length)

  const first = page.locator('table.officers tbody .officer-name a').first()
  const name = (await first.textContent()) ?? ''
  const officerId = ((await first.getAttribute('href')) ?? '').split('/')[2]!.split('?')[0]!
  await first.click()
  await page.getByRole('heading', { name: new RegExp(name) }).waitFor()
  const figures = await api<Figures>(`/api/v1/stats/summary?officerId=${officerId}&from=${localDay().slice(0, 8)}01&to=${localDay()}`)
  await page.waitForFunction(
    (expected) => document.querySelector('[data-figure="total"] .tile-value')?.textContent === expected,
    count(figures.total)
  )
  t.equal(
    await page.locator('[data-figure="satisfactionRate"] .tile-value').textContent(),
    rate(figures.satisfactionRate),
    "the officer page shows the officer's own figures"
  )
  t.ok(await page.getByRole('img', { name: 'Tiêu chí "4 xin, 4 luôn"' }).isVisible(), 'and the criteria chart')
})

t.test('a supervisor of one centre sees nothing of another', async (t) => {
  const mine = await seedCentre(app.db, { counters: 2 })
  const other = await seedCentre(app.db, { counters: 3 })
  await app.db.updateTable('counters').set({ name: 'Quầy bí mật' }).where('unit_id', '=', other.centreId).execute()
  const supervisor = await seedUser(app.db, 'supervisor', mine.centreId)
  await rateOnTerminal(app, mine.terminal.token, [{ level: 4 }])
  await rateOnTerminal(app, other.terminal.token, [{ level: 1 }])
  await rateOnTerminal(app, other.terminal.token, [{ level: 2 }])

  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/?period=today')
  t.teardown(() => context.close())
  await page.waitForFunction(() => document.querySelector('[data-figure="total"] .tile-value')?.textContent === '1')
  t.pass("the overview counts only the own centre's rating")
  const options = await page.getByLabel('Đơn vị').locator('option').allTextContents()
  const centre = await app.db.selectFrom('units').select('name').where('id', '=', mine.centreId).executeTakeFirstOrThrow()
  t.same(
    options.map((option) => option.trim()),
    ['Toàn bộ phạm vi', centre.name],
    'the unit picker lists only the own subtree'
  )
  t.notOk(
    options.some((option) => option.includes('Tỉnh') || option.includes('Xã')),
    'no parent units'
  )
  t.equal(await page.getByText('Quầy bí mật').count(), 0, 'no counter of the other centre')

  await page.goto(`${harness.url}/officers?period=today`)
  await page.locator('table.officers tbody tr').first().waitFor()
  t.same(
    await page.locator('table.officers tbody .officer-name').allTextContents(),
    ['Không có cán bộ *'],
    "only the own centre's rating, marked as a small sample"
  )
  t.equal(await page.locator('.small-mark').getAttribute('title'), 'Mẫu nhỏ: quá ít lượt để đánh giá')

  await page.goto(`${harness.url}/?unit=${other.centreId}&period=today`)
  await page.getByRole('alert').first().waitFor()
  t.equal(await page.getByRole('alert').first().textContent(), 'Không tìm thấy đơn vị.', 'the API refuses it, in Vietnamese by its code')
  t.equal(await page.locator('[data-figure="total"]').count(), 0, 'another centre asked for in the URL shows no figures')
  await page.goto(`${harness.url}/cases?period=today`)
  await page.getByText('Không có phản ánh nào.').waitFor()
  t.pass("the other centre's unsatisfied rating is not in the inbox")
})
