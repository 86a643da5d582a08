// Screenshots for docs/dashboard.md: the overview, the officers, one officer's drill-down, the monthly report, a live alert and the
// alerts screen on the demo centre, at 1366×768; the overview and the officers also on a phone (390×844) and a portrait tablet (800×1280).
// Run: node --import tsx test/dashboard/shots.ts
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { DEMO_CENTRE_CODE, seedDemo } from '../../api/demo/seed.ts'
import { hashToken, newToken } from '../../api/lib/secrets.ts'
import { signIn, startHarness } from './browser.ts'

const teardowns: Array<() => unknown> = []
const harness = await startHarness({
  teardown: (fn) => {
    teardowns.unshift(fn)
  }
})
const { app } = harness
const demo = await seedDemo(app.db, new Date(), app.config.pairingSecret!)
const out = (name: string): string => fileURLToPath(new URL(`../../docs/screenshots/dashboard-${name}.png`, import.meta.url))

const { context, page } = await signIn(harness, demo.supervisor.username, demo.supervisor.password, '/?period=month')
await page.locator('table.counters tbody tr').first().waitFor()
await page.waitForTimeout(500)
await page.screenshot({ path: out('overview') })

await page.getByRole('link', { name: 'Cán bộ' }).click()
await page.locator('table.officers tbody tr').first().waitFor()
await page.screenshot({ path: out('officers') })

// One officer's drill-down: the criteria chart and, under it, met / answered, rate and "Không áp dụng" per criterion.
await page.locator('table.officers tbody tr a').first().click()
await page.locator('.criteria-counts tbody tr').first().waitFor()
await page.waitForTimeout(500)
await page.screenshot({ path: out('officer'), fullPage: true })
await page.getByRole('navigation').getByRole('link', { name: 'Cán bộ' }).click()
await page.locator('table.officers tbody tr').first().waitFor()

// The monthly report in the form of Decree 30/2020/NĐ-CP, as it prints.
await page.getByRole('link', { name: 'Báo cáo tháng' }).click()
await page.locator('.report-foot').waitFor()
await page.locator('.report').screenshot({ path: out('report') })

// A terminal of our own at counter 1 of the demo centre, to press as a citizen would.
const centre = await app.db.selectFrom('units').select('id').where('code', '=', DEMO_CENTRE_CODE).executeTakeFirstOrThrow()
const counter = await app.db
  .selectFrom('counters')
  .select('id')
  .where('unit_id', '=', centre.id)
  .where('number', '=', 1)
  .executeTakeFirstOrThrow()
const token = newToken('hlt')
await app.db
  .insertInto('terminals')
  .values({
    unit_id: centre.id,
    counter_id: counter.id,
    kind: 'touch',
    name: 'Ảnh chụp màn hình',
    token_hash: hashToken(token),
    pairing_code_hash: null,
    pairing_expires_at: null,
    paired_at: new Date(),
    revoked_at: null,
    last_seen_at: null
  })
  .execute()
await page.getByRole('link', { name: 'Trực tiếp' }).click()
await page.getByText('Đang kết nối trực tiếp').waitFor()
for (const [level, criteria] of [
  [4, { xin_chao: true, luon_mim_cuoi: true }],
  [3, { xin_chao: true }],
  [4, {}],
  [2, { luon_lang_nghe: false }],
  [1, { xin_chao: false, luon_giup_do: false }]
] as const) {
  await app.inject({
    method: 'POST',
    url: '/api/v1/terminal/ratings',
    headers: { authorization: `Bearer ${token}` },
    payload: { ratings: [{ id: randomUUID(), level, criteria, ratedAt: new Date().toISOString() }] }
  })
  await page.waitForTimeout(300)
}
await page.locator('.toast').waitFor()
await page.screenshot({ path: out('live-alert') })

// An alert rule of the centre (two unsatisfied in a row at a counter) fires on the server; the alerts screen lists it.
await app.db
  .insertInto('alert_rules')
  .values({
    unit_id: centre.id,
    kind: 'unsatisfied_share',
    parameters: JSON.stringify({ windowMinutes: 60, thresholdPercent: 30, minCount: 10 }),
    enabled: true,
    created_by: null
  })
  .execute()
await app.db
  .insertInto('alert_rules')
  .values({ unit_id: centre.id, kind: 'unsatisfied_streak', parameters: JSON.stringify({ count: 2 }), enabled: true, created_by: null })
  .execute()
app.alerts.rulesChanged()
await app.inject({
  method: 'POST',
  url: '/api/v1/terminal/ratings',
  headers: { authorization: `Bearer ${token}` },
  payload: { ratings: [{ id: randomUUID(), level: 1, ratedAt: new Date().toISOString() }] }
})
await page.locator('.toast.rule').waitFor()
await page.locator('.toast.rule').getByRole('link', { name: 'Xem' }).click()
await page.locator('li[data-alert]').first().waitFor()
await page.locator('tr[data-rule]').first().waitFor()
await page.screenshot({ path: out('alerts') })
await context.close()

// The overview and the officers as a supervisor sees them on a phone and on a portrait tablet.
for (const [suffix, viewport] of [
  ['phone', { width: 390, height: 844 }],
  ['portrait', { width: 800, height: 1280 }]
] as const) {
  const { context, page } = await signIn(harness, demo.supervisor.username, demo.supervisor.password, '/?period=month', viewport)
  await page.locator('table.counters tbody tr').first().waitFor()
  await page.waitForTimeout(500)
  await page.screenshot({ path: out(`overview-${suffix}`) })
  await page.getByRole('link', { name: 'Cán bộ' }).click()
  await page.locator('table.officers tbody tr').first().waitFor()
  await page.waitForTimeout(300)
  await page.screenshot({ path: out(`officers-${suffix}`) })
  await context.close()
}
for (const fn of teardowns) await fn()
console.log('screenshots written')
