// Nothing lost: the terminal keeps rating with the API unreachable and across a reload, and keeps its outbox when revoked.
import t from 'tap'
import type { Page } from 'playwright-core'
import { seedCentre, seedUser } from '../fixtures.ts'
import { eventually, openTerminal, rateAndSkip, ratingRows, seedPairingCode, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness

const pending = async (page: Page): Promise<number> => Number(await page.locator('.connection').first().getAttribute('data-pending'))

/** Waits until the service worker controls the page, so a reload with no network is served from its cache. */
async function installed (page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready)
  // A page whose load began while the worker was still installing stays uncontrolled until its next load.
  if (await page.evaluate(() => navigator.serviceWorker.controller === null)) await page.reload()
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 10_000 })
  await page.locator('.level').first().waitFor()
}

t.test('offline: 5 taps, a reload with no network, then back online: exactly 5 ratings stored', async (t) => {
  const centre = await seedCentre(app.db)
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token })
  t.teardown(() => context.close())
  await installed(page)
  await page.locator('.connection.is-online').waitFor()

  await context.setOffline(true)
  await page.locator('.connection.is-offline').waitFor()
  for (const level of [4, 3, 2, 1, 4]) await rateAndSkip(page, level)
  t.equal(await pending(page), 5, 'the staff indicator shows 5 waiting')

  const reloaded = await page.reload()
  t.equal(reloaded?.fromServiceWorker(), true, 'the page came from the service worker')
  await page.getByRole('heading', { name: 'Ông/Bà có hài lòng với sự phục vụ của cán bộ?' }).waitFor()
  t.match(await page.locator('.counter-number').textContent(), 'Quầy 1', 'the app and the last state start with no network')
  await eventually(async () => (await pending(page)) === 5, 5_000, 'the outbox count after the reload')
  t.equal((await ratingRows(app)).filter((row) => row.terminal_id === centre.terminal.id).length, 0, 'nothing reached the server')

  await context.setOffline(false)
  await eventually(
    async () => (await ratingRows(app)).filter((row) => row.terminal_id === centre.terminal.id).length >= 5,
    15_000,
    '5 rows'
  )
  await eventually(async () => (await pending(page)) === 0, 5_000, 'an empty outbox')
  // Replays after the first send would show as a sixth row or a duplicate: give them a moment to happen.
  await page.waitForTimeout(500)
  const rows = (await ratingRows(app)).filter((row) => row.terminal_id === centre.terminal.id)
  t.equal(rows.length, 5, 'exactly 5 rows')
  t.same(
    rows.map((row) => row.level),
    [4, 3, 2, 1, 4],
    'in tap order, as tapped'
  )
  t.equal(new Set(rows.map((row) => row.id)).size, 5)
})

t.test('a revoked terminal shows the pairing screen and keeps its outbox; paired again, it sends it', async (t) => {
  const centre = await seedCentre(app.db)
  const admin = await seedUser(app.db, 'admin', null)
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: admin.username, password: admin.password }
  })
  t.equal(login.statusCode, 200)
  const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ')

  const { context, page } = await openTerminal(harness, { token: centre.terminal.token })
  t.teardown(() => context.close())
  await page.locator('.connection.is-online').waitFor()
  await context.setOffline(true)
  await rateAndSkip(page, 4)
  await rateAndSkip(page, 1)
  t.equal(await pending(page), 2)

  const revoke = await app.inject({ method: 'POST', url: `/api/v1/terminals/${centre.terminal.id}/revoke`, headers: { cookie } })
  t.equal(revoke.statusCode, 200)
  await context.setOffline(false)
  await page.getByRole('heading', { name: 'Ghép nối thiết bị' }).waitFor({ timeout: 15_000 })
  t.ok(await page.getByText('Thiết bị đã bị thu hồi. Các đánh giá chưa gửi vẫn được giữ lại.').isVisible(), 'the installer is told why')
  t.equal(await pending(page), 2, 'the outbox is kept')
  t.equal(
    (await ratingRows(app)).filter((row) => row.counter_id === centre.counterIds[0]).length,
    0,
    'nothing stored under the revoked token'
  )

  const { terminalId, code } = await seedPairingCode(app, centre.centreId, centre.counterIds[0]!)
  await page.getByLabel('Nhập mã ghép nối').fill(code)
  await page.getByRole('button', { name: 'Ghép nối', exact: true }).click()
  await page.getByRole('heading', { name: 'Ông/Bà có hài lòng với sự phục vụ của cán bộ?' }).waitFor()
  await eventually(
    async () => (await ratingRows(app)).filter((row) => row.terminal_id === terminalId).length === 2,
    10_000,
    'the kept ratings'
  )
  t.same(
    (await ratingRows(app)).filter((row) => row.terminal_id === terminalId).map((row) => row.level),
    [4, 1],
    'sent once paired again'
  )
})
