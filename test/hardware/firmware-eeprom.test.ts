// The firmware in simavr keeps unacknowledged presses in EEPROM: a reset or a power cut (DTR on port open, USB unplugged) before the bridge
// acknowledges them loses none.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { SerialPort } from 'serialport'
import { build } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'
import { Bridge } from '../../hardware/bridge/bridge.ts'
import { parseBridgeConfig } from '../../hardware/bridge/config.ts'
import { ratingId } from '../../hardware/bridge/rating-id.ts'
import type { Frame, InvalidLine } from '../../hardware/protocol/frames.ts'
import { FrameParser } from '../../hardware/protocol/parser.ts'
import { tempFolder, waitFor } from './serial-line.ts'
import { startSimavr } from './simavr.ts'

const run = promisify(execFile)
const buildDir = await tempFolder(t, 'hl-fw-')
const SERIAL = 'HL-FW-0077'
const [app] = await Promise.all([
  build(t),
  run('make', ['-C', join(import.meta.dirname, '../../hardware/firmware'), `BUILD=${buildDir}`, `BOX_SERIAL=${SERIAL}`, 'all', 'sim'],
    { timeout: 90_000 })
])
const listening = await app.listen({ port: 0, host: '127.0.0.1' })

t.test('presses made with no bridge survive a power cut in EEPROM and are delivered with their own boot and seq', async (t) => {
  const { terminal } = await seedCentre(app.db, { terminalKind: 'button' })
  const dir = await tempFolder(t)
  const eeprom = join(dir, 'eeprom.bin')
  const link = join(dir, 'ttyBOX')
  const ratings = (): Promise<Array<{ id: string, level: number }>> =>
    app.db.selectFrom('ratings').select(['id', 'level']).where('terminal_id', '=', terminal.id).execute()

  // Boot 1: nobody listens (the bridge PC is off); three presses wait on the box.
  let mcu = await startSimavr(t, buildDir, eeprom, link)
  for (const button of [1, 3, 2]) {
    mcu.press(button)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  // Listen without answering until the box says it holds the three (its heartbeat counts them): on a
  // loaded machine simavr may run behind the wall clock, and the cut must come after the presses.
  const port = new SerialPort({ path: link, baudRate: 9600, autoOpen: false })
  await new Promise<void>((resolve, reject) => port.open((error) => error === null ? resolve() : reject(error)))
  const heard: Array<Frame | InvalidLine> = []
  port.pipe(new FrameParser()).on('data', (frame: Frame | InvalidLine) => heard.push(frame))
  await waitFor('a heartbeat with 3 presses waiting', () => heard.some((frame) => frame.type === 'BEAT' && frame.queued === 3), 30_000)
  await new Promise<void>((resolve) => port.close(() => resolve()))
  // The USB cable is pulled (or the bridge opens the port and DTR resets the board): power gone.
  await mcu.quit()

  // Boot 2: the bridge is there now.
  mcu = await startSimavr(t, buildDir, eeprom, link)
  const boxes = [{ serial: SERIAL, token: terminal.token }]
  const config = parseBridgeConfig({
    apiUrl: listening, dataDir: join(dir, 'data'), ports: [{ path: link }], boxes, reopenMs: 100, retryMs: 100, maxRetryMs: 400
  })
  const bridge = new Bridge({ config, portClass: SerialPort })
  t.teardown(() => bridge.stop())
  await bridge.start()
  await waitFor('the three presses of boot 1', async () => (await ratings()).length === 3, 30_000)
  mcu.press(4)
  await waitFor('the press of boot 2', async () => (await ratings()).length === 4, 20_000)
  const rows = await ratings()
  const expected = [ratingId(SERIAL, 1, 1), ratingId(SERIAL, 1, 2), ratingId(SERIAL, 1, 3), ratingId(SERIAL, 2, 1)]
  t.same(rows.map((row) => row.id).sort(), expected.sort(), 'each press once, with the boot it was made in')
  // Three stdin lines may reach a simavr running behind in one step: their order is the debouncer's, their levels are 4, 2, 3.
  const bootOne = new Set([1, 2, 3].map((seq) => ratingId(SERIAL, 1, seq)))
  t.same(rows.filter((row) => bootOne.has(row.id)).map((row) => row.level).sort(), [2, 3, 4], 'buttons 1, 3, 2 of boot 1')
  t.equal(rows.find((row) => row.id === ratingId(SERIAL, 2, 1))?.level, 1, 'button 4 of boot 2')
  await waitFor('the outbox to drain', () => bridge.status().pending === 0)

  // Acknowledged presses are marked done in EEPROM: a third boot sends none of them again.
  await mcu.quit()
  mcu = await startSimavr(t, buildDir, eeprom, link)
  await waitFor('the bridge to hear boot 3', () => bridge.status().ports[0]!.open && bridge.status().ports[0]!.box === SERIAL, 10_000)
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal((await ratings()).length, 4, 'nothing resent after the reboot')
  t.equal(bridge.status().pending, 0)
  await mcu.quit()
})
