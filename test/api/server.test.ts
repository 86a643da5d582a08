// The server as an installer meets it: clear start failures, migrations on start, data kept across restarts, graceful stop.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { ConfigError, loadConfig } from '../../api/config.ts'
import { openDatabase } from '../../db/database.ts'
import { databaseKind, emptyDatabase } from '../helper.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))

async function freePort (): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

interface Run { child: ChildProcess, output: () => string, exited: Promise<number | null> }

/** Runs the server from source (as `npm run dev`), or as `npm start` runs it: `['api/commands/built.mjs', 'server']`. */
function startServer (env: Record<string, string>, args = ['--import', 'tsx', 'api/server.ts']): Run {
  let output = ''
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stdout!.on('data', (chunk) => { output += String(chunk) })
  child.stderr!.on('data', (chunk) => { output += String(chunk) })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

async function waitReady (port: number, run: Run, timeoutMs = 90000): Promise<number> {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    if (run.child.exitCode !== null) throw new Error(`server exited: ${run.output()}`)
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`)
      if (response.status === 200) return Date.now() - started
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`not ready in ${timeoutMs} ms: ${run.output()}`)
}

function failingVariable (env: Record<string, string>): string | null {
  try {
    loadConfig(env)
    return null
  } catch (error) {
    return error instanceof ConfigError ? error.variable : 'not a ConfigError'
  }
}

t.test('config: bad values name the variable', async (t) => {
  t.throws(() => loadConfig({ PORT: 'abc' }), new ConfigError('PORT', 'must be a whole number between 0 and 65535, got "abc"'))
  t.equal(failingVariable({ PORT: '70000' }), 'PORT')
  t.equal(failingVariable({ DATABASE_URL: 'mysql://x' }), 'DATABASE_URL')
  t.equal(failingVariable({ DATABASE_URL: 'postgres://db/hailong', DATABASE_READ_URL: 'mysql://x' }), 'DATABASE_READ_URL')
  t.throws(
    () => loadConfig({ DATABASE_READ_URL: 'postgres://replica/hailong' }),
    new ConfigError('DATABASE_READ_URL', 'needs DATABASE_URL: it names a streaming replica of that PostgreSQL server (PGlite has none)'),
    'a replica of nothing'
  )
  t.equal(loadConfig({ DATABASE_URL: 'postgres://db/hailong', DATABASE_READ_URL: 'postgres://replica/hailong' }).databaseReadUrl,
    'postgres://replica/hailong')
  t.equal(failingVariable({ LOG_LEVEL: 'loud' }), 'LOG_LEVEL')
  t.equal(failingVariable({ ADMIN_PASSWORD: 'short' }), 'ADMIN_PASSWORD')
  t.equal(failingVariable({ TRUST_PROXY: 'maybe' }), 'TRUST_PROXY')
  t.equal(failingVariable({ METRICS_TOKEN: 'guessable' }), 'METRICS_TOKEN')
  t.equal(loadConfig({ METRICS_TOKEN: 'a-long-enough-scrape-token' }).metricsToken, 'a-long-enough-scrape-token')
  const config = loadConfig({})
  t.equal(config.metricsToken, null)
  t.equal(config.port, 3000)
  t.equal(config.host, '127.0.0.1')
  t.equal(config.databaseUrl, null)
  t.equal(config.databaseReadUrl, null, 'no replica unless named')
  t.equal(config.adminUsername, 'admin')
  t.equal(config.dataDir, path.resolve('./data'))
})

t.test('a bad config value stops the start with one clear line and exit code 1', async (t) => {
  const run = startServer({ PORT: 'eighty' })
  t.equal(await run.exited, 1)
  t.equal(run.output().trim(), 'configuration error: PORT must be a whole number between 0 and 65535, got "eighty"')
})

t.test('an unreachable DATABASE_URL fails the start clearly', async (t) => {
  const port = await freePort()
  const run = startServer({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nowhere`, PORT: String(await freePort()) })
  t.equal(await run.exited, 1)
  t.match(run.output(), new RegExp(`^start failed: cannot open the database at postgres://127.0.0.1:${port}/nowhere: .*ECONNREFUSED`, 'm'))
  t.notMatch(run.output(), /\n\s+at /, 'no stack trace')
})

t.test(`start migrates, creates the admin once, keeps data across a restart, and stops gracefully (${databaseKind})`, async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hl-data-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const env: Record<string, string> = { DATA_DIR: dataDir, ADMIN_PASSWORD: 'first-root-secret' }
  if (databaseKind === 'postgres') {
    const { url } = await emptyDatabase(t)
    env.DATABASE_URL = url!
  }
  const port = await freePort()
  const first = startServer({ ...env, PORT: String(port) })
  t.teardown(() => { first.child.kill('SIGKILL') })
  const readyMs = await waitReady(port, first)
  t.ok(readyMs < 90000, `ready in ${readyMs} ms`)
  t.match(first.output(), /created admin \\"admin\\" with the password from ADMIN_PASSWORD/)
  const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'first-root-secret' }) })
  t.equal(login.status, 200)
  const created = await fetch(`http://127.0.0.1:${port}/api/v1/units`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: login.headers.get('set-cookie')!.split(';')[0]! }, body: JSON.stringify({ kind: 'province', code: 'KEEP', name: 'Tỉnh Giữ Dữ Liệu' }) })
  first.child.kill('SIGTERM')
  t.equal(await first.exited, 0, 'SIGTERM: a clean exit')
  t.match(first.output(), /SIGTERM received/)

  const second = startServer({ ...env, PORT: String(port), ADMIN_PASSWORD: 'another-root-secret' })
  t.teardown(() => { second.child.kill('SIGKILL') })
  await waitReady(port, second)
  t.notMatch(second.output(), /created admin/, 'the admin is created once')
  const again = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'first-root-secret' }) })
  t.equal(again.status, 200, 'the first admin and its password survived the restart')
  second.child.kill('SIGTERM')
  t.equal(await second.exited, 0)

  if (created.status === 201) {
    // Once the units routes exist, the unit created before the restart must still be there.
    const db = await openDatabase({ databaseUrl: env.DATABASE_URL ?? null, dataDir })
    t.teardown(() => db.destroy())
    const unit = await db.selectFrom('units').select('name').where('code', '=', 'KEEP').executeTakeFirst()
    t.equal(unit?.name, 'Tỉnh Giữ Dữ Liệu')
  }
})

t.test('the build makes dist/server; run as npm start runs it, it starts on an empty data folder and again on it', async (t) => {
  // The build step npm install runs (esbuild, about a second), here so that a stale build cannot pass.
  const build = spawnSync('npm', ['run', '--silent', 'build:server'], { cwd: root, encoding: 'utf8' })
  t.equal(build.status, 0, `npm run build:server: ${build.stderr}`)
  t.ok(existsSync(path.join(root, 'dist', 'server', 'server.mjs')), 'dist/server/server.mjs is built')
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hl-built-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const port = await freePort()
  const env = { DATA_DIR: dataDir, PORT: String(port), ADMIN_PASSWORD: 'built-root-secret' }
  const npmStart = ['api/commands/built.mjs', 'server']

  const first = startServer(env, npmStart)
  t.teardown(() => { first.child.kill('SIGKILL') })
  await waitReady(port, first)
  t.match(first.output(), /created admin \\"admin\\" with the password from ADMIN_PASSWORD/)
  const signIn = async (): Promise<number> => (await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'built-root-secret' })
  })).status
  t.equal(await signIn(), 200, 'the admin signs in')
  // Found from the project root, not from the bundle's own folder: the pages and the icon.
  const page = await fetch(`http://127.0.0.1:${port}/terminal/`)
  t.match(await page.text(), existsSync(path.join(root, 'dist', 'terminal')) ? /<!doctype html>/i : /npm run build/)
  t.equal((await fetch(`http://127.0.0.1:${port}/favicon.ico`)).headers.get('content-type'), 'image/png')
  first.child.kill('SIGTERM')
  t.equal(await first.exited, 0, 'SIGTERM: a clean exit')

  const second = startServer(env, npmStart)
  t.teardown(() => { second.child.kill('SIGKILL') })
  await waitReady(port, second)
  t.notMatch(second.output(), /created admin|applied \d+ migration/, 'a restart: nothing to create or migrate')
  t.equal(await signIn(), 200, 'the admin and its password survived the restart')
  second.child.kill('SIGTERM')
  t.equal(await second.exited, 0)
})

t.test('without a build, npm start and the commands say to run npm run build', async (t) => {
  const run = startServer({}, ['api/commands/built.mjs', 'not-built'])
  t.equal(await run.exited, 1)
  t.equal(run.output().trim(), 'not-built failed: dist/server/not-built.mjs is not built: run npm run build (npm install runs it), ' +
    'or npm run dev to run the server from source')
})

t.test('a build older than the sources still runs, with a warning saying so', async (t) => {
  // dist/server was rebuilt by the test above; a source file written now is newer than it.
  const stale = path.join(root, 'api', `.tmp-stale-${process.pid}.ts`)
  await writeFile(stale, '// A source file newer than the build (test/api/server.test.ts).\n')
  t.teardown(() => rm(stale, { force: true }))
  const run = startServer({ PORT: 'eighty' }, ['api/commands/built.mjs', 'migrate'])
  t.equal(await run.exited, 1)
  t.match(run.output(), /^warning: \d+ source file\(s\) changed since dist\/server was built \(.+\): this runs the build/m)
  t.match(run.output(), /^configuration error: PORT must be a whole number/m, 'and the built command ran')
})
