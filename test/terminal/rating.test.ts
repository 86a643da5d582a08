// The citizen's and the officer's path on the touch terminal, in Chromium against the real server.
import t from 'tap'
import { seedAssignment, seedCentre } from '../fixtures.ts'
import { accessibilityProblems, eventually, openTerminal, ratingRows, seedPairingCode, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness

t.test('pair, tap, answer the criteria, thank you: the rating is stored with its officer and criteria', async (t) => {
  const centre = await seedCentre(app.db)
  const officer = centre.officers[0]!
  await seedAssignment(app.db, centre.counterIds[0]!, officer.id)
  const { terminalId, code } = await seedPairingCode(app, centre.centreId, centre.counterIds[0]!)
  const { context, page } = await openTerminal(harness)
  t.teardown(() => context.close())

  await page.getByRole('heading', { name: 'Ghép nối thiết bị' }).waitFor()
  t.match(page.url(), /\/terminal\/pair$/, 'an unpaired terminal starts on the pairing screen')
  await page.getByLabel('Nhập mã ghép nối').fill('00000000')
  await page.getByRole('button', { name: 'Ghép nối', exact: true }).click()
  await page.getByText('Mã ghép nối không đúng, đã dùng hoặc đã hết hạn.').waitFor()
  for (const digit of code) await page.locator('.keypad').getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: 'Ghép nối', exact: true }).click()

  await page.getByRole('heading', { name: 'Ông/Bà có hài lòng với sự phục vụ của cán bộ?' }).waitFor()
  t.equal(await page.locator('.counter-number').textContent(), 'Quầy 1')
  t.match(await page.locator('.unit-name').textContent(), /Trung tâm Phục vụ hành chính công/)
  t.equal(await page.locator('.officer-name').textContent(), officer.fullName)
  t.same(
    await page.locator('.level-label').allTextContents(),
    ['Rất hài lòng', 'Hài lòng', 'Bình thường', 'Không hài lòng'],
    'the default scale, best first'
  )

  await page.getByRole('button', { name: 'Hài lòng', exact: true }).click()
  await page.getByRole('heading', { name: 'Cán bộ đã thực hiện những việc nào sau đây?' }).waitFor()
  t.equal(await page.locator('.criterion').count(), 8, 'the 8 criteria of "4 xin, 4 luôn"')
  await page.getByRole('group', { name: 'Xin chào' }).getByRole('button', { name: 'Có' }).click()
  await page.getByRole('group', { name: 'Luôn mỉm cười' }).getByRole('button', { name: 'Không', exact: true }).click()
  // Nothing went wrong, so nothing to apologise for: "Không áp dụng", not "Không".
  const apologised = page.getByRole('group', { name: 'Xin lỗi' })
  await apologised.getByRole('button', { name: 'Không áp dụng' }).click()
  t.equal(await apologised.getByRole('button', { name: 'Không áp dụng' }).getAttribute('aria-pressed'), 'true')
  t.equal(await apologised.getByRole('button', { name: 'Không', exact: true }).getAttribute('aria-pressed'), 'false')
  t.equal(await page.getByRole('group', { name: 'Xin chào' }).getByRole('button', { name: 'Có' }).getAttribute('aria-pressed'), 'true')
  await page.getByRole('button', { name: 'Gửi' }).click()
  await page.getByText('Cảm ơn Ông/Bà!').waitFor()

  await eventually(async () => (await ratingRows(app)).some((row) => row.terminal_id === terminalId), 10_000, 'the rating row')
  const [row] = (await ratingRows(app)).filter((rating) => rating.terminal_id === terminalId)
  t.equal(row?.level, 3)
  t.equal(row?.officer_id, officer.id, 'credited to the officer at the counter')
  t.same(row?.criteria, { xin_chao: true, xin_loi: 'na', luon_mim_cuoi: false }, 'the answered criteria only; "Không áp dụng" as "na"')
  t.equal(row?.source, 'touch')
  t.ok(Math.abs(row!.rated_at.getTime() - Date.now()) < 60_000, 'ratedAt is the tap time')

  await page.getByRole('heading', { name: 'Ông/Bà có hài lòng với sự phục vụ của cán bộ?' }).waitFor()
  t.pass('back to the scale after the thank-you')
})

t.test('the QR link from the dashboard fills in the pairing code', async (t) => {
  const centre = await seedCentre(app.db)
  const { code } = await seedPairingCode(app, centre.centreId, centre.counterIds[1]!)
  const { context, page } = await openTerminal(harness)
  t.teardown(() => context.close())
  await page.goto(`${harness.url}/terminal/pair?code=${code}`)
  await page.getByRole('heading', { name: 'Ghép nối thiết bị' }).waitFor()
  t.equal(await page.getByLabel('Nhập mã ghép nối').inputValue(), code, 'the installer only confirms')
  await page.getByRole('button', { name: 'Ghép nối', exact: true }).click()
  await page.getByRole('heading', { name: 'Ông/Bà có hài lòng với sự phục vụ của cán bộ?' }).waitFor()
  t.equal(await page.locator('.counter-number').textContent(), 'Quầy 2')
})

t.test('skipping the criteria, and idle on the criteria screen sending what was answered', async (t) => {
  const centre = await seedCentre(app.db)
  // A long thank-you, so a loaded machine can't miss it between the idle send and the next screen.
  const { context, page } = await openTerminal(harness, {
    token: centre.terminal.token,
    timing: { criteriaIdleSeconds: 1.5, thanksSeconds: 4 }
  })
  t.teardown(() => context.close())
  t.equal(await page.locator('.officer-none').textContent(), 'Chưa có cán bộ đăng nhập')

  await page.getByRole('button', { name: 'Rất hài lòng' }).click()
  await page.getByRole('button', { name: 'Bỏ qua' }).click()
  await page.getByText('Cảm ơn Ông/Bà!').waitFor()
  await eventually(
    async () => (await ratingRows(app)).filter((row) => row.terminal_id === centre.terminal.id).length === 1,
    10_000,
    'the skipped rating'
  )

  const level = page.getByRole('button', { name: 'Không hài lòng' })
  await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('.level[data-level="1"]')?.disabled)
  await level.click()
  await page.getByRole('group', { name: 'Xin lỗi' }).getByRole('button', { name: 'Có' }).click()
  const started = Date.now()
  await page.getByText('Cảm ơn Ông/Bà!').waitFor()
  t.ok(Date.now() - started >= 1_000, 'sent by itself after the idle time, not at once')
  await eventually(
    async () => (await ratingRows(app)).filter((row) => row.terminal_id === centre.terminal.id).length === 2,
    10_000,
    'the idle rating'
  )

  const rows = (await ratingRows(app)).filter((row) => row.terminal_id === centre.terminal.id)
  t.same(
    rows.map((row) => [row.level, row.criteria, row.officer_id]),
    [
      [4, {}, null],
      [1, { xin_loi: true }, null]
    ]
  )
})

t.test('English toggle for one citizen, then back to Vietnamese; big targets and text on a 7" tablet upright', async (t) => {
  const centre = await seedCentre(app.db)
  await seedAssignment(app.db, centre.counterIds[0]!, centre.officers[0]!.id)
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token, viewport: { width: 600, height: 960 } })
  t.teardown(() => context.close())
  t.same(await accessibilityProblems(page), [], 'rating screen: targets ≥ 64 px, text ≥ 18 px')
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('heading', { name: 'Were you satisfied with the service?' }).waitFor()
  t.same(await page.locator('.level-label').allTextContents(), ['Very satisfied', 'Satisfied', 'Neutral', 'Unsatisfied'])
  t.equal(await page.locator('main').getAttribute('lang'), 'en', 'screen readers switch language too')
  await page.getByRole('button', { name: 'Neutral' }).click()
  await page.getByRole('heading', { name: 'Which of the following did the officer do?' }).waitFor()
  t.ok(await page.getByRole('group', { name: 'Greeted me' }).getByRole('button', { name: 'Yes' }).isVisible())
  const notApplicable = page.getByRole('group', { name: 'Apologised' }).getByRole('button', { name: 'Not applicable' })
  t.ok(await notApplicable.isVisible(), 'the third answer in English too')
  t.same(await accessibilityProblems(page), [], 'criteria screen: targets ≥ 64 px, text ≥ 18 px')
  await page.getByRole('button', { name: 'Skip' }).click()
  await page.getByText('Thank you!').waitFor()
  await page.getByRole('heading', { name: 'Ông/Bà có hài lòng với sự phục vụ của cán bộ?' }).waitFor()
  t.ok(await page.getByRole('button', { name: 'English' }).isVisible(), 'the next citizen starts in Vietnamese')
})

t.test('officer sign-in and sign-out at the terminal, and changes made elsewhere showing live', async (t) => {
  const centre = await seedCentre(app.db)
  const [first, second] = centre.officers
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token })
  t.teardown(() => context.close())
  await page.locator('.officer-none').waitFor()

  await page.getByRole('button', { name: 'Cán bộ' }).click()
  await page.getByRole('heading', { name: 'Cán bộ đăng nhập tại quầy' }).waitFor()
  await page.getByLabel('Mã cán bộ').fill(first!.staffCode)
  await page.getByLabel('Mã PIN').click()
  for (const digit of '9999') await page.locator('.keypad').getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: 'Đăng nhập' }).click()
  await page.getByText('Mã cán bộ hoặc mã PIN không đúng.').waitFor()
  t.equal(await page.getByLabel('Mã PIN').inputValue(), '', 'a wrong PIN is cleared')

  for (const digit of first!.pin) await page.locator('.keypad').getByRole('button', { name: digit, exact: true }).click()
  await page.getByRole('button', { name: 'Đăng nhập' }).click()
  await page.getByRole('heading', { name: 'Ông/Bà có hài lòng với sự phục vụ của cán bộ?' }).waitFor()
  t.equal(await page.locator('.officer-name').textContent(), first!.fullName, 'signed in: the officer shows on the rating screen')

  // Another officer signs in at this counter from elsewhere (the same API another device would call).
  const auth = { authorization: `Bearer ${centre.terminal.token}` }
  const signIn = await app.inject({
    method: 'PUT',
    url: '/api/v1/terminal/officer',
    headers: auth,
    payload: { staffCode: second!.staffCode, pin: second!.pin }
  })
  t.equal(signIn.statusCode, 200)
  const changed = Date.now()
  await page.locator('.officer-name', { hasText: second!.fullName }).waitFor({ timeout: 5_000 })
  t.ok(Date.now() - changed < 2_500, 'pushed at once (a second or so; slower only on a loaded machine)')

  await page.getByRole('button', { name: 'Cán bộ' }).click()
  await page.getByRole('button', { name: 'Đăng xuất' }).click()
  await page.locator('.officer-none').waitFor()
  t.equal(await page.locator('.officer-name').count(), 0, 'signed out: no officer on the rating screen')
  const open = await app.db
    .selectFrom('assignments')
    .select('id')
    .where('counter_id', '=', centre.counterIds[0]!)
    .where('ended_at', 'is', null)
    .execute()
  t.equal(open.length, 0, 'the shift ended')
})
