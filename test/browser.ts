// What the browser tests share: freshly built pages, the real app listening on a free port and one headless Chromium per test file.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
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
  await freshPages()
  const app = await build(t, overrides)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  // The flags keep Chromium off this machine's closed network (docs: ../shared/STACK.md).
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync']
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

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')
/** The apps built into dist/<app> by <app>/vite.config.ts. */
const apps = ['terminal', 'dashboard', 'phone']
/** What the pages are built from: the apps, shared browser code, contract, compiler settings and locked packages. */
const inputs = ['terminal', 'dashboard', 'web', 'contract', 'package-lock.json',
  'tsconfig.json', 'tsconfig.base.json', 'tsconfig.browser.json', 'phone']
/** The digests of the inputs and of the pages they were last built into here. */
const stampFile = join(dist, '.pages-inputs.json')
/** Held (a directory, made atomically) by the one test process that builds; the others wait for it. */
const lockDir = join(dist, '.pages-build.lock')

let fresh: Promise<void> | null = null

/**
 * Makes sure dist/ holds the pages of the current sources, so a stale build cannot pass the browser tests: when the
 * inputs' digest or the built pages differ from what the last build here recorded, the apps are rebuilt (one test
 * process builds, under a lock; the others wait, then find them fresh). Once per process: some 30 ms when fresh,
 * some 4-7 s to rebuild both apps on a loaded 2-core machine.
 */
export function freshPages (): Promise<void> {
  fresh ??= ensureFreshPages()
  return fresh
}

async function ensureFreshPages (): Promise<void> {
  if (await upToDate()) return
  await withBuildLock(async () => {
    if (await upToDate()) return
    // Taken before building: a source edited during the build leaves the stamp behind, so the next run rebuilds.
    const inputDigest = await digestOf(inputs)
    for (const app of apps) await buildApp(app)
    await writeFile(stampFile, JSON.stringify({ inputs: inputDigest, pages: await pagesDigest() }))
  })
}

async function upToDate (): Promise<boolean> {
  const stamp = await readFile(stampFile, 'utf8').then((text) => JSON.parse(text) as { inputs: string, pages: string }, () => null)
  if (stamp === null) return false
  const pages = await pagesDigest()
  return pages !== null && stamp.pages === pages && stamp.inputs === await digestOf(inputs)
}

/** Builds one app beside dist/<app>, then swaps it in, so a test serving the old pages never sees a half-written folder. */
async function buildApp (app: string): Promise<void> {
  const out = join(dist, `.${app}-${process.pid}`)
  const old = join(dist, `.${app}-old-${process.pid}`)
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js')
  await promisify(execFile)(process.execPath, [vite, 'build', '--logLevel', 'warn', '--config', join(root, app, 'vite.config.ts'),
    '--outDir', out, '--emptyOutDir'], { cwd: root })
  await rename(join(dist, app), old).catch(() => {})
  await rename(out, join(dist, app))
  await rm(old, { recursive: true, force: true })
}

/** The built index pages name every asset by its content hash: their digest names the build. Null when not built. */
async function pagesDigest (): Promise<string | null> {
  const hash = createHash('sha256')
  for (const app of apps) {
    const page = await readFile(join(dist, app, 'index.html')).catch(() => null)
    if (page === null) return null
    hash.update(page)
  }
  return hash.digest('hex')
}

/** sha256 over the relative path and content of every file under `paths` (missing ones count as absent). */
async function digestOf (paths: string[]): Promise<string> {
  const hash = createHash('sha256')
  for (const path of paths) {
    for (const file of await filesUnder(path)) {
      hash.update(`${file}\0`)
      hash.update(await readFile(join(root, file)))
    }
  }
  return hash.digest('hex')
}

async function filesUnder (path: string): Promise<string[]> {
  const info = await stat(join(root, path)).catch(() => null)
  if (info === null) return []
  if (!info.isDirectory()) return [path]
  const entries = await readdir(join(root, path), { recursive: true, withFileTypes: true })
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(root.length)).sort()
}

async function withBuildLock (build: () => Promise<void>): Promise<void> {
  await mkdir(dist, { recursive: true })
  const until = Date.now() + 10 * 60_000
  for (;;) {
    try {
      await mkdir(lockDir)
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      if (await lockAbandoned()) await rm(lockDir, { recursive: true, force: true })
      else if (Date.now() > until) throw new Error(`the pages build lock ${lockDir} is still held after 10 minutes`)
      else await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  try {
    await writeFile(join(lockDir, 'pid'), String(process.pid))
    await build()
  } finally {
    await rm(lockDir, { recursive: true, force: true })
  }
}

/** The lock's holder has died (or never wrote its pid within a minute). */
async function lockAbandoned (): Promise<boolean> {
  const pid = Number(await readFile(join(lockDir, 'pid'), 'utf8').catch(() => ''))
  if (pid > 0) {
    try {
      process.kill(pid, 0)
      return false
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH'
    }
  }
  const made = await stat(lockDir).catch(() => null)
  return made !== null && Date.now() - made.mtimeMs > 60_000
}
