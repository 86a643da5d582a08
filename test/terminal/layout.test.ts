// The terminal on a phone (390×844, and on its side), a portrait tablet (800×1280): everything a citizen must see fits the screen;
// the header names the counter once; the status dot is right and in its place; the PIN lock speaks Vietnamese. Chromium, real server.
import t from 'tap'
import type { Page } from 'playwright-core'
import { seedAssignment, seedCentre } from '../fixtures.ts'
import { openTerminal, seedPairingCode, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness
const centre = await seedCentre(app.db)
await app.db.updateTable('counters').set({ name: 'Quầy 1 – Tư pháp – Hộ tịch' }).where('id', '=', centre.counterIds[0]!).execute()
await seedAssignment(app.db, centre.counterIds[0]!, centre.officers[0]!.id)

const PHONE = { width: 390, height: 844 }
const PHONE_LANDSCAPE = { width: 844, height: 390 }
const PORTRAIT_TABLET = { width: 800, height: 1280 }
/** A 7" tablet, on its side and upright. */
const SMALL_TABLET = { width: 1024, height: 600 }
const SMALL_TABLET_PORTRAIT = { width: 600, height: 960 }

// Source text: tsx would wrap named functions in a helper the page does not have.
/** The selectors whose boxes are not wholly inside the viewport (or inside their button, for level labels). */
const outsideScript = `((selectors) => {
  const out = []
  const inside = (box) => box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight + 0.5 && box.right <= innerWidth + 0.5
  for (const selector of selectors) {
    for (const element of document.querySelectorAll(selector)) {
      const box = element.getBoundingClientRect()
      if (!inside(box)) {
        const where = Math.round(box.top) + '–' + Math.round(box.bottom) + ' px'
        out.push(selector + ' "' + element.textContent.trim().slice(0, 30) + '" at ' + where)
      }
      const button = element.closest('button')
      if (button !== null && button !== element) {
        const outer = button.getBoundingClientRect()
        const sticksOut = box.top < outer.top - 0.5 || box.bottom > outer.bottom + 0.5 ||
          box.left < outer.left - 0.5 || box.right > outer.right + 0.5
        if (sticksOut) out.push(selector + ' "' + element.textContent.trim() + '" sticks out of its button')
      }
    }
  }
  return out
})`
async function outside (page: Page, selectors: string[]): Promise<string[]> {
  return page.evaluate(`${outsideScript}(${JSON.stringify(selectors)})`) as Promise<string[]>
}
const scrolls = (page: Page): Promise<number> => page.evaluate(() => document.documentElement.scrollHeight - innerHeight)

t.test(
  'phone 390×844: the question, every level and the footer without scrolling; the criteria keep "Có", "Không" and "Không áp dụng" beside ' +
    'each label and fit',
  async (t) => {
    const { context, page } = await openTerminal(harness, { token: centre.terminal.token, viewport: PHONE })
    t.teardown(() => context.close())
    t.same(await outside(page, ['#question', '.level', '.level-label', '.footer']), [], 'the whole rating screen is on screen')
    const ratingScroll = await scrolls(page)
    t.ok(ratingScroll <= 0, `the rating screen does not scroll (${ratingScroll} px)`)

    await page.locator('.level[data-level="4"]').click()
    await page.locator('.criterion').first().waitFor()
    const rows = await page.locator('.criterion').evaluateAll((items) =>
      items.map((item) => {
        const label = item.querySelector('.criterion-label')!.getBoundingClientRect()
        const answers = [...item.querySelectorAll('.answer')].map((answer) => answer.getBoundingClientRect())
        return {
          name: item.textContent,
          answers: answers.length,
          sameLine: answers.every((box) => box.top < label.bottom && box.bottom > label.top && box.left >= label.right - 1)
        }
      })
    )
    t.ok(rows.every((row) => row.answers === 3), 'three answers a row')
    t.same(
      rows.filter((row) => !row.sameLine),
      [],
      '"Có", "Không" and "Không áp dụng" stay on their label\'s line in every row'
    )
    t.same(
      await outside(page, ['#criteria-title', '.criterion', '.answer', '.criteria .actions button', '.footer']),
      [],
      'the question, every criterion and Gửi / Bỏ qua on screen'
    )
    const criteriaScroll = await scrolls(page)
    t.ok(criteriaScroll <= 0, `the criteria screen does not scroll (${criteriaScroll} px)`)
  }
)

const smallTablets = [['7" tablet on its side (1024×600)', SMALL_TABLET], ['7" tablet upright (600×960)', SMALL_TABLET_PORTRAIT]] as const
for (const [name, viewport] of smallTablets) {
  t.test(`${name}: the eight criteria with their three answers, Gửi and Bỏ qua fit without scrolling`, async (t) => {
    const { context, page } = await openTerminal(harness, { token: centre.terminal.token, viewport })
    t.teardown(() => context.close())
    await page.locator('.level[data-level="4"]').click()
    await page.locator('.criterion').first().waitFor()
    t.equal(await page.locator('.criterion').count(), 8)
    t.same(
      await outside(page, ['#criteria-title', '.criterion', '.answer', '.criteria .actions button', '.footer']),
      [],
      'the question, every criterion and answer, and Gửi / Bỏ qua on screen'
    )
    const criteriaScroll = await scrolls(page)
    t.ok(criteriaScroll <= 0, `the criteria screen does not scroll (${criteriaScroll} px)`)
    const answers = await page.locator('.answer').evaluateAll((items) => items.map((item) => item.getBoundingClientRect().height))
    t.ok(answers.every((height) => height >= 64), `every answer a kiosk-sized target (${Math.round(Math.min(...answers))} px tall at least)`)
  })
}

t.test('phone on its side (844×390): every face label stays inside its button and on screen', async (t) => {
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token, viewport: PHONE_LANDSCAPE })
  t.teardown(() => context.close())
  t.same(await outside(page, ['#question', '.level', '.level-label']), [])
})

t.test('portrait tablet 800×1280: large faces that use the height, every level on screen', async (t) => {
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token, viewport: PORTRAIT_TABLET })
  t.teardown(() => context.close())
  t.same(await outside(page, ['#question', '.level', '.level-label', '.footer']), [])
  const faces = await page.locator('.level .face').evaluateAll((items) => items.map((item) => item.getBoundingClientRect().width))
  t.ok(
    faces.every((width) => width >= 120),
    `faces ${faces.map(Math.round).join(', ')} px wide (were ≈ 80 px)`
  )
  const levels = await page.locator('.level').evaluateAll((items) => items.map((item) => item.getBoundingClientRect()))
  const used = levels.at(-1)!.bottom - levels[0]!.top
  t.ok(used >= 1280 * 0.55, `the levels take ${Math.round(used)} of 1280 px`)
})

t.test('the header names the counter once: "Quầy 1 · Tư pháp – Hộ tịch", not "Quầy 1 · Quầy 1 – …"', async (t) => {
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token })
  t.teardown(() => context.close())
  t.equal((await page.locator('.counter-name').textContent())?.replace(/\s+/g, ' ').trim(), 'Quầy 1 · Tư pháp – Hộ tịch')
  await page.getByRole('button', { name: 'English' }).click()
  t.equal((await page.locator('.counter-name').textContent())?.replace(/\s+/g, ' ').trim(), 'Counter 1 · Tư pháp – Hộ tịch')
})

t.test('the status dot: green on the pairing screen when nothing is wrong, at the bottom centre of every screen', async (t) => {
  const { context, page } = await openTerminal(harness)
  t.teardown(() => context.close())
  await page.getByRole('heading', { name: 'Ghép nối thiết bị' }).waitFor()
  const place = async (): Promise<{ online: boolean; centre: number; bottom: number }> =>
    page.locator('.connection').evaluate((element) => {
      const box = element.getBoundingClientRect()
      return {
        online: element.classList.contains('is-online'),
        centre: (box.left + box.right) / 2 / innerWidth,
        bottom: innerHeight - box.bottom
      }
    })
  const pairing = await place()
  t.ok(pairing.online, 'green: the server is reachable, only not paired yet')
  t.ok(
    Math.abs(pairing.centre - 0.5) < 0.05 && pairing.bottom < 60,
    `bottom centre on the pairing screen (${pairing.centre.toFixed(2)} across, ${Math.round(pairing.bottom)} px from the bottom)`
  )

  const { code } = await seedPairingCode(app, centre.centreId, centre.counterIds[1]!)
  await page.getByLabel('Nhập mã ghép nối').fill(code)
  await page.getByRole('button', { name: 'Ghép nối', exact: true }).click()
  await page.locator('.level').first().waitFor()
  await page.locator('.connection.is-online').waitFor()
  const rating = await place()
  t.ok(
    Math.abs(rating.centre - 0.5) < 0.05 && rating.bottom < 60,
    `bottom centre on the rating screen (${rating.centre.toFixed(2)} across, ${Math.round(rating.bottom)} px from the bottom)`
  )
  await page.getByRole('button', { name: 'Cán bộ' }).click()
  await page.getByLabel('Mã cán bộ').waitFor()
  const staff = await place()
  t.ok(
    Math.abs(staff.centre - 0.5) < 0.05 && staff.bottom < 60,
    `bottom centre on the officer screen (${staff.centre.toFixed(2)} across, ${Math.round(staff.bottom)} px from the bottom)`
  )
})

t.test('a locked officer reads the lock in Vietnamese only (no unlock time: a known and an unknown staff code answer alike)', async (t) => {
  const officer = centre.officers[1]!
  await app.db
    .updateTable('officers')
    .set({ pin_locked_until: new Date(Date.now() + 10 * 60_000) })
    .where('id', '=', officer.id)
    .execute()
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token })
  t.teardown(() => context.close())
  await page.getByRole('button', { name: 'Cán bộ' }).click()
  await page.getByLabel('Mã cán bộ').fill(officer.staffCode)
  await page.getByLabel('Mã PIN').fill('0000')
  await page.getByRole('button', { name: 'Đăng nhập' }).click()
  const message = page.locator('.staff .error')
  await page.waitForFunction(() => (document.querySelector('.staff .error')?.textContent ?? '') !== '')
  const text = (await message.textContent()) ?? ''
  t.match(text, /^Tài khoản tạm khóa do nhập sai mã PIN nhiều lần\./)
  t.notMatch(text, /\d{2}:\d{2}/, 'no unlock time that would tell a real staff code from an unknown one')
  t.notMatch(text, /too many|locked|PIN reset|Asia\//i, 'no English from the server')
})
