// The terminal's receipt (rate later from a phone): the officer opens it from the staff screen, the citizen sees a QR code
// of the link, and "In phiếu" prints an 80 mm slip with the centre, counter, officer, QR code, link and expiry.
import t from 'tap'
import { seedAssignment, seedCentre } from '../fixtures.ts'
import { openTerminal, startHarness } from './browser.ts'

t.test('the QR code of a fresh receipt code, and its printable slip', async (t) => {
  const harness = await startHarness(t)
  const { app } = harness
  const centre = await seedCentre(app.db)
  await seedAssignment(app.db, centre.terminal.counterId, centre.officers[0]!.id)
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token })
  await context.addInitScript(() => {
    (window as unknown as { printed: number }).printed = 0
    window.print = () => { (window as unknown as { printed: number }).printed++ }
  })
  await page.reload()
  await page.locator('.level').first().waitFor()

  await page.getByRole('button', { name: 'Cán bộ' }).click()
  await page.getByRole('button', { name: 'Mã QR đánh giá sau' }).click()
  await page.getByRole('heading', { name: 'Quét mã QR để đánh giá sự phục vụ bằng điện thoại' }).waitFor()
  await page.locator('.qr svg').waitFor()
  const link = await page.locator('.slip-link').textContent()
  t.match(link, new RegExp(`^${harness.url}/r/[2-9A-HJKMNP-TV-Z]{14}$`), 'the link on the slip')
  const rows = await app.db.selectFrom('receipt_codes').select(['counter_id', 'officer_id']).execute()
  t.same(rows, [{ counter_id: centre.terminal.counterId, officer_id: centre.officers[0]!.id }], 'issued for this counter and officer')
  t.match(await page.locator('.slip').textContent(), /Có hiệu lực đến \d{2}:\d{2}/, 'with its expiry')

  await page.getByRole('button', { name: 'In phiếu' }).click()
  t.equal(await page.evaluate(() => (window as unknown as { printed: number }).printed), 1, 'printed with window.print()')
  await page.emulateMedia({ media: 'print' })
  const slip = await page.locator('.slip').boundingBox()
  t.ok(slip !== null && slip.width <= 80 / 25.4 * 96, `the slip fits 80 mm paper (${slip?.width.toFixed(0)} px)`)
  t.notOk(await page.getByRole('button', { name: 'In phiếu' }).isVisible(), 'the buttons are not printed')
  const printed = await page.locator('.slip').textContent()
  for (const part of ['Trung tâm Phục vụ hành chính công', 'Quầy 1', centre.officers[0]!.fullName, link!]) {
    t.ok(printed!.includes(part), `the slip shows ${part}`)
  }
  await page.emulateMedia({ media: 'screen' })

  // The link on the slip opens the phone page.
  const phone = await context.newPage()
  await phone.goto(link!)
  await phone.getByRole('heading', { name: 'Đánh giá sự phục vụ' }).waitFor()

  await page.getByRole('button', { name: 'Xong' }).click()
  await page.locator('.level').first().waitFor()
})
