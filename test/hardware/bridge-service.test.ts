// The bridge as the systemd service runs it: the compiled bundle (npm run build:bridge) under plain node, no tsx, no writable home; and the
// unit file is valid.
import { execFile, spawn } from 'node:child_process'
import { access, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { build } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'
import { SimulatedBox } from '../../hardware/simulator/box.ts'
import { openBoxEnd, PtyPair, tempFolder, waitFor } from './serial-line.ts'

const run = promisify(execFile)
const root = join(import.meta.dirname, '../..')
const unit = join(root, 'hardware/bridge/hailong-bridge.service')

t.test('the bundle built by npm run build:bridge runs with plain node, and a press becomes a rating', async (t) => {
  await run('npm', ['run', '--silent', 'build:bridge'], { cwd: root, timeout: 60_000 })
  const bundle = join(root, 'dist/bridge/cli.mjs')
  await access(bundle)
  const app = await build(t)
  const listening = await app.listen({ port: 0, host: '127.0.0.1' })
  const { terminal } = await seedCentre(app.db, { terminalKind: 'button' })
  const dir = await tempFolder(t)
  const pty = new PtyPair(dir)
  await pty.plug()
  t.teardown(() => pty.unplug())
  const box = new SimulatedBox({ serial: 'HL-SVC-0001', boot: 2, retransmitMs: 300, beatMs: 1000 })
  t.teardown(() => box.detach())
  box.attach(await openBoxEnd(t, pty.boxPath))
  const file = join(dir, 'bridge.json')
  const boxes = [{ serial: 'HL-SVC-0001', token: terminal.token }]
  const ports = [{ path: pty.bridgePath }]
  await writeFile(file, JSON.stringify({ apiUrl: listening, dataDir: join(dir, 'state'), ports, boxes, reopenMs: 200 }))
  // As under systemd: no DEBUG, a home that does not exist, the working folder not the repository.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: '/nonexistent', NODE_ENV: 'production' }
  const child = spawn(process.execPath, [bundle, '--config', file], { cwd: '/', env, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  await waitFor('the bridge to hear the box', () => /box HL-SVC-0001 \(firmware/.test(stderr), 30_000)
  box.press(2)
  const stored = (): Promise<unknown[]> => app.db.selectFrom('ratings').select('id').where('terminal_id', '=', terminal.id).execute()
  await waitFor('the rating', async () => (await stored()).length === 1)
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'stops cleanly on SIGTERM')
  t.notMatch(stderr, /tsx|ExperimentalWarning/, 'no TypeScript loader at run time')
})

t.test('the systemd unit runs that bundle with plain node and passes systemd-analyze verify', async (t) => {
  const text = await readFile(unit, 'utf8')
  t.match(text, /^ExecStart=\/usr\/bin\/node \/opt\/hailong\/dist\/bridge\/cli\.mjs --config /m)
  t.notMatch(text, /^ExecStart=.*\b(npm|npx|tsx)\b/m, 'no npm or tsx at run time')
  t.match(text, /^ProtectSystem=strict$/m)
  t.match(text, /^StateDirectory=hailong-bridge$/m, 'its data folder is writable under ProtectSystem=strict')
  const analyze = await run('systemd-analyze', ['--version']).then(() => true, () => false)
  if (!analyze) {
    if (process.env.CI === 'true') t.fail('systemd-analyze is missing (Debian package systemd)')
    else t.comment('skipping systemd-analyze verify: install the Debian package systemd')
    return
  }
  const { stderr } = await run('systemd-analyze', ['verify', unit])
  t.equal(stderr.trim(), '', 'no warnings')
})
