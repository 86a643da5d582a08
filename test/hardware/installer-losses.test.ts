// Presses an installation would lose without a trace (issue 18), each over socat ptys into the real app: boot counter going back, one serial on two ports, a late retransmit, DTR reset on open, long noise.
import { execFile } from 'node:child_process'
import { mkdir, readFile } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { SerialPort } from 'serialport'
import { build } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'
import { Bridge } from '../../hardware/bridge/bridge.ts'
import { parseBridgeConfig, type BoxSpec } from '../../hardware/bridge/config.ts'
import { ratingId } from '../../hardware/bridge/rating-id.ts'
import { encodeFrame } from '../../hardware/protocol/frames.ts'
import { SimulatedBox } from '../../hardware/simulator/box.ts'
import { openBoxEnd, PtyPair, tempFolder, waitFor } from './serial-line.ts'

const run = promisify(execFile)
const app = await build(t)
const listening = await app.listen({ port: 0, host: '127.0.0.1' })
let boxes = 0

interface Line { pty: PtyPair, plugBox: (box: SimulatedBox) => Promise<void> }

/** A socat null-modem cable; `plugBox` attaches a simulated box to its box end. */
async function line (t: Test, dir: string, name: string): Promise<Line> {
  await mkdir(join(dir, name))
  const pty = new PtyPair(join(dir, name))
  await pty.plug()
  t.teardown(() => pty.unplug())
  let port: SerialPort | null = null
  return {
    pty,
    // Another box on the same cable: the previous one's end is closed first (serialport locks a port it holds).
    plugBox: async (box) => {
      t.teardown(() => box.detach())
      if (port?.isOpen === true) await new Promise<void>((resolve) => port!.close(() => resolve()))
      port = await openBoxEnd(t, pty.boxPath)
      box.attach(port)
    }
  }
}

async function startBridge (t: Test, dir: string, paths: string[], boxSpecs: BoxSpec[], apiUrl = listening, extra: Record<string, unknown> = {}): Promise<Bridge> {
  const config = parseBridgeConfig({ apiUrl, dataDir: join(dir, 'data'), ports: paths.map((path) => ({ path })), boxes: boxSpecs, reopenMs: 100, retryMs: 100, maxRetryMs: 400, ...extra })
  const bridge = new Bridge({ config, portClass: SerialPort })
  t.teardown(() => bridge.stop())
  await bridge.start()
  return bridge
}

async function terminal (): Promise<{ id: string, token: string, ratings: () => Promise<Array<{ id: string, level: number }>> }> {
  const { terminal } = await seedCentre(app.db, { terminalKind: 'button' })
  return {
    id: terminal.id,
    token: terminal.token,
    ratings: () => app.db.selectFrom('ratings').select(['id', 'level']).where('terminal_id', '=', terminal.id).orderBy('id').execute()
  }
}

const box = (serial: string, boot: number): SimulatedBox => new SimulatedBox({ serial, boot, buttons: 4, retransmitMs: 300, beatMs: 1000, queueSize: 32 })

t.test('a box whose boot counter went back (EEPROM erased) repeats no id: every press is stored', async (t) => {
  const dir = await tempFolder(t)
  const serial = `HL-ERASE-${++boxes}`
  const { token, ratings } = await terminal()
  const cable = await line(t, dir, 'a')
  const bridge = await startBridge(t, dir, [cable.pty.bridgePath], [{ serial, token }])

  // Boots 1 and 2 of the box, two presses and one.
  let current = box(serial, 1)
  await cable.plugBox(current)
  await waitFor('the bridge to know the box', () => bridge.status().ports[0]!.box === serial)
  current.press(1); current.press(2)
  await waitFor('2 ratings', async () => (await ratings()).length === 2)
  await waitFor('both ACKs', () => current.queued === 0)
  current.detach()
  current = box(serial, 2)
  await cable.plugBox(current)
  current.press(3)
  await waitFor('3 ratings', async () => (await ratings()).length === 3)
  await waitFor('the ACK', () => current.queued === 0)

  // Re-flashed over ISP: the EEPROM is erased, the box counts from boot 1 again, seq 1 and 2 again.
  current.detach()
  current = box(serial, 1)
  await cable.plugBox(current)
  current.press(4); current.press(4)
  await waitFor('the box to hear both ACKs', () => current.queued === 0)
  await waitFor('the outbox to drain', () => bridge.status().pending === 0)
  await waitFor('5 ratings: the presses after the erase are not taken for duplicates', async () => (await ratings()).length === 5, 5000)
  const rows = await ratings()
  t.same(rows.map((row) => row.level).sort(), [1, 1, 2, 3, 4], 'each press at its level, once')
  t.ok(rows.some((row) => row.id === ratingId(serial, 1, 1)) && rows.some((row) => row.id === ratingId(serial, 1, 1, 1)), 'the new epoch has ids of its own')
  const state = JSON.parse(await readFile(join(dir, 'data', 'state.json'), 'utf8')) as { boxes: Record<string, { epoch: number, boot: number }> }
  t.match(state.boxes[serial], { epoch: 1, boot: 1 }, 'the epoch is saved, so a restart keeps the ids')
})

t.test('two boxes flashed with one serial on two ports: the presses of both are stored', async (t) => {
  const dir = await tempFolder(t)
  const serial = `HL-TWIN-${++boxes}`
  const { token, ratings } = await terminal()
  const a = await line(t, dir, 'a')
  const b = await line(t, dir, 'b')
  const bridge = await startBridge(t, dir, [a.pty.bridgePath, b.pty.bridgePath], [{ serial, token }])
  const first = box(serial, 1)
  await a.plugBox(first)
  await waitFor('the bridge to know the first box', () => bridge.status().ports[0]!.box === serial)
  const second = box(serial, 1)
  await b.plugBox(second)
  await waitFor('the bridge to know the second box', () => bridge.status().ports[1]!.box === serial)
  first.press(1); second.press(4); first.press(2); second.press(3)
  await waitFor('all four ACKs', () => first.queued === 0 && second.queued === 0)
  await waitFor('the outbox to drain', () => bridge.status().pending === 0)
  await waitFor('4 ratings', async () => (await ratings()).length === 4, 5000)
  t.same((await ratings()).map((row) => row.level).sort(), [1, 2, 3, 4])
})

t.test('a press re-sent after it was delivered is acknowledged, not journaled, posted or counted again', async (t) => {
  const dir = await tempFolder(t)
  const serial = `HL-LATE-${++boxes}`
  const { token, ratings } = await terminal()
  const cable = await line(t, dir, 'a')
  const bridge = await startBridge(t, dir, [cable.pty.bridgePath], [{ serial, token }])
  const current = box(serial, 3)
  await cable.plugBox(current)
  await waitFor('the bridge to know the box', () => bridge.status().ports[0]!.box === serial)
  // The ACKs get lost (a noisy cable) until the press is delivered; the box keeps resending it.
  current.dropAcks = 1000
  current.press(2)
  await waitFor('the rating', async () => (await ratings()).length === 1)
  await waitFor('the outbox to drain', () => bridge.status().pending === 0)
  const sendsAtDelivery = current.sends
  await waitFor('two resends after the delivery', () => current.sends >= sendsAtDelivery + 2)
  current.dropAcks = 0
  await waitFor('the box to hear the ACK', () => current.queued === 0)
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(bridge.status().delivered, 1, 'delivered once')
  t.equal(bridge.status().pending, 0, 'nothing pending again')
  const journal = (await readFile(join(dir, 'data', 'outbox.jsonl'), 'utf8')).split('\n').filter((row) => row.includes('"op":"rating"'))
  t.equal(journal.length, 1, 'the press is in the journal once')
  t.same((await ratings()).map((row) => row.id), [ratingId(serial, 3, 1)])
})

t.test('the port is left with HUPCL off, so a bridge restart does not pulse DTR and reset a stock Uno', async (t) => {
  const dir = await tempFolder(t)
  const serial = `HL-DTR-${++boxes}`
  const { token } = await terminal()
  const cable = await line(t, dir, 'a')
  // A USB serial tty starts with HUPCL set (the kernel's default termios); socat's raw pty does not: set it as a real one is.
  await run('stty', ['-F', cable.pty.bridgePath, 'hupcl'])
  const before = (await run('stty', ['-F', cable.pty.bridgePath, '-a'])).stdout
  t.match(before, /(^|\s)hupcl(\s|$)/, 'as plugged in, the tty would drop DTR on close (the reset at the next open)')
  const bridge = await startBridge(t, dir, [cable.pty.bridgePath], [{ serial, token }])
  await waitFor('the port open', () => bridge.status().ports[0]!.open)
  await waitFor('HUPCL cleared', async () => /(^|\s)-hupcl(\s|$)/.test((await run('stty', ['-F', cable.pty.bridgePath, '-a'])).stdout), 3000)
  await bridge.stop()
  t.match((await run('stty', ['-F', cable.pty.bridgePath, '-a'])).stdout, /(^|\s)-hupcl(\s|$)/, 'still off after the bridge closed the port')
})

t.test('long noise is never answered, and a frame after long noise on the same line is taken', async (t) => {
  const dir = await tempFolder(t)
  const serial = `HL-NOISE-${++boxes}`
  const { token, ratings } = await terminal()
  const cable = await line(t, dir, 'a')
  const bridge = await startBridge(t, dir, [cable.pty.bridgePath], [{ serial, token }])
  const current = box(serial, 1)
  await cable.plugBox(current)
  await waitFor('the bridge to know the box', () => bridge.status().ports[0]!.box === serial)
  await new Promise((resolve) => setTimeout(resolve, 200))
  const naks = current.naks
  current.writeRaw('x'.repeat(200) + '\n')
  await new Promise((resolve) => setTimeout(resolve, 400))
  t.equal(current.naks, naks, 'a 200-byte noise line gets no NAK')
  current.writeRaw('~'.repeat(150) + encodeFrame({ type: 'RATE', boot: 1, seq: 1, button: 1, ageMs: 0 }))
  await waitFor('the rating of the frame after the noise', async () => (await ratings()).length === 1)
  t.equal(current.naks, naks, 'and no NAK for it either')
  t.ok(bridge.status().ports[0]!.noiseBytes >= 350, 'the noise was counted')
})

t.test('an API outage: retries back off with jitter, not one per press', async (t) => {
  const dir = await tempFolder(t)
  const serial = `HL-OUT-${++boxes}`
  const { token, ratings } = await terminal()
  // An API that refuses every connection: counts the attempts.
  let attempts = 0
  const sockets = new Set<Socket>()
  const down = createServer((socket) => { attempts++; sockets.add(socket); socket.destroy() })
  await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => down.close(() => resolve())))
  const apiUrl = `http://127.0.0.1:${(down.address() as { port: number }).port}`
  const cable = await line(t, dir, 'a')
  const bridge = await startBridge(t, dir, [cable.pty.bridgePath], [{ serial, token }], apiUrl, { retryMs: 1000, maxRetryMs: 4000 })
  const current = box(serial, 1)
  await cable.plugBox(current)
  await waitFor('the bridge to know the box', () => bridge.status().ports[0]!.box === serial)
  // The token check at HELLO fails too; count from the first press on.
  await new Promise((resolve) => setTimeout(resolve, 500))
  const started = attempts
  // A busy counter: 20 presses in 3 s during the outage.
  for (let i = 0; i < 20; i++) {
    current.press(1 + (i % 4))
    await new Promise((resolve) => setTimeout(resolve, 150))
  }
  await waitFor('all 20 presses safe in the outbox', () => bridge.status().pending === 20)
  t.ok(attempts - started <= 6, `${attempts - started} delivery attempts in 3 s of 20 presses (back-off 0.5–1 s, 1–2 s, 2–4 s)`)
  t.equal(bridge.status().online, false)
  t.equal((await ratings()).length, 0)
})

t.test('pairing at HELLO: a wrong code shows red at once, with no press, and the other box stays ready', async (t) => {
  const dir = await tempFolder(t)
  const wrong = `HL-BADCODE-${++boxes}`
  const good = `HL-GOOD-${++boxes}`
  const { token, ratings } = await terminal()
  const a = await line(t, dir, 'a')
  const b = await line(t, dir, 'b')
  const bridge = await startBridge(t, dir, [a.pty.bridgePath, b.pty.bridgePath], [{ serial: wrong, pairingCode: 'WRNG-CODE' }, { serial: good, token }])
  const badBox = box(wrong, 1)
  const goodBox = box(good, 1)
  await a.plugBox(badBox)
  await b.plugBox(goodBox)
  await waitFor('the box with the wrong code to show red before any press', () => badBox.leds.at(-1) === 'ERROR')
  t.equal(badBox.sends, 0, 'no press was needed to find out')
  goodBox.press(1)
  await waitFor('the other box\'s rating', async () => (await ratings()).length === 1)
  await waitFor('the outbox to drain', () => bridge.status().pending === 0)
  t.equal(bridge.status().online, true, 'the bridge is not marked offline')
  t.notOk(goodBox.leds.includes('OFFLINE'), 'the other box never showed offline')
  t.notOk(goodBox.leds.includes('ERROR'), 'nor red')
})

t.test('pairing at HELLO: a right code pairs before the first press', async (t) => {
  const dir = await tempFolder(t)
  const serial = `HL-PAIR-${++boxes}`
  const { hashToken } = await import('../../api/services/secrets.ts')
  const counter = await app.db.selectFrom('counters').select(['id', 'unit_id']).orderBy('id').executeTakeFirstOrThrow()
  const pending = await app.db.insertInto('terminals').values({
    unit_id: counter.unit_id, counter_id: counter.id, kind: 'button', name: 'Hộp nút', token_hash: null,
    pairing_code_hash: hashToken('P4IR9X2K'), pairing_expires_at: new Date(Date.now() + 15 * 60_000), paired_at: null, revoked_at: null, last_seen_at: null
  }).returning('id').executeTakeFirstOrThrow()
  const cable = await line(t, dir, 'a')
  await startBridge(t, dir, [cable.pty.bridgePath], [{ serial, pairingCode: 'P4IR-9X2K' }])
  const current = box(serial, 1)
  await cable.plugBox(current)
  await waitFor('the terminal paired', async () => (await app.db.selectFrom('terminals').select('paired_at').where('id', '=', pending.id).executeTakeFirstOrThrow()).paired_at !== null)
  t.equal(current.sends, 0, 'paired at HELLO, before any press')
  t.notOk(current.leds.includes('ERROR'))
})
