// The supervisor's day in Chromium against the real server: a rating appears live, an unsatisfied one raises an alert, its case is
// resolved; a terminal is created and its pairing code shown.
import t from 'tap'
import { rateOnTerminal, seedAssignment, seedCentre, seedUser } from '../fixtures.ts'
import { eventually, signIn, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness
const centre = await seedCentre(app.db, { counters: 2, officers: 2 })
const officer = centre.officers[0]!
await seedAssignment(app.db, centre.terminal.counterId, officer.id)
const supervisor = await seedUser(app.db, 'supervisor', centre.centreId)

/** A press on the centre's terminal, through the terminal API. */
async function rateNow (level: number, criteria?: Record<string, boolean | 'na'>): Promise<string> {
  const [id] = await rateOnTerminal(app, centre.terminal.token, [{ level, ...(criteria === undefined ? {} : { criteria }) }])
  return id!
}

t.test(
  'a rating from the terminal appears on the open live page within a second; an unsatisfied one raises an alert; its case is resolved with a note',
  async (t) => {
    const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/live')
    t.teardown(() => context.close())
    await page.getByText('Đang kết nối trực tiếp').waitFor()
    await page.getByText('Hôm nay chưa có đánh giá nào.', { exact: false }).waitFor()

    const satisfiedId = await rateNow(4, { xin_chao: true, xin_loi: 'na' })
    const sent = Date.now()
    const item = page.locator(`[data-rating="${satisfiedId}"]`)
    await item.waitFor({ timeout: 5_000 })
    const delay = Date.now() - sent
    t.ok(delay < 1_000, `on screen ${delay} ms after the terminal's POST answered`)
    t.equal(await item.locator('.rating-level').textContent(), 'Rất hài lòng')
    t.match(await item.textContent(), officer.fullName, 'with the officer at the counter')
    t.match(await item.textContent(), 'Xin chào', 'and the criteria met')
    t.notMatch(await item.textContent(), 'Xin lỗi', 'not one answered "Không áp dụng"')
    t.equal(await page.getByRole('alert').count(), 0, 'no alert for a satisfied citizen')

    const unsatisfiedId = await rateNow(1)
    const toast = page.locator('.toast')
    await toast.waitFor()
    t.match(await toast.textContent(), /Người dân không hài lòng/)
    t.match(await toast.textContent(), /Không hài lòng · Quầy 1 · Nguyễn Thị Hồng/, 'says what, where and who')
    t.equal(await page.locator('.feed li').first().getAttribute('data-rating'), unsatisfiedId, 'the newest rating first')
    t.equal(await page.locator('.feed li').first().getAttribute('class'), 'rating unsatisfied')

    await page.getByRole('link', { name: 'Phản ánh', exact: true }).click()
    const caseItem = page.locator('li.case')
    await caseItem.waitFor()
    t.equal(await caseItem.count(), 1, 'one open case: the unsatisfied rating')
    t.match(await caseItem.textContent(), /Không hài lòng.*Quầy 1.*Nguyễn Thị Hồng/)
    t.equal(await page.getByRole('button', { name: 'Xác nhận đã xử lý' }).isDisabled(), true, 'no resolving without a note')
    await page
      .getByLabel('Cán bộ', { exact: true })
      .selectOption({ label: `${centre.officers[1]!.fullName} (${centre.officers[1]!.staffCode})` })
    await page.getByText('Không có phản ánh nào.').waitFor()
    t.pass('filtered by another officer: no case')
    await page.getByLabel('Cán bộ', { exact: true }).selectOption({ label: 'Tất cả' })
    await caseItem.waitFor()
    await page.getByLabel('Nội dung xử lý').fill('Đã gọi điện xin lỗi và hướng dẫn lại hồ sơ.')
    await page.getByRole('button', { name: 'Xác nhận đã xử lý' }).click()
    await page.getByText('Không có phản ánh nào.').waitFor()
    const stored = await app.db
      .selectFrom('cases')
      .select(['status', 'note', 'resolved_by'])
      .where('rating_id', '=', unsatisfiedId)
      .executeTakeFirstOrThrow()
    t.same(
      stored,
      { status: 'resolved', note: 'Đã gọi điện xin lỗi và hướng dẫn lại hồ sơ.', resolved_by: supervisor.id },
      'resolved on the server by this supervisor'
    )
    await page.getByRole('button', { name: 'Đã xử lý', exact: true }).click()
    await page.getByText('Đã gọi điện xin lỗi và hướng dẫn lại hồ sơ.').waitFor()
    t.pass('the resolved tab shows the note')

    await page.getByRole('button', { name: 'Đóng' }).click()
    t.equal(await page.locator('.toast').count(), 0, 'the alert can be dismissed')
  }
)

t.test('the live page reconnects by itself after the socket drops', async (t) => {
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/live')
  t.teardown(() => context.close())
  await page.getByText('Đang kết nối trực tiếp').waitFor()
  // Closing every server-side socket is what a restart or a network cut looks like to the page.
  for (const client of app.websocketServer.clients) client.terminate()
  await page.getByText('Mất kết nối, đang thử lại…').waitFor()
  await page.getByText('Đang kết nối trực tiếp').waitFor()
  await eventually(async () => app.websocketServer.clients.size > 0, 10_000, 'a new socket')
  const id = await rateNow(3)
  await page.locator(`[data-rating="${id}"]`).waitFor()
  t.pass('a rating after the reconnect arrives')
})

t.test('an admin creates a terminal: the pairing code is shown large with a QR code, and pairs a device', async (t) => {
  const admin = await seedUser(app.db, 'admin', null)
  const { context, page } = await signIn(harness, admin.username, admin.password, '/admin')
  t.teardown(() => context.close())
  await page.getByRole('tab', { name: 'Thiết bị' }).waitFor()
  await page.getByLabel('Quầy').selectOption({ label: 'Quầy 2' })
  await page.getByLabel('Loại').selectOption('button')
  await page.getByRole('button', { name: 'Tạo' }).click()
  const code = page.locator('.pairing-code')
  await code.waitFor()
  const pairingCode = (await code.textContent()) ?? ''
  t.match(pairingCode, /^\d{8}$/, 'an 8-digit code')
  t.ok(parseFloat(await code.evaluate((element) => getComputedStyle(element).fontSize)) >= 48, 'shown large')
  t.equal(await page.locator('.pairing .qr svg').count(), 1, 'with a QR code')
  t.match(await page.locator('.pairing').textContent(), 'Quầy 2')

  const paired = await app.inject({ method: 'POST', url: '/api/v1/terminals/pair', payload: { pairingCode } })
  t.equal(paired.statusCode, 200, 'the code shown pairs a device')
  const row = await app.db
    .selectFrom('terminals')
    .select(['counter_id', 'kind'])
    .where('id', '=', paired.json().terminalId)
    .executeTakeFirstOrThrow()
  t.same(row, { counter_id: centre.counterIds[1], kind: 'button' })
  await page.getByRole('cell', { name: 'Chờ ghép nối', exact: true }).waitFor()
  t.equal(await page.getByRole('cell', { name: 'Hộp nút bấm', exact: true }).count(), 1, 'listed with the terminals')
})

t.test(
  'an admin renames a criterion, moves it and relabels a level: saved as a whole, and the officers table shows the new label',
  async (t) => {
    const admin = await seedUser(app.db, 'admin', null)
    const { context, page } = await signIn(harness, admin.username, admin.password, '/admin')
    t.teardown(() => context.close())
    await page.getByRole('tab', { name: 'Thang đo và tiêu chí' }).click()
    await page.getByLabel('xin_chao Tiếng Việt').fill('Chào hỏi niềm nở')
    await page.getByRole('button', { name: 'Xuống xin_chao' }).click()
    await page.getByLabel('Mức 2 Tiếng Việt').fill('Tạm được')
    await page.getByRole('button', { name: 'Lưu', exact: true }).click()
    await page.getByRole('status').filter({ hasText: 'Đã lưu.' }).waitFor()

    const criteria = await app.db
      .selectFrom('criteria')
      .select(['code', 'label_vi'])
      .where('active', '=', true)
      .orderBy('position')
      .execute()
    t.same(
      criteria.slice(0, 2),
      [
        { code: 'xin_loi', label_vi: 'Xin lỗi' },
        { code: 'xin_chao', label_vi: 'Chào hỏi niềm nở' }
      ],
      'renamed and moved down one'
    )
    t.equal(criteria.length, 8, 'no criterion lost')
    const scale = await app.db
      .selectFrom('scale_levels')
      .select(['level', 'label_vi', 'category', 'weight'])
      .orderBy('level', 'desc')
      .execute()
    t.same(
      scale.map((level) => level.label_vi),
      ['Rất hài lòng', 'Hài lòng', 'Tạm được', 'Không hài lòng']
    )
    t.same(
      scale.map((level) => [level.category, level.weight]),
      [
        ['satisfied', 100],
        ['satisfied', 75],
        ['neutral', 40],
        ['unsatisfied', 0]
      ],
      'categories and weights kept'
    )

    await page.getByRole('link', { name: 'Cán bộ' }).click()
    await page.getByRole('button', { name: 'Chào hỏi niềm nở' }).waitFor()
    t.pass('the officers table shows the new label')
  }
)
