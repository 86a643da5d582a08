// The firmware Makefile: a change of options rebuilds the image, and options the box cannot have are refused at build time.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { SerialPort } from 'serialport'
import { FrameParser } from '../../hardware/protocol/parser.ts'
import type { Frame, InvalidLine } from '../../hardware/protocol/frames.ts'
import { tempFolder, waitFor } from './serial-line.ts'
import { startSimavr } from './simavr.ts'

const run = promisify(execFile)
const firmwareDir = join(import.meta.dirname, '../../hardware/firmware')
const make = (buildDir: string, ...options: string[]): ReturnType<typeof run> =>
  run('make', ['-C', firmwareDir, `BUILD=${buildDir}`, ...options, 'all', 'sim'], { timeout: 90_000 })

t.test('make BOX_SERIAL=… BOX_BUTTONS=… after a default build: the box says the new serial and button count, and takes a frame after long noise', async (t) => {
  const buildDir = await tempFolder(t, 'hl-fw-')
  await make(buildDir)
  await make(buildDir, 'BOX_SERIAL=HL-0001', 'BOX_BUTTONS=3')
  const dir = await tempFolder(t)
  const link = join(dir, 'tty')
  const mcu = await startSimavr(t, buildDir, join(dir, 'eeprom.bin'), link)
  const port = new SerialPort({ path: link, baudRate: 9600, autoOpen: false })
  await new Promise<void>((resolve, reject) => port.open((error) => error === null ? resolve() : reject(error)))
  t.teardown(() => new Promise<void>((resolve) => port.isOpen ? port.close(() => resolve()) : resolve()))
  const frames: Array<Frame | InvalidLine> = []
  port.pipe(new FrameParser()).on('data', (frame: Frame | InvalidLine) => frames.push(frame))
  port.write('$WHO*' + '0000\n') // a bad checksum is ignored; the real WHO follows
  const { encodeFrame } = await import('../../hardware/protocol/frames.ts')
  port.write(encodeFrame({ type: 'WHO' }))
  await waitFor('HELLO', () => frames.some((frame) => frame.type === 'HELLO'), 10_000)
  t.match(frames.find((frame) => frame.type === 'HELLO'), { serial: 'HL-0001', buttons: 3 })
  // The noise rule in the firmware too: 200 bytes of noise, then a frame on the same line, is obeyed.
  t.notOk(mcu.leds.get('red')?.includes(1), 'red is off')
  port.write('~'.repeat(200) + encodeFrame({ type: 'LED', pattern: 'ERROR' }))
  await waitFor('the red LED, from the frame after the noise', () => mcu.leds.get('red')?.at(-1) === 1, 10_000)
  const again = await make(buildDir, 'BOX_SERIAL=HL-0001', 'BOX_BUTTONS=3')
  t.notMatch(again.stdout, /avr-gcc/, 'the same options again: nothing rebuilt')
  await mcu.quit()
})

t.test('options the box cannot have stop the build with a message', async (t) => {
  const buildDir = await tempFolder(t, 'hl-fw-')
  const refusal = async (...options: string[]): Promise<string> =>
    make(buildDir, ...options).then(() => 'built', (error: { stderr?: string }) => error.stderr ?? '')
  t.match(await refusal('BOX_BUTTONS=9'), /BOX_BUTTONS=9: a box has 3, 4 or 5 buttons/)
  t.match(await refusal('BOX_BUTTONS=2'), /a box has 3, 4 or 5 buttons/)
  t.match(await refusal('BOX_SERIAL=HL 0001!'), /BOX_SERIAL=HL 0001!: 1-16 letters, digits or dashes/)
  t.match(await refusal('BOX_SERIAL=HL-00000000000000001'), /1-16 letters/)
})
