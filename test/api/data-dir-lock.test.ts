// One process owns a PGlite data folder: every second opener is refused before it touches a byte, and a killed owner leaves it free.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { DataDirInUseError, LOCK_FILE } from '../../db/data-dir-lock.ts'
import { openDatabase } from '../../db/database.ts'
import { freePort } from '../reliability/postgres.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))

interface Run {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

/** A script run as `npm start` / `npm run …` runs it, on PGlite in `dataDir` whatever DATABASE_URL the suite has. */
function run (script: string, dataDir: string, env: Record<string, string> = {}): Run {
  let output = ''
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir,
      ADMIN_PASSWORD: 'owner-root-secret-2026',
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stdout!.on('data', (chunk) => {
    output += String(chunk)
  })
  child.stderr!.on('data', (chunk) => {
    output += String(chunk)
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return { child, output: () => output, exited }
}

async function waitReady (port: number, server: Run, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (server.child.exitCode !== null) throw new Error(`server exited: ${server.output()}`)
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`not ready in ${timeoutMs} ms: ${server.output()}`)
}

async function signIn (port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'owner-root-secret-2026' })
  })
  return response.status
}

/** Every file under the database folder with its size and modification time: "not a byte touched" is this unchanged. */
async function snapshot (dir: string): Promise<string> {
  const lines: string[] = []
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const file = path.join(entry.parentPath, entry.name)
    const info = await stat(file)
    lines.push(`${path.relative(dir, file)} ${info.size} ${info.mtimeMs}`)
  }
  return lines.sort().join('\n')
}

t.test('a second opener in the same process is refused until the first closes', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hl-lock-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const first = await openDatabase({ databaseUrl: null, dataDir, owner: 'the first opener' })
  await t.rejects(openDatabase({ databaseUrl: null, dataDir }), DataDirInUseError)
  await t.rejects(openDatabase({ databaseUrl: null, dataDir }), {
    message: new RegExp(`in use by process ${process.pid} \\(the first opener\\)`)
  })
  await first.destroy()
  const second = await openDatabase({ databaseUrl: null, dataDir })
  t.ok(second, 'opens once the first has closed')
  await second.destroy()
})

t.test(
  'server running: a second start, demo, db:migrate and rollups:rebuild are refused with one line; the server is unharmed; after SIGKILL the next start opens at once',
  async (t) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hl-lock-'))
    t.teardown(() => rm(dataDir, { recursive: true, force: true }))
    const port = await freePort()
    const owner = run('api/server.ts', dataDir, { PORT: String(port) })
    await waitReady(port, owner)
    t.equal(await signIn(port), 200)
    const before = await snapshot(path.join(dataDir, 'pglite'))

    const refusal = new RegExp(
      `^.*the data directory ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by process ${owner.child.pid} \\(the Hài Lòng server, listening on port ${port}\\): .*stop it \\(Ctrl\\+C in its terminal, or kill ${owner.child.pid}\\)`
    )
    const openers = [
      { name: 'a second npm start', script: 'api/server.ts', prefix: 'start failed: ' },
      { name: 'npm run demo', script: 'api/commands/demo.ts', prefix: 'demo refused: ' },
      { name: 'npm run db:migrate', script: 'api/commands/migrate.ts', prefix: 'db:migrate refused: ' },
      { name: 'npm run rollups:rebuild', script: 'api/commands/rebuild-rollups.ts', prefix: 'rollups:rebuild refused: ' }
    ]
    for (const opener of openers) {
      const second = run(opener.script, dataDir, { PORT: String(await freePort()) })
      t.equal(await second.exited, 1, `${opener.name}: exit code 1`)
      const lines = second.output().trim().split('\n')
      t.equal(lines.length, 1, `${opener.name}: one line`)
      t.ok(lines[0]!.startsWith(opener.prefix), `${opener.name}: ${lines[0]}`)
      t.match(lines[0], refusal, `${opener.name}: names the pid, the port and what to do`)
    }
    t.equal(await snapshot(path.join(dataDir, 'pglite')), before, 'no file of the database was touched')
    t.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200, 'the server is unharmed')
    t.equal(await signIn(port), 200)

    owner.child.kill('SIGKILL')
    await owner.exited
    const next = run('api/server.ts', dataDir, { PORT: String(port) })
    await waitReady(port, next)
    t.equal(await signIn(port), 200, 'after SIGKILL the next start opens the folder and its data')
    next.child.kill('SIGTERM')
    t.equal(await next.exited, 0)

    // A lock file naming a live process (this test's, standing in for a reused pid) is only a name: the OS lock decides.
    await writeFile(
      path.join(dataDir, LOCK_FILE),
      JSON.stringify({ pid: process.pid, owner: 'the Hài Lòng server', port, since: new Date().toISOString() })
    )
    const migrate = run('api/commands/migrate.ts', dataDir)
    t.equal(await migrate.exited, 0, `a stale lock file does not block: ${migrate.output()}`)
  }
)
