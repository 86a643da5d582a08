// The bridge over real ptys into the real app, with a simulated box (socat pair) and with the real firmware in simavr: every press becomes
// exactly one rating.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { readFile, stat, symlink, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { SerialPort } from 'serialport'
import { build } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'
import { hashPairingCode } from '../../api/lib/secrets.ts'
import { Bridge } from '../../hardware/bridge/bridge.ts'
import { parseBridgeConfig, type BoxSpec } from '../../hardware/bridge/config.ts'
import { ratingId } from '../../hardware/bridge/rating-id.ts'
import { encodeFrame } from '../../hardware/protocol/frames.ts'
import { SimulatedBox } from '../../hardware/simulator/box.ts'
import { openBoxEnd, PtyPair, SwitchableRelay, tempFolder, waitFor } from './serial-line.ts'
import { firmwareTools, requireTools, tools } from '../system-tools.ts'

// Skipped with a line naming the missing tool and its Debian package outside CI; a failure with CI=true.
requireTools(t, [...firmwareTools, tools.socat])

let boxes = 0

// One app for the whole file (PGlite takes seconds to start); each test seeds its own centre and terminal.
// The firmware and its simavr runner build meanwhile.
const run = promisify(execFile)
const buildDir = await tempFolder(t, 'hl-fw-')
const SERIAL = 'HL-FW-0042'
const [app] = await Promise.all([
  build(t),
  run('make', ['-C', join(import.meta.dirname, '../../hardware/firmware'), `BUILD=${buildDir}`, `BOX_SERIAL=${SERIAL}`, 'all', 'sim'],
    { timeout: 90_000 })
])
const listening = await app.listen({ port: 0, host: '127.0.0.1' })

interface Rig {
  serial: string
  terminalId: string
  token: string
  pty: PtyPair
  box: SimulatedBox
  dir: string
  ratings: () => Promise<StoredRating[]>
  startBridge: (apiUrl?: string, boxes?: BoxSpec[]) => Promise<Bridge>
}
interface StoredRating { id: string, level: number, source: string }

/** A centre with a paired button terminal, a pty pair, and a simulated box plugged into it. */
async function rig (t: Test): Promise<Rig> {
  const { terminal } = await seedCentre(app.db, { terminalKind: 'button' })
  const dir = await tempFolder(t)
  const pty = new PtyPair(dir)
  await pty.plug()
  t.teardown(() => pty.unplug())
  // A box of its own per test: the same serial and boot would give the same rating ids.
  const serial = `HL-TEST-${++boxes}`
  // Room for a whole burst: a loaded CI machine may be slower to acknowledge than the presses come.
  const box = new SimulatedBox({ serial, boot: 7, buttons: 4, retransmitMs: 300, beatMs: 1000, queueSize: 32 })
  t.teardown(() => box.detach())
  box.attach(await openBoxEnd(t, pty.boxPath))
  const startBridge = async (apiUrl = listening, boxes: BoxSpec[] = [{ serial, token: terminal.token }]): Promise<Bridge> => {
    const config = parseBridgeConfig({
      apiUrl, dataDir: join(dir, 'data'), ports: [{ path: pty.bridgePath }], boxes, reopenMs: 100, retryMs: 100, maxRetryMs: 400
    })
    const bridge = new Bridge({ config, portClass: SerialPort })
    t.teardown(() => bridge.stop())
    await bridge.start()
    return bridge
  }
  const ratings = (): Promise<StoredRating[]> => app.db.selectFrom('ratings').select(['id', 'level', 'source'])
    .where('terminal_id', '=', terminal.id).orderBy('id').execute()
  return { serial, terminalId: terminal.id, token: terminal.token, pty, box, dir, ratings, startBridge }
}

t.test('a burst of presses with garbage and bad checksums between them: one rating per press, levels from the buttons', async (t) => {
  const { serial, box, ratings, startBridge } = await rig(t)
  const bridge = await startBridge()
  await waitFor('the bridge to know the box', () => bridge.status().ports[0]!.box === serial)
  const buttons = [1, 2, 3, 4, 1, 1, 2, 4, 3, 3, 1, 2, 4, 4, 1, 2, 3, 1, 1, 2]
  const started = Date.now()
  const refused: number[] = []
  for (const [i, button] of buttons.entries()) {
    if (box.press(button) === null) refused.push(i)
    await new Promise((resolve) => setTimeout(resolve, 10))
    if (i % 5 === 0) box.writeRaw(Buffer.from([0x00, 0xff, 0x7f, 0x0a, 0x24, 0x41, 0x0a])) // noise, and a lone "$A"
    if (i === 10) box.writeRaw(encodeFrame({ type: 'RATE', boot: 7, seq: 999, button: 1, ageMs: 0 }).replace(/\*[0-9A-F]{4}/, '*FFFF'))
  }
  t.same(refused, [], 'the box took every press')
  await waitFor('20 ratings in the database', async () => (await ratings()).length === 20)
  const elapsed = Date.now() - started
  await waitFor('the outbox to drain', () => bridge.status().pending === 0)
  const rows = await ratings()
  const expected = buttons.map((button, i) => ({ id: ratingId(serial, 7, i + 1), level: 5 - button }))
  const byId = (a: { id: string }, b: { id: string }): number => a.id.localeCompare(b.id)
  t.same(rows.map((row) => ({ id: row.id, level: row.level })).sort(byId), expected.sort(byId))
  t.ok(rows.every((row) => row.source === 'button'), 'stored as button ratings of the box\'s terminal')
  // The last ACKs may still be inside socat on a loaded machine.
  await waitFor('the box to hear every ACK', () => box.queued === 0)
  t.same(box.acked, buttons.map((_, i) => i + 1), 'the box heard an ACK for every press, in order')
  t.ok(box.naks >= 1, 'the bridge answered the bad lines with NAK')
  t.ok(box.leds.includes('THANKS'), 'the box showed thank-you')
  const port = bridge.status().ports[0]!
  t.ok(port.refused >= 1 && port.noiseBytes > 0, `refused lines (${port.refused}) and noise (${port.noiseBytes} bytes) were counted`)
  t.comment(`burst of 20 presses stored in ${elapsed} ms`)
})

t.test('a dropped ACK makes the box retransmit, and the press is still stored once', async (t) => {
  const { serial, box, ratings, startBridge } = await rig(t)
  const bridge = await startBridge()
  await waitFor('the bridge to know the box', () => bridge.status().ports[0]!.box === serial)
  box.dropAcks = 2
  box.press(3)
  await waitFor('the box to hear an ACK', () => box.queued === 0)
  t.ok(box.sends >= 3, `the press was sent ${box.sends} times`)
  await waitFor('the outbox to drain', () => bridge.status().pending === 0 && bridge.status().delivered >= 1)
  const rows = await ratings()
  t.same(rows.map((row) => [row.id, row.level]), [[ratingId(serial, 7, 1), 2]])
})

t.test('the cable pulled and plugged back: presses made meanwhile arrive, none twice', async (t) => {
  const { serial, box, pty, ratings, startBridge } = await rig(t)
  const bridge = await startBridge()
  await waitFor('the bridge to know the box', () => bridge.status().ports[0]!.box === serial)
  box.press(1)
  box.press(2)
  await waitFor('2 ratings', async () => (await ratings()).length === 2)
  // The ACKs pass through socat, which a loaded machine may run after the API already stored the presses.
  await waitFor('the box to hear both ACKs', () => box.queued === 0)
  await pty.unplug()
  await waitFor('the bridge to see the port gone', () => !bridge.status().ports[0]!.open)
  box.press(3)
  box.press(4)
  box.press(4)
  t.equal(box.queued, 3, 'the box keeps the presses while unplugged')
  await pty.plug()
  box.attach(await openBoxEnd(t, pty.boxPath))
  await waitFor('5 ratings', async () => (await ratings()).length === 5)
  await waitFor('the outbox to drain', () => bridge.status().pending === 0)
  t.equal(bridge.status().ports[0]!.opens, 2, 'the bridge reopened the port')
  const rows = await ratings()
  t.same(rows.map((row) => row.id).sort(), [1, 2, 3, 4, 5].map((seq) => ratingId(serial, 7, seq)).sort())
  t.same(rows.map((row) => row.level).sort(), [1, 1, 2, 3, 4])
})

t.test('the API down, the bridge restarted, the API up: the outbox delivers every press exactly once', async (t) => {
  const { serial, box, ratings, startBridge } = await rig(t)
  const relay = new SwitchableRelay({ host: '127.0.0.1', port: new URL(listening).port === '' ? 80 : Number(new URL(listening).port) })
  const apiUrl = await relay.listen()
  t.teardown(() => relay.close())
  relay.down()
  let bridge = await startBridge(apiUrl)
  await waitFor('the bridge to know the box', () => bridge.status().ports[0]!.box === serial)
  for (const button of [1, 2, 4]) box.press(button)
  await waitFor('the box to hear 3 ACKs', () => box.acked.length === 3)
  await waitFor('the bridge to report the API unreachable', () => !bridge.status().online)
  t.equal(bridge.status().pending, 3, 'presses wait in the outbox')
  await waitFor('the box to show offline', () => box.leds.includes('OFFLINE'))

  // A restart of the bridge (power cut at the counter's PC) while the API is still down.
  await bridge.stop()
  box.press(3)
  bridge = await startBridge(apiUrl)
  await waitFor('the box to hear 4 ACKs', () => box.acked.length === 4)
  t.equal(bridge.status().pending, 4, 'the outbox survived the restart')
  t.equal((await ratings()).length, 0, 'nothing reached the server yet')

  relay.up = true
  await waitFor('4 ratings', async () => (await ratings()).length === 4, 10_000)
  await waitFor('the outbox to drain', () => bridge.status().pending === 0 && bridge.status().online)
  await waitFor('the box to show ready again', () => box.leds.at(-1) === 'READY' || box.leds.at(-1) === 'THANKS')
  const rows = await ratings()
  t.same(rows.map((row) => row.id).sort(), [1, 2, 3, 4].map((seq) => ratingId(serial, 7, seq)).sort())
  t.same(rows.map((row) => row.level).sort(), [1, 2, 3, 4])
})

t.test('a box configured with a pairing code pairs on first contact and keeps its token across restarts', async (t) => {
  const { serial, box, dir, startBridge } = await rig(t)
  // A terminal as an admin creates it: not paired yet, with a code shown on the dashboard.
  const counter = await app.db.selectFrom('counters').select(['id', 'unit_id']).orderBy('id').executeTakeFirstOrThrow()
  const pending = await app.db.insertInto('terminals').values({
    unit_id: counter.unit_id,
    counter_id: counter.id,
    kind: 'button',
    name: 'Hộp nút quầy 1',
    token_hash: null,
    pairing_code_hash: hashPairingCode('K7M4Q2P9', app.config.pairingSecret!),
    pairing_expires_at: new Date(Date.now() + 15 * 60_000),
    paired_at: null,
    revoked_at: null,
    last_seen_at: null
  }).returning('id').executeTakeFirstOrThrow()
  const boxes = [{ serial, pairingCode: 'K7M4-Q2P9' }]
  let bridge = await startBridge(listening, boxes)
  await waitFor('the bridge to know the box', () => bridge.status().ports[0]!.box === serial)
  box.press(1)
  const paired = (): Promise<Array<{ id: string }>> =>
    app.db.selectFrom('ratings').select('id').where('terminal_id', '=', pending.id).execute()
  await waitFor('a rating of the newly paired terminal', async () => (await paired()).length === 1)
  const statePath = join(dir, 'data', 'state.json')
  const saved = JSON.parse(await readFile(statePath, 'utf8')) as { boxes: Record<string, { terminalId: string, token: string }> }
  t.equal(saved.boxes[serial]?.terminalId, pending.id, 'the state file names the terminal')
  t.equal((await stat(statePath)).mode & 0o777, 0o600, 'the token is readable by the bridge\'s user only')

  // The code is spent now: a restarted bridge must use the saved token.
  await bridge.stop()
  bridge = await startBridge(listening, boxes)
  box.press(2)
  await waitFor('a second rating after the restart', async () => (await paired()).length === 2)
  await waitFor('the outbox to drain', () => bridge.status().pending === 0)
  t.same((await paired()).map((row) => row.id).sort(), [ratingId(serial, 7, 1), ratingId(serial, 7, 2)].sort(),
    'both presses, once each, on the paired terminal')
})

t.test('a revoked token: presses stay in the outbox and the box shows an error', async (t) => {
  const { serial, box, terminalId, ratings, startBridge } = await rig(t)
  await app.db.updateTable('terminals').set({ revoked_at: new Date() }).where('id', '=', terminalId).execute()
  const bridge = await startBridge()
  await waitFor('the bridge to know the box', () => bridge.status().ports[0]!.box === serial)
  box.press(1)
  await waitFor('the box to show an error', () => box.leds.includes('ERROR'))
  // Red shows at HELLO now (the token is checked then), so the press may still be on its way.
  await waitFor('the press safe in the bridge\'s outbox', () => box.queued === 0)
  t.equal(bridge.status().pending, 1)
  t.equal((await ratings()).length, 0)
})

/** The firmware in simavr; `ledOn(name)` says whether that LED was last reported on. */
interface SimulatedMcu {
  process: ChildProcessWithoutNullStreams
  leds: Map<string, number[]>
  press: (button: number) => void
  quit: () => Promise<void>
}

async function startSimavr (t: Test, eeprom: string, link: string): Promise<SimulatedMcu> {
  const child = spawn(join(buildDir, 'boxsim'), [join(buildDir, 'box.elf'), eeprom], { stdio: ['pipe', 'pipe', 'pipe'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  t.teardown(async () => { if (child.exitCode === null) { child.kill('SIGTERM'); await exited } })
  const leds = new Map<string, number[]>()
  let pty: string | null = null
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [word, name, value] = line.split(' ')
    if (word === 'PTY') pty = name!
    if (word === 'LED') leds.set(name!, [...(leds.get(name!) ?? []), Number(value)])
  })
  await waitFor('simavr to open its pty', () => pty !== null || child.exitCode !== null, 10_000)
  t.equal(child.exitCode, null, 'simavr runs the firmware')
  // The pty's name changes with every start; the bridge watches a fixed path, as udev gives a real box.
  await unlink(link).catch(() => {})
  await symlink(pty!, link)
  return {
    process: child,
    leds,
    press: (button) => child.stdin.write(`press ${button}\n`),
    quit: async () => { child.stdin.end('quit\n'); await exited }
  }
}

t.test('the firmware in simavr: presses become ratings, the thank-you LED lights, a reboot gives new ids', async (t) => {
  const { terminal } = await seedCentre(app.db, { terminalKind: 'button' })
  const apiUrl = listening
  const dir = await tempFolder(t)
  const eeprom = join(dir, 'eeprom.bin')
  const link = join(dir, 'ttyBOX')
  const ratings = (): Promise<Array<{ id: string, level: number }>> =>
    app.db.selectFrom('ratings').select(['id', 'level']).where('terminal_id', '=', terminal.id).execute()

  let mcu = await startSimavr(t, eeprom, link)
  const boxes = [{ serial: SERIAL, token: terminal.token }]
  const config = parseBridgeConfig({
    apiUrl, dataDir: join(dir, 'data'), ports: [{ path: link }], boxes, reopenMs: 100, retryMs: 100, maxRetryMs: 400
  })
  const bridge = new Bridge({ config, portClass: SerialPort })
  t.teardown(() => bridge.stop())
  await bridge.start()
  await waitFor('the bridge to hear HELLO from the firmware', () => bridge.status().ports[0]!.box === SERIAL, 10_000)
  await waitFor('the offline LED to go out (READY)', () => mcu.leds.get('yellow')?.at(-1) === 0, 10_000)

  const started = Date.now()
  mcu.press(1)
  await waitFor('the first rating', async () => (await ratings()).length === 1, 10_000)
  mcu.press(3)
  await waitFor('the second rating', async () => (await ratings()).length === 2, 10_000)
  t.comment(`two presses through simavr → bridge → API in ${Date.now() - started} ms`)
  await waitFor('the thank-you LED', () => mcu.leds.get('green')?.includes(1) === true, 5000)
  t.same((await ratings()).map((row) => [row.id, row.level]).sort(), [[ratingId(SERIAL, 1, 1), 4], [ratingId(SERIAL, 1, 2), 2]].sort())

  // Power cycle: the EEPROM boot counter goes to 2, so sequence 1 again is a new rating.
  await mcu.quit()
  await waitFor('the bridge to lose the port', () => !bridge.status().ports[0]!.open, 10_000)
  mcu = await startSimavr(t, eeprom, link)
  const port = (): ReturnType<Bridge['status']>['ports'][number] => bridge.status().ports[0]!
  await waitFor('the bridge to reopen the port and hear HELLO', () => port().open && port().box === SERIAL, 10_000)
  mcu.press(4)
  await waitFor('the third rating', async () => (await ratings()).length === 3, 10_000)
  const rows = await ratings()
  t.same(rows.find((row) => row.id === ratingId(SERIAL, 2, 1))?.level, 1, 'boot 2, sequence 1, button 4 → level 1')
  await mcu.quit()
})
