// The bridge's data-folder lock: a second holder is refused in one line; the lock dies with its holder (kill -9) and is not fooled by a
// reused pid.
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { DataDirLock, DataDirLockedError, processStartTime } from '../../hardware/bridge/data-lock.ts'
import { tempFolder, waitFor } from './serial-line.ts'

const lockModule = join(import.meta.dirname, '../../hardware/bridge/data-lock.ts')

t.test('a second holder is refused with one line naming the holder; released, it can be taken', async (t) => {
  const dir = await tempFolder(t)
  const lock = await DataDirLock.acquire(dir)
  const error = await DataDirLock.acquire(dir).then(() => null, (err: unknown) => err)
  t.type(error, DataDirLockedError)
  t.match((error as Error).message, new RegExp(`^another bridge \\(pid ${process.pid}, since .*\\) already uses data folder ${dir}`))
  t.notMatch((error as Error).message, /\n/, 'one line')
  await lock.release()
  const again = await DataDirLock.acquire(dir)
  t.pass('taken again after release')
  await again.release()
})

t.test('a holder killed with SIGKILL leaves a lock the next bridge takes over', async (t) => {
  const dir = await tempFolder(t)
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
    `const { DataDirLock } = await import(${JSON.stringify(lockModule)}); await DataDirLock.acquire(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000)`],
  { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
  await waitFor('the child to lock', () => out.includes('locked'), 20_000)
  await t.rejects(DataDirLock.acquire(dir), DataDirLockedError, 'refused while the holder runs')
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
  const lock = await DataDirLock.acquire(dir)
  const owner = JSON.parse(await readFile(join(dir, 'bridge.lock'), 'utf8')) as { pid: number }
  t.equal(owner.pid, process.pid, 'the lock is ours now')
  await lock.release()
})

t.test('a lock whose pid now belongs to another process (pid reuse) is stale; the same pid and start time is not', async (t) => {
  const dir = await tempFolder(t)
  const other = spawn('sleep', ['30'], { stdio: 'ignore' })
  t.teardown(() => { if (other.exitCode === null) other.kill('SIGKILL') })
  const started = await processStartTime(other.pid!)
  t.not(started, null, '/proc gives the start time')
  const path = join(dir, 'bridge.lock')
  await writeFile(path, JSON.stringify({ pid: other.pid, started: '1', host: hostname(), since: '2026-01-01T00:00:00.000Z' }))
  const lock = await DataDirLock.acquire(dir)
  t.pass('a live pid with another start time does not hold the lock')
  await lock.release()
  await writeFile(path, JSON.stringify({ pid: other.pid, started, host: hostname(), since: '2026-01-01T00:00:00.000Z' }))
  await t.rejects(DataDirLock.acquire(dir), DataDirLockedError, 'the same pid and start time does')
})
