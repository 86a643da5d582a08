// Quản trị → Đơn vị: how long a receipt code (rate later from a phone) stays valid, per unit, inherited from the parent.
import t from 'tap'
import { seedCentre, seedUser } from '../fixtures.ts'
import { eventually, signIn, startHarness } from './browser.ts'

t.test('an admin sets a centre\'s receipt code validity; empty goes back to the parent\'s', async (t) => {
  const harness = await startHarness(t)
  const { app } = harness
  const centre = await seedCentre(app.db)
  await app.db.updateTable('units').set({ receipt_days: 5 }).where('id', '=', centre.communeId).execute()
  const admin = await seedUser(app.db, 'admin', centre.provinceId)
  const { context, page } = await signIn(harness, admin.username, admin.password, '/admin')
  t.teardown(() => context.close())
  await page.getByRole('tab', { name: 'Đơn vị' }).click()
  const row = page.locator(`tr[data-unit="${centre.centreId}"]`)
  const input = row.getByRole('textbox', { name: /Hạn mã đánh giá sau/ })
  t.equal(await input.getAttribute('placeholder'), '5', 'inherited: the commune\'s 5 days')
  await input.fill('14')
  await row.locator('form.receipt-days').getByRole('button', { name: 'Lưu' }).click()
  await row.locator('form.receipt-days').getByText('Đã lưu').waitFor()
  const unit = await app.db.selectFrom('units').select(['receipt_days', 'case_sla_days'])
    .where('id', '=', centre.centreId).executeTakeFirstOrThrow()
  t.same(unit, { receipt_days: 14, case_sla_days: null }, 'the receipt days, and nothing else, saved')
  await input.fill('')
  await row.locator('form.receipt-days').getByRole('button', { name: 'Lưu' }).click()
  const receiptDays = async () =>
    (await app.db.selectFrom('units').select('receipt_days').where('id', '=', centre.centreId).executeTakeFirstOrThrow()).receipt_days
  await eventually(async () => (await receiptDays()) === null, 10_000, 'the receipt days cleared')
  t.equal(await receiptDays(), null, 'cleared: as the parent again')
})
