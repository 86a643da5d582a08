// The bridge and the API during an installation (issue 18), over socat ptys into the real app: retries during an outage, pairing at HELLO.
import { createServer } from 'node:net'
import t, { type Test } from 'tap'
import { build } from '../helper.ts'
import type { BoxSpec } from '../../hardware/bridge/config.ts'
import { tempFolder, waitFor } from './serial-line.ts'
import { buttonTerminal, line, simulatedBox, startBridge as startBridgeOn } from './installer-rig.ts'

const app = await build(t)
const listening = await app.listen({ port: 0, host: '127.0.0.1' })
let boxes = 0

const terminal = (): ReturnType<typeof buttonTerminal> => buttonTerminal(app)
const startBridge = (
  t: Test, dir: string, paths: string[], boxSpecs: BoxSpec[], apiUrl = listening, extra: Record<string, unknown> = {}
): ReturnType<typeof startBridgeOn> => startBridgeOn(t, dir, paths, boxSpecs, apiUrl, extra)
const box = simulatedBox

t.test('an API outage: retries back off with jitter, not one per press', async (t) => {
  const dir = await tempFolder(t)
  const serial = `HL-OUT-${++boxes}`
  const { token, ratings } = await terminal()
  // An API that refuses every connection: counts the attempts.
  let attempts = 0
  const down = createServer((socket) => { attempts++; socket.destroy() })
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
  const specs = [{ serial: wrong, pairingCode: 'WRNG-CODE' }, { serial: good, token }]
  const bridge = await startBridge(t, dir, [a.pty.bridgePath, b.pty.bridgePath], specs)
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
  const { hashPairingCode } = await import('../../api/lib/secrets.ts')
  const counter = await app.db.selectFrom('counters').select(['id', 'unit_id']).orderBy('id').executeTakeFirstOrThrow()
  const pending = await app.db.insertInto('terminals').values({
    unit_id: counter.unit_id,
    counter_id: counter.id,
    kind: 'button',
    name: 'Hộp nút',
    token_hash: null,
    pairing_code_hash: hashPairingCode('P4IR9X2K', app.config.pairingSecret!),
    pairing_expires_at: new Date(Date.now() + 15 * 60_000),
    paired_at: null,
    revoked_at: null,
    last_seen_at: null
  }).returning('id').executeTakeFirstOrThrow()
  const cable = await line(t, dir, 'a')
  await startBridge(t, dir, [cable.pty.bridgePath], [{ serial, pairingCode: 'P4IR-9X2K' }])
  const current = box(serial, 1)
  await cable.plugBox(current)
  const pairedAt = async (): Promise<Date | null> =>
    (await app.db.selectFrom('terminals').select('paired_at').where('id', '=', pending.id).executeTakeFirstOrThrow()).paired_at
  await waitFor('the terminal paired', async () => (await pairedAt()) !== null)
  t.equal(current.sends, 0, 'paired at HELLO, before any press')
  await waitFor('the box to show ready', () => current.leds.at(-1) === 'READY')
  t.notOk(current.leds.includes('ERROR'))
})
