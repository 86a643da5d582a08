// Presses an installation would lose without a trace (issue 18), each over socat ptys into the real app: boot counter going back, one
// serial on two ports, a late retransmit, DTR reset on open, long noise.
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { build } from '../helper.ts'
import type { BoxSpec } from '../../hardware/bridge/config.ts'
import { ratingId } from '../../hardware/bridge/rating-id.ts'
import { encodeFrame } from '../../hardware/protocol/frames.ts'
import { tempFolder, waitFor } from './serial-line.ts'
import { buttonTerminal, line, simulatedBox, startBridge as startBridgeOn } from './installer-rig.ts'

const run = promisify(execFile)
const app = await build(t)
const listening = await app.listen({ port: 0, host: '127.0.0.1' })
let boxes = 0

const terminal = (): ReturnType<typeof buttonTerminal> => buttonTerminal(app)
const startBridge = (
  t: Test, dir: string, paths: string[], boxSpecs: BoxSpec[], apiUrl = listening, extra: Record<string, unknown> = {}
): ReturnType<typeof startBridgeOn> => startBridgeOn(t, dir, paths, boxSpecs, apiUrl, extra)
const box = simulatedBox

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
  const ids = rows.map((row) => row.id)
  t.ok(ids.includes(ratingId(serial, 1, 1)) && ids.includes(ratingId(serial, 1, 1, 1)), 'the new epoch has ids of its own')
  const state = JSON.parse(await readFile(join(dir, 'data', 'state.json'), 'utf8')) as
    { boxes: Record<string, { epoch: number, boot: number }> }
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
