// The officer's conduct drill-down: per criterion met of the yes/no answers, the rate, and the "Không áp dụng" (not applicable)
// answers counted on their own, in Vietnamese and in English; recent ratings count N/A neither as met nor as answered. Chromium.
import t from 'tap'
import { rateOnTerminal, seedAssignment, seedCentre, seedUser } from '../fixtures.ts'
import { signIn, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness
const centre = await seedCentre(app.db)
const officer = centre.officers[0]!
await seedAssignment(app.db, centre.counterIds[0]!, officer.id)
const supervisor = await seedUser(app.db, 'supervisor', centre.communeId)

const answers = [
  { xin_chao: true, xin_loi: 'na', xin_phep: 'na' },
  { xin_chao: true, xin_loi: 'na', xin_phep: true },
  { xin_chao: false, xin_loi: false, xin_phep: 'na' }
]
const presses = answers.map((criteria, index) => ({ level: 4 - index, criteria, secondsAgo: 30 - 10 * index }))
await rateOnTerminal(app, centre.terminal.token, presses)

t.test('the drill-down shows each criterion\'s "not applicable" answers beside met / answered and the rate', async (t) => {
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, `/officers/${officer.id}?period=today`)
  t.teardown(() => context.close())
  const table = page.locator('.criteria-counts')
  await table.locator('[data-criterion="xin_loi"]').waitFor()
  t.same(
    await table.locator('thead th').allTextContents(),
    ['Tiêu chí', 'Đạt / trả lời', 'Tỷ lệ đạt', 'Không áp dụng'],
    'a "Không áp dụng" column'
  )
  const row = async (code: string): Promise<string[]> => table.locator(`[data-criterion="${code}"] > *`).allTextContents()
  t.same(await row('xin_loi'), ['Xin lỗi', '0/1', '0,0%', '2'], 'apologised: 2 not applicable, the rate over the 1 yes/no answer')
  t.same(await row('xin_phep'), ['Xin phép', '1/1', '100,0%', '2'], 'asked permission: met when it applied, 2 not applicable')
  t.same(await row('xin_chao'), ['Xin chào', '2/3', '66,7%', '0'])

  // The newest rating: xin_chao not met, xin_loi not met, xin_phep not applicable: 0 of 2, not 1 of 3.
  const newest = page.locator('.recent-ratings tbody tr').first()
  await newest.waitFor()
  t.equal(await newest.locator('td').last().textContent(), '0/2', 'recent ratings: N/A neither met nor among the answers')
  t.match(await newest.locator('td').last().getAttribute('title'), /– Xin phép \(Không áp dụng\)/)

  await page.getByRole('button', { name: 'English' }).click()
  await table.locator('thead th', { hasText: 'Not applicable' }).waitFor()
  t.same(await table.locator('thead th').allTextContents(), ['Criterion', 'Met / answered', 'Rate met', 'Not applicable'], 'and in English')
})

t.test('the officers table tells the "not applicable" answers on hover over a criterion\'s rate', async (t) => {
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/officers?period=today')
  t.teardown(() => context.close())
  const row = page.locator('table.officers tbody tr', { hasText: officer.fullName })
  await row.waitFor()
  const titles = await row.locator('td.rate').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('title') ?? ''))
  t.ok(titles.includes('0/1 · Không áp dụng: 2'), `apologised: 0 of 1, 2 not applicable (${JSON.stringify(titles)})`)
  t.ok(titles.includes('2/3'), 'greeted: no N/A, nothing added')
})
