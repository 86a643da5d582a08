// The citizen's voice on the Phản ánh page (issue 15): the reason and the call-back number, masked in the list and whole with a
// tel: link on request for a supervisor; an analyst sees the reason and that a call-back was asked, never the number.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { postRatings, seedCentre, seedUser } from '../fixtures.ts'
import { signIn, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness
const centre = await seedCentre(app.db)
const post = (ratings: unknown[]) => postRatings(app, centre.terminal.token, ratings)
const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString()
const withNumber = randomUUID()
const reasonOnly = randomUUID()
await post([
  { id: withNumber, level: 1, ratedAt: minutesAgo(30), followUp: { reason: 'wait', phone: '0912345678', consentVersion: 'nd13-2026-11' } },
  { id: reasonOnly, level: 1, ratedAt: minutesAgo(20), followUp: { reason: 'attitude' } }
])
const caseId = async (ratingId: string) =>
  (await app.db.selectFrom('cases').select('id').where('rating_id', '=', ratingId).executeTakeFirstOrThrow()).id

t.test('a supervisor sees the reason, the number masked, and on "Hiện số" the whole number to call', async (t) => {
  const supervisor = await seedUser(app.db, 'supervisor', centre.centreId)
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/cases')
  t.teardown(() => context.close())
  const item = page.locator(`li.case[data-case="${await caseId(withNumber)}"]`)
  await item.waitFor()
  t.match(await item.locator('.case-voice').textContent(), /Lý do: Chờ lâu.*Gọi lại: 09\*{6}78/)
  t.notOk((await page.content()).includes('0912345678'), 'the list never holds the whole number')
  await item.getByRole('button', { name: 'Hiện số' }).click()
  const call = item.getByRole('link', { name: 'Gọi 0912345678' })
  await call.waitFor()
  t.equal(await call.getAttribute('href'), 'tel:0912345678')

  const other = page.locator(`li.case[data-case="${await caseId(reasonOnly)}"]`)
  t.match(await other.locator('.case-voice').textContent(), /Lý do: Thái độ/)
  t.equal(await other.locator('.call-back').count(), 0, 'no call-back asked: none shown')
})

t.test('an analyst sees the reason and that a call-back was asked, never the number', async (t) => {
  const analyst = await seedUser(app.db, 'analyst', centre.centreId)
  const { context, page } = await signIn(harness, analyst.username, analyst.password, '/cases')
  t.teardown(() => context.close())
  const item = page.locator(`li.case[data-case="${await caseId(withNumber)}"]`)
  await item.waitFor()
  t.match(await item.locator('.case-voice').textContent(), /Lý do: Chờ lâu.*Công dân đề nghị được gọi lại/)
  t.equal(await item.getByRole('button', { name: 'Hiện số' }).count(), 0)
  t.notOk(/09\*|0912345678/.test(await page.content()), 'no number at all')
})

t.test('an admin sets a centre\'s follow-up in Quản trị → Đơn vị: a reason added, neutral ratings asked, no call-back', async (t) => {
  const admin = await seedUser(app.db, 'admin', centre.provinceId)
  const { context, page } = await signIn(harness, admin.username, admin.password, '/admin')
  t.teardown(() => context.close())
  await page.getByRole('tab', { name: 'Đơn vị' }).click()
  await page.locator(`tr[data-unit="${centre.centreId}"]`).getByRole('button', { name: /Câu hỏi thêm/ }).click()
  const form = page.getByRole('form', { name: /Câu hỏi thêm/ })
  await form.getByRole('textbox', { name: 'Tiếng Việt 5' }).waitFor()
  t.ok(await form.getByRole('checkbox', { name: 'Theo đơn vị cấp trên' }).isChecked(), 'inherited at first')
  t.equal(await form.getByRole('textbox', { name: 'Tiếng Việt 1' }).inputValue(), 'Chờ lâu', 'the defaults to start from')
  await form.getByRole('checkbox', { name: 'Theo đơn vị cấp trên' }).uncheck()
  await form.getByRole('button', { name: 'Thêm lý do' }).click()
  await form.getByRole('textbox', { name: 'Mã 6' }).fill('fee')
  await form.getByRole('textbox', { name: 'Tiếng Việt 6' }).fill('Thu phí chưa đúng')
  await form.getByRole('textbox', { name: 'English 6' }).fill('Wrong fee')
  await form.getByRole('checkbox', { name: /Bình thường/ }).check()
  await form.getByRole('checkbox', { name: /Đề nghị gọi lại/ }).uncheck()
  await form.getByRole('button', { name: 'Lưu' }).click()
  await form.getByText('Đã lưu').waitFor()

  const state = (await app.inject({ url: '/api/v1/terminal/state', headers: { authorization: `Bearer ${centre.terminal.token}` } })).json()
  t.same(state.followUp.reasons.at(-1), { code: 'fee', labelVi: 'Thu phí chưa đúng', labelEn: 'Wrong fee' })
  t.equal(state.followUp.reasons.length, 6)
  t.match(state.followUp, { askNeutral: true, callBack: false }, 'the terminal asks what was saved')
})
