// The follow-up loop in Chromium against the real server: every open case whatever the period, paged with a total; taking
// a case, logging a call-back, resolving and reopening it; a toast that opens its case; the SLA set in Quản trị.
import t from 'tap'
import { rateOnTerminal, seedCase, seedCentre, seedUser, type SeededCentre } from '../fixtures.ts'
import { signIn, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness

/** Open cases at counter 1, rated (and opened) `daysAgo` days back each, in the order given. */
async function seedCases (centre: SeededCentre, daysAgo: number[]): Promise<string[]> {
  const ids: string[] = []
  for (const days of daysAgo) {
    const at = new Date(Date.now() - days * 86400_000).toISOString()
    ids.push(await seedCase(app.db, centre, { ratedAt: at, openedAt: at }))
  }
  return ids
}

t.test('"Hôm nay" hides no open case: 60 open, 50 a page, Tải thêm, the overdue ones marked', async (t) => {
  const centre = await seedCentre(app.db)
  const supervisor = await seedUser(app.db, 'supervisor', centre.centreId)
  // Two from last month (long overdue), then 58 from the last hour: more than a page.
  const ids = await seedCases(centre, [40, 35, ...Array.from({ length: 58 }, (_, i) => (58 - i) / 2000)])
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/cases?period=today')
  t.teardown(() => context.close())
  await page.getByText('Đang hiện 50 / 60 phản ánh').waitFor()
  const items = page.locator('li.case')
  t.equal(await items.count(), 50)
  t.equal(await items.first().getAttribute('data-case'), ids[0], "the oldest first, though it is not from today's period")
  t.match(await items.first().textContent(), /Hạn xử lý: \d{2}\/\d{2}\/\d{4}.*Quá hạn/, 'its due time, and it is overdue')
  await page.getByRole('button', { name: 'Tải thêm' }).click()
  await page.getByText('Đang hiện 60 / 60 phản ánh').waitFor()
  t.equal(await items.count(), 60, 'the second page appended')
  t.equal(await page.getByRole('button', { name: 'Tải thêm' }).count(), 0, 'nothing more to load')
  t.same(await items.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-case'))), ids, 'each once, in order')

  await page.getByLabel('Chỉ phản ánh quá hạn').check()
  await page.getByText('Đang hiện 2 / 2 phản ánh').waitFor()
  t.same(await items.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-case'))), ids.slice(0, 2))
})

t.test('take a case, log the call-back, resolve it, find it resolved today and reopen it', async (t) => {
  const centre = await seedCentre(app.db)
  const supervisor = await seedUser(app.db, 'supervisor', centre.centreId)
  const [caseId] = await seedCases(centre, [20])
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/cases?period=today')
  t.teardown(() => context.close())
  const item = page.locator(`li[data-case="${caseId}"]`)
  await item.getByText('Người phụ trách: Chưa giao').waitFor()
  await item.getByRole('button', { name: 'Nhận xử lý' }).click()
  await item.getByText(`Người phụ trách: ${supervisor.username}`).waitFor()
  const owned = await app.db.selectFrom('cases').select('assignee_id').where('id', '=', caseId!).executeTakeFirstOrThrow()
  t.equal(owned.assignee_id, supervisor.id)

  await item.getByRole('button', { name: 'Lịch sử xử lý' }).click()
  await item.getByText('Tiếp nhận (người dân đánh giá không hài lòng)').waitFor()
  await item.getByLabel('Loại ghi nhận').selectOption({ label: 'Đã liên hệ lại người dân' })
  await item.getByLabel('Nội dung ghi nhận').fill('Đã gọi cho công dân, hẹn bổ sung hồ sơ sáng mai.')
  await item.getByRole('button', { name: 'Ghi nhận', exact: true }).click()
  await item.getByText('Đã gọi cho công dân, hẹn bổ sung hồ sơ sáng mai.').waitFor()
  t.match(await item.locator('.timeline').textContent(), /Giao xử lý → .*Đã liên hệ lại người dân/, 'the timeline in order')

  await item.getByLabel('Nội dung xử lý').fill('Công dân đã nhận kết quả, xin lỗi vì chậm trễ.')
  await item.getByRole('button', { name: 'Xác nhận đã xử lý' }).click()
  await page.getByText('Không có phản ánh nào.').waitFor()
  t.pass('the resolved case leaves the open list')
  await page.getByRole('button', { name: 'Đã xử lý', exact: true }).click()
  await item.getByText(`Đã xử lý bởi ${supervisor.username} lúc`, { exact: false }).waitFor()
  t.pass('a case rated 20 days ago is found among those resolved today, with who resolved it')
  await item.getByRole('button', { name: 'Mở lại' }).click()
  await page.getByText('Không có phản ánh nào.').waitFor()
  const stored = await app.db.selectFrom('cases').select(['status', 'resolved_at']).where('id', '=', caseId!).executeTakeFirstOrThrow()
  t.same(stored, { status: 'open', resolved_at: null }, 'reopened on the server')
  const kinds = await app.db.selectFrom('case_events').select('kind').where('case_id', '=', caseId!).orderBy('at').execute()
  t.same(kinds.map((row) => row.kind), ['assigned', 'contacted', 'resolved', 'reopened'])
})

t.test("an unsatisfied rating's toast opens its case; toasts close all at once", async (t) => {
  const centre = await seedCentre(app.db)
  const supervisor = await seedUser(app.db, 'supervisor', centre.centreId)
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/')
  t.teardown(() => context.close())
  await page.getByRole('link', { name: 'Phản ánh', exact: true }).waitFor()
  const unsatisfied = async () => (await rateOnTerminal(app, centre.terminal.token, [{ level: 1 }]))[0]!
  await new Promise((resolve) => setTimeout(resolve, 500))
  const ratingId = await unsatisfied()
  await page.locator('.toast').waitFor()
  const stored = await app.db.selectFrom('cases').select('id').where('rating_id', '=', ratingId).executeTakeFirstOrThrow()
  await page.getByRole('link', { name: 'Xem phản ánh' }).click()
  const focused = page.locator('li.case.focused')
  await focused.waitFor()
  t.equal(await focused.getAttribute('data-case'), stored.id, 'the case of that rating, on top and marked')
  await focused.getByText('Tiếp nhận (người dân đánh giá không hài lòng)').waitFor()
  t.pass('with its history open')
  t.equal(await page.locator('.toast').count(), 0, 'the toast went with the click')

  await unsatisfied()
  await unsatisfied()
  await page.getByRole('button', { name: 'Đóng tất cả (2)' }).click()
  t.equal(await page.locator('.toast').count(), 0, 'all toasts closed at once')
})

t.test('an admin sets a centre\'s case deadline in Quản trị → Đơn vị', async (t) => {
  const centre = await seedCentre(app.db)
  const admin = await seedUser(app.db, 'admin', centre.provinceId)
  const { context, page } = await signIn(harness, admin.username, admin.password, '/admin')
  t.teardown(() => context.close())
  await page.getByRole('tab', { name: 'Đơn vị' }).click()
  const row = page.locator(`tr[data-unit="${centre.centreId}"]`)
  const input = row.getByRole('textbox', { name: /Hạn xử lý phản ánh/ })
  t.equal(await input.getAttribute('placeholder'), '2', 'inherited: the default 2 working days')
  await input.fill('3')
  await row.locator('form.sla').getByRole('button', { name: 'Lưu' }).click()
  await row.getByText('Đã lưu').waitFor()
  const unit = await app.db.selectFrom('units').select('case_sla_days').where('id', '=', centre.centreId).executeTakeFirstOrThrow()
  t.equal(unit.case_sla_days, 3)
})

t.test("the loop's figures on the overview and per unit in the comparison, in Vietnamese number style", async (t) => {
  const centre = await seedCentre(app.db)
  const supervisor = await seedUser(app.db, 'supervisor', centre.provinceId)
  const [onTime, late] = await seedCases(centre, [0, 0, 0])
  // Whole November: one resolved in 3 hours (on time), one after 7 days (late), one still open since 20 November.
  const set = async (id: string, opened: string, resolved: string | null) => app.db.updateTable('cases')
    .set({
      opened_at: opened,
      due_at: new Date(Date.parse(opened) + 2 * 86400_000).toISOString(),
      ...(resolved === null ? {} : { status: 'resolved', resolved_at: resolved, note: 'Đã xử lý.' })
    })
    .where('id', '=', id).execute()
  const all = await app.db.selectFrom('cases').select('id').where('unit_id', '=', centre.centreId).orderBy('opened_at').execute()
  await set(onTime!, '2026-11-02T02:00:00.000Z', '2026-11-02T05:00:00.000Z')
  await app.db.updateTable('cases').set({ reason: 'wait' }).where('id', '=', onTime!).execute()
  await set(late!, '2026-11-03T02:00:00.000Z', '2026-11-10T02:00:00.000Z')
  await set(all.map((row) => row.id).find((id) => id !== onTime && id !== late)!, '2026-11-20T02:00:00.000Z', null)
  const period = `unit=${centre.provinceId}&period=custom&from=2026-11-01&to=2026-11-30`
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, `/?${period}`)
  t.teardown(() => context.close())
  const tile = (figure: string) => page.locator(`[data-figures="cases"] [data-figure="${figure}"] .tile-value`)
  await tile('opened').waitFor()
  t.equal(await tile('opened').textContent(), '3')
  t.equal(await tile('resolved').textContent(), '2')
  t.equal(await tile('withinSlaRate').textContent(), '50,0%', 'on time, with a decimal comma')
  t.equal(await tile('medianResolveSeconds').textContent(), '3,6 ngày', 'the median of 3 hours and 7 days')
  t.equal(await tile('overdueNow').textContent(), '1')
  t.match(await page.locator('[data-figure="topReasons"]').textContent(), /Lý do người dân nêu nhiều nhất: Chờ lâu \(1\)/)

  await page.goto(`${harness.url}/province?${period}`)
  const row = page.locator('table[data-figures="cases"] tr', { hasText: 'Xã' })
  await row.first().waitFor()
  t.match(await row.first().textContent(), /3.*2.*50,0%.*3,6 ngày.*1.*1/, "the commune's row")

  await page.goto(`${harness.url}/report?${period}`)
  await page.getByRole('heading', { name: 'VI. TIẾP NHẬN VÀ XỬ LÝ Ý KIẾN KHÔNG HÀI LÒNG' }).waitFor()
  const reportRow = page.locator('article.report table[data-figures="cases"] tr', { hasText: 'Xã' })
  t.match(await reportRow.first().textContent(), /3.*2.*50,0%/, 'and in the printable report')
})
