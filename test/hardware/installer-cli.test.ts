// The bridge as an installer runs it (`npm run bridge`): a second bridge on one data folder is refused and no acknowledged press is lost;
// problems are logged without DEBUG.
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { build } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'
import { TerminalApi } from '../../hardware/bridge/api-client.ts'
import { SimulatedBox } from '../../hardware/simulator/box.ts'
import { freePort, openBoxEnd, PtyPair, SwitchableRelay, tempFolder, waitFor } from './serial-line.ts'

const cli = join(import.meta.dirname, '../../hardware/bridge/cli.ts')

interface Exit { code: number | null, signal: NodeJS.Signals | null }

interface Running {
  done: Promise<Exit>
  kill: (signal: NodeJS.Signals) => void
  stderr: () => string
  exited: () => boolean
}

/** The bridge CLI with the installer's defaults: no DEBUG in its environment. */
function runCli (args: string[]): Running {
  const env = { ...process.env }
  delete env.DEBUG
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const done = new Promise<Exit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null
  return { done, kill: (signal) => child.kill(signal), stderr: () => stderr, exited }
}

t.test('a second bridge on the same data folder is refused in one line; after kill -9 and a restart every acknowledged press arrives', async (t) => {
  const app = await build(t)
  const listening = await app.listen({ port: 0, host: '127.0.0.1' })
  const { terminal } = await seedCentre(app.db, { terminalKind: 'button' })
  const relay = new SwitchableRelay({ host: '127.0.0.1', port: Number(new URL(listening).port) })
  const apiUrl = await relay.listen()
  t.teardown(() => relay.close())
  relay.down()
  const dir = await tempFolder(t)
  const pty = new PtyPair(dir)
  await pty.plug()
  t.teardown(() => pty.unplug())
  const box = new SimulatedBox({ serial: 'HL-CLI-0001', boot: 4, retransmitMs: 300, beatMs: 1000, queueSize: 32 })
  t.teardown(() => box.detach())
  box.attach(await openBoxEnd(t, pty.boxPath))
  const file = join(dir, 'bridge.json')
  const boxes = [{ serial: 'HL-CLI-0001', token: terminal.token }]
  await writeFile(file, JSON.stringify({
    apiUrl, dataDir: 'data', ports: [{ path: pty.bridgePath }], boxes, reopenMs: 200, retryMs: 200, maxRetryMs: 1000
  }))
  const ratings = async (): Promise<number> =>
    (await app.db.selectFrom('ratings').select('id').where('terminal_id', '=', terminal.id).execute()).length

  const first = runCli(['--config', file])
  await waitFor('the first bridge to hear the box', () => /box HL-CLI-0001 \(firmware/.test(first.stderr()), 60_000)
  for (const button of [1, 2, 3, 4, 1]) box.press(button)
  await waitFor('5 ACKs', () => box.acked.length === 5)

  // Someone runs `npm run bridge` by hand while the service runs.
  const second = runCli(['--config', file])
  await waitFor('the second bridge to stop', () => second.exited(), 60_000).catch(() => {})
  t.ok(second.exited(), 'the second bridge stops by itself')
  if (!second.exited()) second.kill('SIGKILL')
  const { code } = await second.done
  t.equal(code, 75, 'exit status 75 (EX_TEMPFAIL)')
  const lines = second.stderr().trim().split('\n')
  t.equal(lines.length, 1, 'one line')
  t.match(lines[0], /^bridge: another bridge \(pid \d+, since .+\) already uses data folder .*data; stop it first/)

  for (const button of [4, 3, 2, 1, 2]) box.press(button)
  await waitFor('10 ACKs', () => box.acked.length === 10)
  first.kill('SIGKILL')
  await first.done
  const restarted = runCli(['--config', file])
  await waitFor('the restarted bridge to hear the box', () => /box HL-CLI-0001 \(firmware/.test(restarted.stderr()), 60_000)
  relay.up = true
  await waitFor('all 10 acknowledged presses stored', async () => await ratings() === 10, 20_000).catch(() => {})
  t.equal(await ratings(), 10, 'no acknowledged press lost')
  restarted.kill('SIGTERM')
  t.equal((await restarted.done).code, 0)
})

t.test('without DEBUG: a missing port is logged once, an unknown config key is refused, a network error names its cause', async (t) => {
  const dir = await tempFolder(t)
  const file = join(dir, 'bridge.json')
  const port = await freePort()
  await writeFile(file, JSON.stringify({ apiUrl: `http://127.0.0.1:${port}`, dataDir: 'data', ports: [{ path: join(dir, 'ttyNOBOX') }], boxes: [{ serial: 'HL-1', token: 't' }], reopenMs: 100 }))
  const bridge = runCli(['--config', file])
  await waitFor('the missing port in the log', () => /cannot open .*ttyNOBOX/.test(bridge.stderr()), 60_000)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  t.equal(bridge.stderr().match(/cannot open .*ttyNOBOX/g)?.length, 1, 'once, not every 100 ms')
  bridge.kill('SIGTERM')
  await bridge.done

  await writeFile(file, JSON.stringify({ apiUrl: 'http://127.0.0.1:1', dataDir: 'data', ports: [{ path: '/dev/ttyUSB0' }], boxes: [{ serial: 'HL-1', token: 't' }], reopenMS: 100 }))
  const refused = runCli(['--config', file])
  const { code } = await refused.done
  t.equal(code, 1)
  t.match(refused.stderr(), /bridge config: unknown key "reopenMS" \(did you mean "reopenMs"\?\)/)

  const api = new TerminalApi({ apiUrl: `http://127.0.0.1:${port}` })
  await t.rejects(api.pair('ABCD1234'), { kind: 'unreachable', message: new RegExp(`connection refused to 127\\.0\\.0\\.1:${port}`) })
})
