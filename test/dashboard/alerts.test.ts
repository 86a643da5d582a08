// Alert rules in Chromium against the real server: a rule made on the alerts page fires on the server, raises a toast
// on the open dashboard and is acknowledged with a note; the officer page lists the officer's ratings and shifts.
import t from 'tap'
import { rateOnTerminal, seedAssignment, seedCentre, seedUser } from '../fixtures.ts'
import { eventually, signIn, startHarness } from './browser.ts'

// The officer-page test posts presses from the last hour after the alert test's newer ones: a terminal sending an older
// past in bulk would be distrusted as backdated (docs/ingest.md), so this harness allows an hour of rewind.
const harness = await startHarness(t, { clockSkewSeconds: 3600 })
const { app } = harness
const centre = await seedCentre(app.db, { counters: 2, officers: 2 })
const officer = centre.officers[0]!
const supervisor = await seedUser(app.db, 'supervisor', centre.centreId)

/** Presses on the centre's terminal, through the terminal API, `secondsAgo` each. */
async function press (presses: Array<[level: number, secondsAgo: number]>): Promise<string[]> {
  return rateOnTerminal(app, centre.terminal.token, presses.map(([level, secondsAgo]) => ({ level, secondsAgo })))
}

t.test('a rule made on the alerts page fires on the server, shows on the open dashboard and is acknowledged with a note', async (t) => {
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/alerts')
  t.teardown(() => context.close())
  await page.getByText('Chưa có quy tắc nào.').waitFor()
  await page.getByText('Không có cảnh báo nào.').waitFor()
  await page.getByLabel('Loại quy tắc').selectOption({ label: 'Không hài lòng liên tiếp tại một quầy' })
  await page.getByLabel('Số lượt liên tiếp').fill('2')
  await page.getByRole('button', { name: 'Thêm quy tắc' }).click()
  const ruleRow = page.locator('tr[data-rule]')
  await ruleRow.waitFor()
  t.match(
    await ruleRow.textContent(),
    /Trung tâm Phục vụ hành chính công.*Không hài lòng liên tiếp tại một quầy.*2 lượt liên tiếp tại một quầy/
  )
  const rule = await app.db.selectFrom('alert_rules').selectAll().executeTakeFirstOrThrow()
  t.match(rule, {
    unit_id: centre.centreId,
    kind: 'unsatisfied_streak',
    parameters: { count: 2 },
    enabled: true,
    created_by: supervisor.id
  })

  await page.getByRole('link', { name: 'Tổng quan' }).click()
  await page.getByRole('link', { name: 'Cảnh báo' }).waitFor()
  await press([
    [1, 30],
    [1, 20]
  ])
  const toast = page.locator('.toast.rule')
  await toast.waitFor()
  t.match(
    await toast.textContent(),
    /Cảnh báo theo quy tắc.*2 lượt không hài lòng liên tiếp · Quầy 1/,
    'the rule toast says what fired, where'
  )
  const fired = await app.db.selectFrom('alerts').selectAll().executeTakeFirstOrThrow()
  t.equal(await toast.getAttribute('data-alert'), fired.id)
  const badge = page.getByRole('navigation').locator('.badge')
  await badge.waitFor()
  t.equal(await badge.textContent(), '1', 'the menu counts the open alert')

  await toast.getByRole('link', { name: 'Xem' }).click()
  const item = page.locator(`li[data-alert="${fired.id}"]`)
  await item.waitFor()
  t.match(await item.textContent(), /Không hài lòng liên tiếp tại một quầy.*2 lượt không hài lòng liên tiếp · Quầy 1/)
  await item.getByLabel('Ghi chú (không bắt buộc)').fill('Đã trao đổi với cán bộ quầy 1')
  await item.getByRole('button', { name: 'Xác nhận đã biết' }).click()
  await page.getByText('Không có cảnh báo nào.').waitFor()
  const acknowledged = await app.db
    .selectFrom('alerts')
    .select(['acknowledged_by', 'note'])
    .where('id', '=', fired.id)
    .executeTakeFirstOrThrow()
  t.same(
    acknowledged,
    { acknowledged_by: supervisor.id, note: 'Đã trao đổi với cán bộ quầy 1' },
    'acknowledged on the server by this supervisor'
  )
  await page.locator('.toast.rule').waitFor({ state: 'detached' })
  t.pass('the acknowledged alert leaves the toasts')
  await badge.waitFor({ state: 'detached' })
  t.pass("and the menu's count")
  await page.getByRole('button', { name: 'Đã xác nhận' }).click()
  await page.getByText('Đã trao đổi với cán bộ quầy 1', { exact: false }).waitFor()
  t.pass('the acknowledged tab shows the note')

  await page.getByLabel('Đang bật').click()
  const enabled = async (): Promise<boolean> =>
    (await app.db.selectFrom('alert_rules').select('enabled').where('id', '=', rule.id).executeTakeFirstOrThrow()).enabled
  await eventually(async () => !(await enabled()), 10_000, 'the rule disabled on the server')
  await page.reload()
  await ruleRow.waitFor()
  t.equal(await page.getByLabel('Đang bật').isChecked(), false, 'shown disabled after a reload')
  await ruleRow.getByRole('button', { name: 'Xóa' }).click()
  await page.getByText('Chưa có quy tắc nào.').waitFor()
  t.equal((await app.db.selectFrom('alert_rules').select('id').execute()).length, 0, 'deleted on the server')

  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('heading', { name: 'Alert rules' }).waitFor()
  t.pass('in English with one click')
})

t.test("the officer page lists the officer's recent ratings, 20 at a time, and shifts", async (t) => {
  await app.db
    .insertInto('assignments')
    .values({
      unit_id: centre.centreId,
      counter_id: centre.counterIds[1]!,
      officer_id: officer.id,
      started_at: new Date(Date.now() - 5 * 3600_000),
      ended_at: new Date(Date.now() - 4 * 3600_000)
    })
    .execute()
  await seedAssignment(app.db, centre.terminal.counterId, officer.id, new Date(Date.now() - 3 * 3600_000))
  // 25 presses in the last hour (after the two of the test before, credited to nobody).
  const ids = await press(Array.from({ length: 25 }, (_, i) => [i % 5 === 0 ? 1 : 4, 3000 - i * 60] as [number, number]))
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, `/officers/${officer.id}?period=7d`)
  t.teardown(() => context.close())
  const rows = page.locator('.recent-ratings tr[data-rating]')
  await rows.first().waitFor()
  t.equal(await rows.count(), 20, 'the first 20')
  t.equal(await rows.first().getAttribute('data-rating'), ids.at(-1), 'newest first')
  t.match(await rows.first().textContent(), /Rất hài lòng.*Quầy 1/)
  await page.getByRole('button', { name: 'Xem thêm' }).click()
  await page.locator(`.recent-ratings tr[data-rating="${ids[0]}"]`).waitFor()
  t.equal(await rows.count(), 25, 'all 25 after "show more"')
  t.equal(await page.getByRole('button', { name: 'Xem thêm' }).count(), 0, 'nothing more to show')
  t.equal(await page.locator('.recent-ratings tr.unsatisfied').count(), 5)

  const shifts = page.locator('.shifts tr[data-shift]')
  await shifts.first().waitFor()
  t.equal(await shifts.count(), 2)
  t.match(await shifts.nth(0).textContent(), /Quầy 1.*Đang làm việc/, 'the open shift first')
  t.match(await shifts.nth(1).textContent(), /Quầy 2/)
  t.notMatch(await shifts.nth(1).textContent(), /Đang làm việc/, 'the ended one with its end')
})

t.test('a rule fires with no screen open: the next sign-in shows it in the menu and on the alerts page', async (t) => {
  const admin = await seedUser(app.db, 'admin', null)
  // The page of the test before closed at its teardown; the server notices the socket's close a moment later.
  for (const started = Date.now(); app.live.userCount() > 0 && Date.now() - started < 10_000;) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  t.equal(app.live.userCount(), 0, 'no dashboard open')
  const rule = await app.db
    .insertInto('alert_rules')
    .values({
      unit_id: centre.provinceId,
      kind: 'unsatisfied_streak',
      parameters: JSON.stringify({ count: 2 }),
      enabled: true,
      created_by: admin.id
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  app.alerts.rulesChanged()
  await press([
    [1, 10],
    [1, 5]
  ])
  await app.alerts.settled()
  const fired = await app.db.selectFrom('alerts').select(['id', 'unit_id']).where('rule_id', '=', rule.id).execute()
  t.same(
    fired.map((alert) => alert.unit_id),
    [centre.centreId],
    'fired on the server, for the centre of the counter'
  )

  const { context, page } = await signIn(harness, supervisor.username, supervisor.password)
  t.teardown(() => context.close())
  const link = page.getByRole('navigation').getByRole('link', { name: /Cảnh báo/ })
  await link.locator('.badge').waitFor()
  t.equal(await link.locator('.badge').textContent(), '1')
  await link.click()
  await page.locator(`li[data-alert="${fired[0]!.id}"]`).waitFor()
  t.match(await page.locator(`li[data-alert="${fired[0]!.id}"]`).textContent(), /2 lượt không hài lòng liên tiếp · Quầy 1/)
})
