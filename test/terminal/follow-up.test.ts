// The citizen's voice on the touch terminal (issue 15): after an unsatisfied rating, what went wrong and a call-back with the
// consent sentence; skipping, walking away, and a phone-sized screen. Chromium against the real server.
import t from 'tap'
import type { Page } from 'playwright-core'
import { seedCentre } from '../fixtures.ts'
import { accessibilityProblems, eventually, openTerminal, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness

/** The cases opened from a terminal's ratings, with the rating's criteria, oldest first. */
async function casesOf (terminalId: string) {
  return app.db.selectFrom('cases')
    .innerJoin('ratings', 'ratings.id', 'cases.rating_id')
    .select(['ratings.level', 'ratings.criteria', 'cases.reason', 'cases.phone', 'cases.consent_version', 'cases.consent_at'])
    .where('ratings.terminal_id', '=', terminalId)
    .orderBy('ratings.rated_at')
    .execute()
}

async function ratingCount (terminalId: string): Promise<number> {
  return (await app.db.selectFrom('ratings').select('id').where('terminal_id', '=', terminalId).execute()).length
}

async function tapLevel (page: Page, level: number): Promise<void> {
  await page.waitForFunction((selector) => !document.querySelector<HTMLButtonElement>(selector)?.disabled, `.level[data-level="${level}"]`)
  await page.locator(`.level[data-level="${level}"]`).click()
}

const scrolls = (page: Page): Promise<number> => page.evaluate(() => document.documentElement.scrollHeight - innerHeight)
/** Whether every element of `selector` lies wholly on screen. */
const allOnScreen = (page: Page, selector: string): Promise<boolean> => page.locator(selector).evaluateAll((elements) =>
  elements.length > 0 && elements.every((element) => {
    const box = element.getBoundingClientRect()
    return box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight + 0.5 && box.right <= innerWidth + 0.5
  }))

t.test('unsatisfied: the criteria, what went wrong, a call-back number under the consent sentence; all onto the case', async (t) => {
  const centre = await seedCentre(app.db)
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token })
  t.teardown(() => context.close())

  await tapLevel(page, 1)
  await page.getByRole('group', { name: 'Xin lỗi' }).getByRole('button', { name: 'Không', exact: true }).click()
  await page.getByRole('button', { name: 'Gửi' }).click()

  await page.getByRole('heading', { name: 'Ông/Bà chưa hài lòng về điều gì?' }).waitFor()
  t.same(await page.locator('.reason').allTextContents(), ['Chờ lâu', 'Thái độ', 'Hướng dẫn chưa rõ', 'Hồ sơ bị trả lại', 'Khác'])
  t.same(await accessibilityProblems(page), [], 'large choices and text')
  t.ok(await scrolls(page) <= 0, 'the reasons fit the tablet without scrolling')
  t.equal(await ratingCount(centre.terminal.id), 0, 'the rating is held while the citizen answers')
  await page.getByRole('button', { name: 'Thái độ' }).click()

  await page.getByRole('heading', { name: 'Ông/Bà có muốn cán bộ gọi lại?' }).waitFor()
  t.match(await page.locator('.consent').textContent(), /đồng ý.*Nghị định số 13\/2023\/NĐ-CP/, 'the consent sentence is shown')
  const send = page.locator('.call-back .primary')
  for (const digit of '09123') await page.locator('.keypad').getByRole('button', { name: digit, exact: true }).click()
  t.ok(await send.isDisabled(), 'no sending half a number')
  for (const digit of '45678') await page.locator('.keypad').getByRole('button', { name: digit, exact: true }).click()
  t.equal(await page.locator('.phone').textContent(), '0912345678')
  t.same(await accessibilityProblems(page), [], 'a large keypad and text')
  t.ok(await scrolls(page) <= 0, 'the call-back screen fits the tablet without scrolling')
  await send.click()
  await page.getByText('Cảm ơn Ông/Bà!').waitFor()

  await eventually(async () => (await casesOf(centre.terminal.id)).length === 1, 10_000, 'the case')
  const [opened] = await casesOf(centre.terminal.id)
  t.match(opened, { level: 1, criteria: { xin_loi: false }, reason: 'attitude', phone: '0912345678', consent_version: 'nd13-2026-11' })
  t.ok(opened!.consent_at instanceof Date, 'the consent is recorded with its time')
})

t.test('skipping the follow-up, and a satisfied rating never asked it', async (t) => {
  const centre = await seedCentre(app.db)
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token })
  t.teardown(() => context.close())

  await tapLevel(page, 4)
  await page.getByRole('button', { name: 'Bỏ qua' }).click()
  await page.getByText('Cảm ơn Ông/Bà!').waitFor()
  t.equal(await page.locator('.follow-up').count(), 0)

  await tapLevel(page, 1)
  await page.getByRole('button', { name: 'Bỏ qua' }).click()
  await page.getByRole('heading', { name: 'Ông/Bà chưa hài lòng về điều gì?' }).waitFor()
  await page.getByRole('button', { name: 'Bỏ qua' }).click()
  await page.getByText('Cảm ơn Ông/Bà!').waitFor()

  // Chose a reason, declined the call-back.
  await tapLevel(page, 1)
  await page.getByRole('button', { name: 'Bỏ qua' }).click()
  await page.getByRole('button', { name: 'Chờ lâu' }).click()
  await page.getByRole('button', { name: 'Không, cảm ơn' }).click()
  await page.getByText('Cảm ơn Ông/Bà!').waitFor()

  await eventually(async () => (await ratingCount(centre.terminal.id)) === 3, 10_000, 'three ratings')
  t.same((await casesOf(centre.terminal.id)).map((row) => [row.reason, row.phone]), [[null, null], ['wait', null]])
})

t.test('walking away keeps the kiosk moving as before and loses nothing pressed; a number typed but not sent is not kept', async (t) => {
  const centre = await seedCentre(app.db)
  const { context, page } = await openTerminal(harness, {
    token: centre.terminal.token,
    timing: { criteriaIdleSeconds: 1.5, thanksSeconds: 4 }
  })
  t.teardown(() => context.close())

  // Left on the criteria: straight to thank you, as before the follow-up existed.
  await tapLevel(page, 1)
  await page.getByRole('group', { name: 'Xin chào' }).getByRole('button', { name: 'Có' }).click()
  await page.getByText('Cảm ơn Ông/Bà!').waitFor()
  t.equal(await page.locator('.follow-up').count(), 0, 'no follow-up for a citizen who has gone')

  // Left on the call-back keypad with a reason chosen and a number typed.
  await page.locator('.level').first().waitFor()
  await tapLevel(page, 1)
  await page.getByRole('button', { name: 'Gửi' }).click()
  await page.getByRole('button', { name: 'Hồ sơ bị trả lại' }).click()
  for (const digit of '0987654321') await page.locator('.keypad').getByRole('button', { name: digit, exact: true }).click()
  const started = Date.now()
  await page.getByText('Cảm ơn Ông/Bà!').waitFor()
  t.ok(Date.now() - started >= 1_000, 'moved on by itself after the idle time')

  await eventually(async () => (await casesOf(centre.terminal.id)).length === 2, 10_000, 'both cases')
  t.same((await casesOf(centre.terminal.id)).map((row) => [row.criteria, row.reason, row.phone]), [
    [{ xin_chao: true }, null, null],
    [{}, 'returned', null]
  ])
})

t.test('phone 390×844, in English: the reasons, then the number, the keypad, the consent and the buttons, without scrolling', async (t) => {
  const centre = await seedCentre(app.db)
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token, viewport: { width: 390, height: 844 } })
  t.teardown(() => context.close())

  await page.getByRole('button', { name: 'English' }).click()
  await tapLevel(page, 1)
  await page.getByRole('button', { name: 'Skip' }).click()
  await page.getByRole('heading', { name: 'What went wrong?' }).waitFor()
  t.ok(await allOnScreen(page, '#follow-up-title, .reason, .follow-up .actions button'), 'the question and every reason on screen')
  t.ok(await scrolls(page) <= 0, `the reasons do not scroll (${await scrolls(page)} px)`)
  await page.getByRole('button', { name: 'Unclear guidance' }).click()

  await page.getByRole('heading', { name: 'Would you like an officer to call you back?' }).waitFor()
  t.match(await page.locator('.consent').textContent(), /Decree 13\/2023\/NĐ-CP/)
  t.ok(await allOnScreen(page, '#call-back-title, .phone, .key, .consent, .call-back .actions button'), 'all of it on screen')
  t.ok(await scrolls(page) <= 0, `the call-back screen does not scroll (${await scrolls(page)} px)`)
  t.same(await accessibilityProblems(page), [], 'large keys and text')
  for (const digit of '02438251234') await page.locator('.keypad').getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: 'Send' }).click()
  await page.getByText('Thank you!').waitFor()
  await eventually(async () => (await casesOf(centre.terminal.id)).length === 1, 10_000, 'the case')
  t.match((await casesOf(centre.terminal.id))[0], { reason: 'guidance', phone: '02438251234' })
})
