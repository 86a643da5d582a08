// What the browser tests share: the real app listening on a free port and one headless Debian Chromium per test file.
import type { FastifyInstance } from 'fastify'
import { chromium, type Browser } from 'playwright-core'
import type { Config } from '../api/config.ts'
import { build, type TestContext } from './helper.ts'
import { requireTools, skipUnless, tools } from './system-tools.ts'

/** CHROMIUM_PATH, else `chromium` on PATH (Debian's package). */
export const CHROMIUM = tools.chromium.find() ?? '/usr/bin/chromium'

export interface Harness {
  app: FastifyInstance
  url: string
  browser: Browser
}

/** The app on a fresh database listening on 127.0.0.1 and a headless Chromium; both closed at teardown (the browser first). */
export async function startHarness (t: TestContext, overrides: Partial<Config> = {}): Promise<Harness> {
  // Without Chromium the file is skipped with a line naming it (outside CI), before any database is made.
  if ('plan' in t && typeof t.plan === 'function') {
    requireTools(t as TestContext & { plan: (count: number, comment?: string) => void }, [tools.chromium])
  } else {
    const missing = skipUnless([tools.chromium])
    if (missing !== false) throw new Error(missing)
  }
  const app = await build(t, overrides)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  // The flags keep Chromium off this machine's closed network (docs: ../shared/STACK.md).
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  // Registered after build(): teardowns run in reverse, so the browser closes before the app.
  t.teardown(async () => {
    await browser.close().catch(() => {})
  })
  return { app, url: `http://127.0.0.1:${address.port}`, browser }
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
