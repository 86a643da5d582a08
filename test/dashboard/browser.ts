// Browser-test harness for the dashboard: the real app on a free port, one Debian Chromium per test file, sign-in through the form.
import type { FastifyInstance } from 'fastify'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { build, type TestContext } from '../helper.ts'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export interface Harness {
  app: FastifyInstance
  url: string
  browser: Browser
}

/** The app on a fresh database listening on 127.0.0.1 and a headless Chromium; both closed at teardown (the browser first). */
export async function startHarness (t: TestContext): Promise<Harness> {
  const app = await build(t, { misuse: { cooldownSeconds: 0, burstCount: 1000, burstWindowSeconds: 60 } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  t.teardown(async () => {
    await browser.close().catch(() => {})
  })
  return { app, url: `http://127.0.0.1:${address.port}`, browser }
}

/** A fresh browser profile signed in through the login form as `username`, on `path` (default the overview). */
export async function signIn (harness: Harness, username: string, password: string, path = '/', viewport = { width: 1366, height: 768 }): Promise<{ context: BrowserContext, page: Page }> {
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

/** Polls `probe` until it is true; fails after `ms`. */
export async function eventually (probe: () => Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await probe()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}
