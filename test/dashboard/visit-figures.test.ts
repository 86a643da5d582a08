// The visit's figures on the overview (issue 17), in Chromium: the 766 rate says its basis, the share of visits rated and
// dossiers rated (tiles and a table per counter), satisfaction by channel; Vietnamese first, English on the toggle.
import t from 'tap'
import { seedCentre, seedUser } from '../fixtures.ts'
import { addRatings } from '../analytics/ratings.ts'
import { toLocalDate } from '../../analytics/calendar.ts'
import { signIn, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness
const MINUTE = 60_000

t.test('the overview shows the 766 basis, the visits rated per counter and the channels', async (t) => {
  const centre = await seedCentre(app.db, { counters: 2 })
  const user = await seedUser(app.db, 'supervisor', centre.centreId)
  const noon = Date.parse(`${toLocalDate(new Date(Date.now() - 86400_000))}T05:00:00Z`)
  const day = toLocalDate(new Date(noon))
  const [first, second] = centre.counterIds as [string, string]
  const place = (counterId: string) => ({ unitId: centre.centreId, counterId, terminalId: centre.terminal.id })
  const calls = Array.from({ length: 1200 }, (_, index) => ({
    unit_id: centre.centreId, counter_id: first, ticket: String(1000 + index), called_at: new Date(noon + index * 1000)
  }))
  calls.push({ unit_id: centre.centreId, counter_id: second, ticket: '2001', called_at: new Date(noon) })
  await app.db.insertInto('queue_calls').values(calls).execute()
  await addRatings(app.db, [
    { ...place(first), level: 4, at: new Date(noon + MINUTE), ticket: '1000', dossierCode: 'HS-1' },
    { ...place(first), level: 1, at: new Date(noon + 2 * MINUTE), ticket: '1001', dossierCode: 'HS-1' },
    { ...place(first), level: 4, at: new Date(noon + 3 * MINUTE), ticket: '1002', source: 'button' },
    { ...place(second), level: 3, at: new Date(noon + 4 * MINUTE), ticket: '2001', dossierCode: 'HS-2', source: 'phone' }
  ])
  const { context, page } = await signIn(harness, user.username, user.password, `/?period=custom&from=${day}&to=${day}`)
  t.teardown(() => context.close())

  const tile = (name: string) => page.getByRole('group', { name, exact: true })
  await tile('Tỷ lệ theo QĐ 766').locator('.tile-value').waitFor()
  // Dossiers HS-1 (unsatisfied) and HS-2, the button rating without a code: 2 visits of 3 not unsatisfied.
  t.equal(await tile('Tỷ lệ theo QĐ 766').locator('.tile-value').textContent(), '66,7%')
  t.equal(await tile('Tỷ lệ theo QĐ 766').locator('.tile-basis').textContent(), 'theo hồ sơ')

  const visits = page.getByRole('region', { name: 'Lượt phục vụ được đánh giá' })
  await visits.locator('tbody tr').first().waitFor()
  t.equal(await visits.getByRole('group', { name: 'Số lượt gọi số' }).locator('.tile-value').textContent(), '1.201', 'vi-VN grouping')
  t.equal(await visits.getByRole('group', { name: 'Tỷ lệ lượt được đánh giá' }).locator('.tile-value').textContent(), '0,3%')
  t.equal(await visits.getByRole('group', { name: 'Hồ sơ được đánh giá' }).locator('.tile-value').textContent(), '2')
  const rows = await visits.locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((cell) => cell.textContent)))
  t.same(rows.map((cells) => cells.slice(1)), [['1.200', '3', '0,3%', '1'], ['1', '1', '100,0%', '1']], 'a row per counter')

  const channels = page.getByRole('region', { name: 'Theo kênh đánh giá' })
  await channels.locator('tbody tr').first().waitFor()
  const channelRows = await channels.locator('tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((cell) => cell.textContent)))
  t.same(channelRows, [
    ['Màn hình tại quầy', '2', '50,0%'],
    ['Hộp nút bấm', '1', '100,0%'],
    ['Điện thoại (đánh giá sau)', '1', '100,0%']
  ])

  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('region', { name: 'Visits rated' }).waitFor()
  t.equal(await tile('Rate (Decision 766)').locator('.tile-basis').textContent(), 'per dossier')
  t.equal(await page.getByRole('region', { name: 'By channel' }).locator('tbody tr td').first().textContent(), 'Counter terminal')
})
