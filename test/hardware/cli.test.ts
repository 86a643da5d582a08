// `npm run bridge -- --config FILE`: refuses a bad config with a clear message, runs with a good one, stops cleanly on SIGTERM.
import { spawn } from 'node:child_process'
import { access, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { tempFolder, waitFor } from './serial-line.ts'

const cli = join(import.meta.dirname, '../../hardware/bridge/cli.ts')

interface Running {
  done: Promise<{ code: number | null, stderr: string }>
  kill: (signal: NodeJS.Signals) => void
  stderr: () => string
}

function runCli (args: string[]): Running {
  // node --import tsx, not npx tsx: the PID we signal must be the bridge itself.
  const env = { ...process.env, DEBUG: 'hailong:hardware:cli' }
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const done = new Promise<{ code: number | null, stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  return { done, kill: (signal) => child.kill(signal), stderr: () => stderr }
}

t.test('a config with a bad field stops the bridge with a message naming it', async (t) => {
  const dir = await tempFolder(t)
  const file = join(dir, 'bridge.json')
  await writeFile(file, JSON.stringify({ apiUrl: 'http://127.0.0.1:1', dataDir: 'data', ports: [{ vendorId: 'xyz' }], boxes: [{ serial: 'HL-1', token: 't' }] }))
  const { code, stderr } = await runCli(['--config', file]).done
  t.equal(code, 1)
  t.match(stderr, /bridge config: ports\[0\] needs a path, or a vendorId and productId/)
  t.notMatch(stderr, /at .*\.ts:\d+/, 'no stack trace')
  t.equal((await runCli([]).done).code, 2, 'no --config: usage')
})

t.test('with a good config it runs, waits for its port, and stops on SIGTERM', async (t) => {
  const dir = await tempFolder(t)
  const file = join(dir, 'bridge.json')
  await writeFile(file, JSON.stringify({ apiUrl: 'http://127.0.0.1:1', dataDir: 'data', ports: [{ path: join(dir, 'ttyNOBOX') }], boxes: [{ serial: 'HL-1', token: 't' }] }))
  const bridge = runCli(['--config', file])
  await waitFor('the bridge to say it runs', () => /bridge running/.test(bridge.stderr()), 30_000)
  await access(join(dir, 'data', 'outbox.jsonl')).then(() => t.pass('the journal is in dataDir, relative to the config file'))
  bridge.kill('SIGTERM')
  const { code, stderr } = await bridge.done
  t.equal(code, 0)
  t.match(stderr, /SIGTERM: stopping/)
})
