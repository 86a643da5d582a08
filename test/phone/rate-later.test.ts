// The phone page in Chromium at 390×844: open the link of a receipt code, rate with criteria and the follow-up, see the
// thank-you; the link then says "đã được đánh giá"; unknown and expired links get their own page, never an error.
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { startHarness, type Harness } from '../browser.ts'
import { seedAssignment, seedCentre, type SeededCentre } from '../fixtures.ts'
import { receiptCodeHash } from '../../api/services/receipts.ts'

const PHONE = { width: 390, height: 844 }

// One app and one Chromium for the file (each test seeds its own centre; the first runs on the empty database).
const harness = await startHarness(t)
const { app } = harness

async function issue (app: FastifyInstance, centre: SeededCentre, payload: Record<string, unknown> = {}): Promise<string> {
  const response = await app.inject({
    method: 'POST', url: '/api/v1/terminal/receipt-codes', headers: { authorization: `Bearer ${centre.terminal.token}` }, payload
  })
  return response.json().code
}

async function openPhone (t: Test, harness: Harness, path: string) {
  const context = await harness.browser.newContext({
    viewport: PHONE, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', isMobile: true, hasTouch: true
  })
  t.teardown(() => context.close())
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  const response = await page.goto(`${harness.url}${path}`)
  return { context, page, errors, status: response?.status() }
}

t.test('rate a visit from a phone once: criteria, follow-up, thank-you; then the link says it was rated', async (t) => {
  const centre = await seedCentre(app.db)
  await seedAssignment(app.db, centre.terminal.counterId, centre.officers[0]!.id)
  const code = await issue(app, centre, { ticket: '1023' })

  const { page, errors, status } = await openPhone(t, harness, `/r/${code}`)
  t.equal(status, 200)
  await page.getByRole('heading', { name: 'Đánh giá sự phục vụ' }).waitFor()
  t.ok(await page.getByText(`Cán bộ phục vụ: ${centre.officers[0]!.fullName}`).isVisible(), 'the officer who served')
  t.ok(await page.getByText('Quầy 1', { exact: true }).isVisible(), 'the counter, its name said once when it is "Quầy 1"')
  t.ok(await page.getByText('Số thứ tự: 1023').isVisible(), 'the ticket')
  t.equal(await page.locator('.level').count(), 4, 'the faces of the scale')
  t.equal(await page.locator('.criterion').count(), 8, 'the criteria')
  t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'nothing wider than the phone')

  // Sending without a level asks for one and sends nothing.
  await page.getByRole('button', { name: 'Gửi đánh giá' }).click()
  await page.getByText('Xin chọn một mức đánh giá.').waitFor()

  await page.locator('.level[data-level="1"]').click()
  t.equal(await page.locator('.level[data-level="1"]').getAttribute('aria-pressed'), 'true', 'the chosen face is marked')
  await page.locator('[data-criterion="xin_chao"]').getByRole('button', { name: 'Có' }).click()
  await page.locator('[data-criterion="xin_loi"]').getByRole('button', { name: 'Không áp dụng' }).click()
  await page.locator('[data-criterion="luon_lang_nghe"]').getByRole('button', { name: 'Không', exact: true }).click()
  // An unsatisfied rating asks what went wrong and offers a call-back, with the consent sentence.
  await page.getByText('Ông/Bà chưa hài lòng về điều gì?').waitFor()
  await page.getByLabel('Chờ lâu').check()
  await page.getByLabel('Số điện thoại').fill('0912 345 678')
  await page.getByLabel('Tôi đồng ý').check()
  await page.getByRole('button', { name: 'Gửi đánh giá' }).click()
  await page.getByText('Cảm ơn Ông/Bà!').waitFor()

  const rows = await app.db.selectFrom('ratings').selectAll().execute()
  t.equal(rows.length, 1, 'one rating')
  t.match(rows[0], {
    source: 'phone',
    level: 1,
    counter_id: centre.terminal.counterId,
    officer_id: centre.officers[0]!.id,
    ticket: '1023',
    criteria: { xin_chao: true, xin_loi: 'na', luon_lang_nghe: false }
  })
  const cases = await app.db.selectFrom('cases').select(['reason', 'phone']).execute()
  t.same(cases, [{ reason: 'wait', phone: '0912345678' }], 'the case carries the reason and the call-back number')

  await page.reload()
  await page.getByRole('heading', { name: 'Mã này đã được đánh giá' }).waitFor()
  t.equal(await page.locator('.level').count(), 0, 'no form any more')
  t.same(errors, [], 'no script error')
})

t.test('unknown and expired links get their page; English on a tap', async (t) => {
  const centre = await seedCentre(app.db)

  const unknown = await openPhone(t, harness, '/r/ABCDEFGHJKMNPQ')
  t.equal(unknown.status, 200)
  await unknown.page.getByRole('heading', { name: 'Mã không hợp lệ' }).waitFor()
  const garbled = await openPhone(t, harness, '/r/%F0%9F%98%80')
  await garbled.page.getByRole('heading', { name: 'Mã không hợp lệ' }).waitFor()

  const code = await issue(app, centre)
  await app.db.updateTable('receipt_codes').set({ expires_at: new Date(Date.now() - 1000) } as never)
    .where('code_hash', '=', receiptCodeHash(code)).execute()
  const expired = await openPhone(t, harness, `/r/${code}`)
  await expired.page.getByRole('heading', { name: 'Mã đã hết hạn' }).waitFor()

  const open = await openPhone(t, harness, `/r/${await issue(app, centre)}`)
  await open.page.getByRole('heading', { name: 'Đánh giá sự phục vụ' }).waitFor()
  await open.page.getByRole('button', { name: 'English' }).click()
  await open.page.getByRole('heading', { name: 'Rate the service' }).waitFor()
  t.equal(await open.page.evaluate(() => document.documentElement.lang), 'en')
  t.ok(await open.page.getByText('Were you satisfied with the service?').isVisible())
  t.same([...unknown.errors, ...garbled.errors, ...expired.errors, ...open.errors], [], 'no script error')
})
