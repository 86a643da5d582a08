// Browser-test harness for the terminal: the real app listening on a free port, one Debian Chromium per test file.
import type { FastifyInstance } from 'fastify'
import type { BrowserContext, Page } from 'playwright-core'
import type { TestContext } from '../helper.ts'
import { startHarness as startBrowser, type Harness } from '../browser.ts'
import { hashPairingCode } from '../../api/lib/secrets.ts'
import type { Timing } from '../../terminal/device.ts'

export { CHROMIUM, eventually, type Harness } from '../browser.ts'

/** Short screen timings so a test waits seconds, not minutes; the app reads them from localStorage. */
export const testTiming: Timing = { criteriaIdleSeconds: 30, thanksSeconds: 1, staffIdleSeconds: 120 }

/** The app with a 1 s cooldown on a fresh database, and a headless Chromium (playwright gives each context a fresh profile). */
export function startHarness (t: TestContext): Promise<Harness> {
  return startBrowser(t, { misuse: { cooldownSeconds: 1, burstCount: 1000, burstWindowSeconds: 60 } })
}

export interface OpenOptions {
  /** A paired token to start with; without one the terminal shows the pairing screen. */
  token?: string
  timing?: Partial<Timing>
  viewport?: { width: number; height: number }
}

/** A fresh browser profile (its own IndexedDB, localStorage and service worker) on /terminal/. */
export async function openTerminal (harness: Harness, options: OpenOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await harness.browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh'
  })
  // Generous: CI machines run both databases' suites and other engineers' tests at once.
  context.setDefaultTimeout(15_000)
  const timing = { ...testTiming, ...options.timing }
  await context.addInitScript((value) => localStorage.setItem('hl.terminal.timing', value), JSON.stringify(timing))
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error('page error:', error.message))
  await page.goto(`${harness.url}/terminal/`)
  if (options.token !== undefined) {
    await page.evaluate((token) => localStorage.setItem('hl.terminal.token', token), options.token)
    await page.reload()
    await page.locator('.level').first().waitFor()
  }
  return { context, page }
}

/** A new terminal at `counterId` waiting to be paired with the returned 8-digit code. */
export async function seedPairingCode (
  app: FastifyInstance,
  unitId: string,
  counterId: string
): Promise<{ terminalId: string; code: string }> {
  const code = String(Math.floor(Math.random() * 1e8)).padStart(8, '0')
  const row = await app.db
    .insertInto('terminals')
    .values({
      unit_id: unitId,
      counter_id: counterId,
      kind: 'touch',
      name: 'Máy tính bảng mới',
      token_hash: null,
      pairing_code_hash: hashPairingCode(code, app.config.pairingSecret!),
      pairing_expires_at: new Date(Date.now() + 15 * 60_000),
      paired_at: null,
      revoked_at: null,
      last_seen_at: null
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { terminalId: row.id, code }
}

export async function ratingRows (app: FastifyInstance) {
  return app.db.selectFrom('ratings').selectAll().orderBy('rated_at').execute()
}

/** Taps a level on the scale and leaves the criteria (and the follow-up) with "Bỏ qua"; returns once the scale can be tapped again. */
export async function rateAndSkip (page: Page, level: number): Promise<void> {
  const button = page.locator(`.level[data-level="${level}"]`)
  await button.waitFor()
  await page.waitForFunction(
    (selector) => !(document.querySelector(selector) as HTMLButtonElement | null)?.disabled,
    `.level[data-level="${level}"]`,
    { timeout: 10_000 }
  )
  await button.click()
  await page.getByRole('button', { name: 'Bỏ qua' }).click()
  // An unsatisfied rating asks what went wrong next: skipped too.
  // (The thank-you lasts a second in tests: wait for it once, never after a further round trip.)
  const next = await page.waitForSelector('.thanks, .follow-up')
  if (await next.evaluate((element) => element.classList.contains('follow-up'))) {
    await page.locator('.follow-up').getByRole('button', { name: 'Bỏ qua' }).click()
    await page.getByText('Cảm ơn Ông/Bà!').waitFor()
  }
  await button.waitFor()
}

// Kept as source text: tsx would wrap named functions in a `__name` helper the page doesn't have.
const accessibilityScript = `(() => {
  const problems = []
  const visible = (element) => { const box = element.getBoundingClientRect(); return box.width > 0 && box.height > 0 }
  for (const button of document.querySelectorAll('main button')) {
    const box = button.getBoundingClientRect()
    if (visible(button) && (box.width < 64 || box.height < 64)) {
      problems.push('button "' + button.textContent + '" is ' + Math.round(box.width) + '×' + Math.round(box.height) + ' px')
    }
  }
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT)
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
    const element = node.parentElement
    if (element === null || node.textContent.trim() === '' || !visible(element)) continue
    if (element.closest('.connection, .staff-entry, .sr-only') !== null) continue
    const size = parseFloat(getComputedStyle(element).fontSize)
    if (size < 18) problems.push('"' + node.textContent.trim() + '" is ' + size + ' px')
  }
  return problems
})()`

/**
 * What a citizen would struggle with on the current screen: visible buttons under 64 × 64 px, visible text under 18 px (the staff corner
 * aside).
 */
export async function accessibilityProblems (page: Page): Promise<string[]> {
  return page.evaluate(accessibilityScript) as Promise<string[]>
}
