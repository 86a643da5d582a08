// Screenshots for docs/terminal.md: the rating, criteria, follow-up and call-back screens on a landscape tablet (1280×800),
// a portrait tablet (800×1280) and a phone (390×844).
// Run: node --import tsx test/terminal/shots.ts
import { fileURLToPath } from 'node:url'
import { seedAssignment, seedCentre } from '../fixtures.ts'
import { openTerminal, startHarness } from './browser.ts'

const teardowns: Array<() => unknown> = []
const harness = await startHarness({
  teardown: (fn) => {
    teardowns.unshift(fn)
  }
})
const { app } = harness
const centre = await seedCentre(harness.app.db)
await app.db
  .updateTable('units')
  .set({ name: 'Trung tâm Phục vụ hành chính công phường Ba Đình' })
  .where('id', '=', centre.centreId)
  .execute()
await app.db.updateTable('counters').set({ name: 'Quầy 1 – Tư pháp – Hộ tịch' }).where('id', '=', centre.counterIds[0]!).execute()
await seedAssignment(app.db, centre.counterIds[0]!, centre.officers[0]!.id)
const out = (name: string): string => fileURLToPath(new URL(`../../docs/screenshots/terminal-${name}.png`, import.meta.url))

for (const [suffix, viewport] of [
  ['', { width: 1280, height: 800 }],
  ['-portrait', { width: 800, height: 1280 }],
  ['-phone', { width: 390, height: 844 }]
] as const) {
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token, viewport })
  await page.locator('.connection.is-online').waitFor()
  await page.screenshot({ path: out(`rating${suffix}`) })
  await page.locator('.level[data-level="3"]').click()
  await page.locator('.criterion').first().waitFor()
  await page.getByRole('group', { name: 'Xin chào' }).getByRole('button', { name: 'Có' }).click()
  await page.getByRole('group', { name: 'Xin lỗi' }).getByRole('button', { name: 'Không áp dụng' }).click()
  await page.getByRole('group', { name: 'Luôn lắng nghe' }).getByRole('button', { name: 'Có' }).click()
  await page.screenshot({ path: out(`criteria${suffix}`) })
  // The follow-up after an unsatisfied rating: what went wrong, then the call-back keypad under the consent sentence.
  await page.getByRole('button', { name: 'Gửi' }).click()
  await page.getByText('Cảm ơn Ông/Bà!').waitFor()
  await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('.level[data-level="1"]')?.disabled)
  await page.locator('.level[data-level="1"]').click()
  await page.getByRole('button', { name: 'Gửi' }).click()
  await page.locator('.reason').first().waitFor()
  await page.screenshot({ path: out(`follow-up${suffix}`) })
  await page.getByRole('button', { name: 'Chờ lâu' }).click()
  for (const digit of '0912345678') await page.locator('.keypad').getByRole('button', { name: digit, exact: true }).click()
  await page.screenshot({ path: out(`call-back${suffix}`) })
  await context.close()
}
for (const fn of teardowns) await fn()
console.log('screenshots written')
