// The queue's call on the touch terminal (issue 17), in Chromium against the real server: the called number appears on
// the rating screen ("Số 1023", "No. 1023" in English), the next rating carries the ticket and dossier code, then it clears.
import t from 'tap'
import { seedCentre, seedQueueToken } from '../fixtures.ts'
import { eventually, openTerminal, rateAndSkip, ratingRows, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness

t.test('a called number shows on the rating screen and rides on the next rating, once', async (t) => {
  const centre = await seedCentre(app.db)
  const queueToken = await seedQueueToken(app.db, centre.centreId)
  const { context, page } = await openTerminal(harness, { token: centre.terminal.token })
  t.teardown(() => context.close())
  t.equal(await page.locator('.called-ticket').count(), 0, 'no number before the queue calls one')

  const called = await app.inject({
    method: 'POST',
    url: '/api/v1/queue/calls',
    headers: { authorization: `Bearer ${queueToken}` },
    payload: { counterId: centre.counterIds[0], ticket: '1023', calledAt: new Date().toISOString(), dossierCode: 'H56.22-261130-0042' }
  })
  t.equal(called.statusCode, 201, called.body)
  await page.locator('.called-ticket').waitFor()
  t.equal(await page.locator('.called-ticket').textContent(), 'Số 1023', 'the number, pushed over the live socket')
  await page.locator('.language').click()
  await page.getByText('No. 1023').waitFor()
  t.pass('"No. 1023" in English')
  await page.locator('.language').click()

  await rateAndSkip(page, 4)
  t.equal(await page.locator('.called-ticket').count(), 0, 'the number is gone for the next citizen')
  await eventually(async () => (await ratingRows(app)).some((row) => row.terminal_id === centre.terminal.id), 10_000, 'the rating row')
  const [first] = (await ratingRows(app)).filter((row) => row.terminal_id === centre.terminal.id)
  t.equal(first?.ticket, '1023', 'the rating carries the ticket')
  t.equal(first?.dossier_code, 'H56.22-261130-0042', 'and the dossier code')

  await rateAndSkip(page, 3)
  await eventually(async () => (await ratingRows(app)).filter((row) => row.terminal_id === centre.terminal.id).length === 2, 10_000,
    'the second rating row')
  const second = (await ratingRows(app)).filter((row) => row.terminal_id === centre.terminal.id)[1]
  t.equal(second?.ticket, null, 'the next rating carries no ticket')
  t.equal(second?.misuse, false, 'and is no repeat')

  // After a reload (a tablet restarted) the rated call does not come back.
  await page.reload()
  await page.locator('.level').first().waitFor()
  t.equal(await page.locator('.called-ticket').count(), 0, 'a rated call does not come back after a restart')
})
