// Quản trị → Khóa API makes a queue system's integration token (issue 17): its kind is chosen, its secret shown once,
// and it then reports a call that the counter's terminal shows. Chromium against the real server.
import t from 'tap'
import { seedCentre, seedUser } from '../fixtures.ts'
import { signIn, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness

t.test('a supervisor makes an integration token in Quản trị; it posts a call and is listed by its kind', async (t) => {
  const centre = await seedCentre(app.db)
  const supervisor = await seedUser(app.db, 'supervisor', centre.communeId)
  const { context, page } = await signIn(harness, supervisor.username, supervisor.password, '/admin')
  t.teardown(() => context.close())
  await page.getByRole('tab', { name: 'Khóa API' }).click()
  await page.getByLabel('Mục đích sử dụng').fill('Hệ thống xếp hàng')
  await page.locator('.admin-form').getByLabel('Đơn vị').selectOption(centre.centreId)
  await page.getByLabel('Loại khóa').selectOption('queue')
  await page.getByText('Khóa tích hợp chỉ dùng để hệ thống xếp hàng báo số được gọi tới quầy', { exact: false }).waitFor()
  await page.getByRole('button', { name: 'Tạo' }).click()
  const secret = (await page.locator('.secret code').textContent()) ?? ''
  t.match(secret, /^hlq_/, 'the integration token, shown once')
  const row = page.locator('table.grid tr', { hasText: 'Hệ thống xếp hàng' })
  await row.waitFor()
  t.match(await row.textContent(), /Tích hợp hệ thống xếp hàng \(gọi số\)/, 'listed with its kind in words')

  const called = await app.inject({
    method: 'POST',
    url: '/api/v1/queue/calls',
    headers: { authorization: `Bearer ${secret}` },
    payload: { counterId: centre.counterIds[0], ticket: '1023', calledAt: new Date().toISOString() }
  })
  t.equal(called.statusCode, 201, 'the token made on the page reports a call')
  const state = await app.inject({ url: '/api/v1/terminal/state', headers: { authorization: `Bearer ${centre.terminal.token}` } })
  t.match(state.json().call, { ticket: '1023' })
})
