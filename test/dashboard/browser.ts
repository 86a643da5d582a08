// Browser-test harness for the dashboard: the real app on a free port, one Debian Chromium per test file, sign-in through the form.
import type { BrowserContext, Page } from 'playwright-core'
import type { Config } from '../../api/config.ts'
import type { TestContext } from '../helper.ts'
import { startHarness as startBrowser, type Harness } from '../browser.ts'

export { CHROMIUM, eventually, type Harness } from '../browser.ts'

/** The app without a press cooldown (tests rate quickly), and a headless Chromium; `overrides` adds settings. */
export function startHarness (t: TestContext, overrides: Partial<Config> = {}): Promise<Harness> {
  return startBrowser(t, { misuse: { cooldownSeconds: 0, burstCount: 1000, burstWindowSeconds: 60 }, ...overrides })
}

/** A fresh browser profile signed in through the login form as `username`, on `path` (default the overview). */
export async function signIn (
  harness: Harness,
  username: string,
  password: string,
  path = '/',
  viewport = { width: 1366, height: 768 }
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await harness.browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', acceptDownloads: true })
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error('page error:', error.message))
  await page.goto(harness.url + path)
  await page.getByLabel('Tên đăng nhập').fill(username)
  await page.getByLabel('Mật khẩu').fill(password)
  await page.getByRole('button', { name: 'Đăng nhập' }).click()
  await page.getByRole('navigation').waitFor()
  return { context, page }
}
