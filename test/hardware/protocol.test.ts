// HL1 frames: encoding, decoding, and a parser fed through a mock serial port that never crashes on bad input.
import t, { type Test } from 'tap'
import fc from 'fast-check'
import { SerialPortMock } from 'serialport'
import { crc16, decodeLine, encodeFrame, MAX_LINE_LENGTH, type Frame, type InvalidLine } from '../../hardware/protocol/frames.ts'
import { FrameParser } from '../../hardware/protocol/parser.ts'
import { FrameEncoder } from '../../hardware/protocol/encoder.ts'

t.test('CRC-16/XMODEM matches the published check value', async (t) => {
  t.equal(crc16('123456789'), 0x31c3)
  t.equal(encodeFrame({ type: 'ACK', boot: 7, seq: 42 }), `$ACK,7,42*${crc16('ACK,7,42').toString(16).toUpperCase().padStart(4, '0')}\n`)
})

const uint = fc.integer({ min: 0, max: 0xffffffff })
const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ type: fc.constant('HELLO' as const), version: fc.constant('HL1'), serial: fc.stringMatching(/^[A-Za-z0-9-]{1,16}$/), firmware: fc.stringMatching(/^[0-9a-z.]{1,12}$/), boot: uint, buttons: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ type: fc.constant('RATE' as const), boot: uint, seq: uint, button: fc.integer({ min: 1, max: 9 }), ageMs: uint }),
  fc.record({ type: fc.constant('BEAT' as const), boot: uint, uptimeS: uint, queued: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ type: fc.constant('ACK' as const), boot: uint, seq: uint }),
  fc.record({ type: fc.constant('NAK' as const), reason: fc.constantFrom('CHECKSUM' as const, 'TOOLONG' as const, 'NOHELLO' as const) }),
  fc.record({
    type: fc.constant('LED' as const),
    pattern: fc.constantFrom('READY' as const, 'THANKS' as const, 'OFFLINE' as const, 'ERROR' as const)
  }),
  fc.record({ type: fc.constant('WHO' as const) })
)

t.test('every frame survives an encode/decode round trip and fits a line', async (t) => {
  fc.assert(fc.property(frameArb, (frame) => {
    const line = encodeFrame(frame)
    return line.length - 1 <= MAX_LINE_LENGTH && JSON.stringify(decodeLine(line.slice(0, -1))) === JSON.stringify(frame)
  }), { numRuns: 500 })
  t.pass('500 random frames')
})

t.test('a flipped character is caught by the checksum or the syntax', async (t) => {
  fc.assert(fc.property(frameArb, fc.nat(), fc.integer({ min: 1, max: 127 }), (frame, at, flip) => {
    const line = encodeFrame(frame).slice(0, -1)
    const i = 1 + (at % (line.length - 1))
    const changed = line.slice(0, i) + String.fromCharCode(line.charCodeAt(i) ^ flip) + line.slice(i + 1)
    return decodeLine(changed).type === 'INVALID' || changed.lastIndexOf('$') !== 0
  }), { numRuns: 1000 })
  t.pass()
})

t.test('the encoder refuses frames outside the protocol and bad options', async (t) => {
  t.throws(() => encodeFrame({ type: 'RATE', boot: 1, seq: -1, button: 1, ageMs: 0 }), TypeError)
  t.throws(() => encodeFrame({ type: 'HELLO', version: 'HL1', serial: 'bad serial!', firmware: '1', boot: 1, buttons: 4 }), TypeError)
  t.throws(() => new FrameEncoder({ lineEnd: ';' as '\n' }), TypeError)
  t.throws(() => new FrameParser({ maxLineLength: 2 }), TypeError)
  const encoder = new FrameEncoder()
  const failed = new Promise<Error>((resolve) => encoder.on('error', resolve))
  encoder.write({ type: 'LED', pattern: 'DISCO' } as unknown as Frame)
  t.type(await failed, TypeError)
})

/** Opens a mock port, pipes it through a parser, feeds it bytes as if the box sent them. */
async function mockLine (t: Test): Promise<{ port: SerialPortMock, parser: FrameParser, received: Array<Frame | InvalidLine> }> {
  const path = `/dev/ttyMOCK${Math.floor(Math.random() * 1e9)}`
  SerialPortMock.binding.createPort(path, { echo: false, record: true })
  const port = new SerialPortMock({ path, baudRate: 9600 })
  await new Promise<void>((resolve, reject) => port.on('open', resolve).on('error', reject))
  const parser = port.pipe(new FrameParser())
  const received: Array<Frame | InvalidLine> = []
  parser.on('data', (frame: Frame | InvalidLine) => received.push(frame))
  t.teardown(() => new Promise<void>((resolve) => port.isOpen ? port.close(() => resolve()) : resolve()))
  return { port, parser, received }
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20))

t.test('a parser on a mock port: frames split anywhere, noise, bad checksums and overlong lines', async (t) => {
  const { port, parser, received } = await mockLine(t)
  const rate = encodeFrame({ type: 'RATE', boot: 3, seq: 1, button: 2, ageMs: 150 })
  // One frame in three chunks, split mid-checksum.
  port.port!.emitData(Buffer.from(rate.slice(0, 5)))
  port.port!.emitData(Buffer.from(rate.slice(5, -3)))
  port.port!.emitData(Buffer.from(rate.slice(-3)))
  // Bytes of a box resetting, then a frame on the same line after the noise.
  port.port!.emitData(Buffer.from([0x00, 0xff, 0xfe, 0x13]))
  port.port!.emitData(Buffer.from(encodeFrame({ type: 'BEAT', boot: 3, uptimeS: 10, queued: 0 }).replace('\n', '\r\n')))
  port.port!.emitData(Buffer.from('plain noise without a frame start\n'))
  port.port!.emitData(Buffer.from(rate.replace(/\*[0-9A-F]{4}/, '*0000')))
  port.port!.emitData(Buffer.from('$' + 'R'.repeat(5000) + '\n'))
  port.port!.emitData(Buffer.from('$FROB,1*' + crc16('FROB,1').toString(16).toUpperCase().padStart(4, '0') + '\n'))
  port.port!.emitData(Buffer.from(encodeFrame({ type: 'RATE', boot: 3, seq: 2, button: 1, ageMs: 0 })))
  await settle()
  t.same(received.map((frame) => frame.type === 'INVALID' ? `INVALID ${frame.reason}` : frame.type),
    ['RATE', 'BEAT', 'INVALID CHECKSUM', 'INVALID TOOLONG', 'INVALID UNKNOWN', 'RATE'])
  t.same(received[0], { type: 'RATE', boot: 3, seq: 1, button: 2, ageMs: 150 })
  t.same(received[5], { type: 'RATE', boot: 3, seq: 2, button: 1, ageMs: 0 })
  t.match(parser.stats, { frames: 3, checksum: 1, tooLong: 1, unknown: 1 })
  t.ok(parser.stats.noiseBytes >= 4 + 33, 'noise is counted')
})

t.test('an encoder writes checksummed lines to a mock port', async (t) => {
  const { port } = await mockLine(t)
  const encoder = new FrameEncoder()
  encoder.pipe(port)
  encoder.write({ type: 'ACK', boot: 9, seq: 3 })
  encoder.write({ type: 'LED', pattern: 'THANKS' })
  await settle()
  const answer = encodeFrame({ type: 'ACK', boot: 9, seq: 3 }) + encodeFrame({ type: 'LED', pattern: 'THANKS' })
  t.equal(port.port!.recording.toString('latin1'), answer)
})

t.test('random bytes never crash the parser, and a good frame after them still decodes', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
    const parser = new FrameParser()
    const out: Array<Frame | InvalidLine> = []
    parser.on('data', (frame: Frame | InvalidLine) => out.push(frame))
    parser.write(Buffer.from(bytes))
    parser.write('\n' + encodeFrame({ type: 'WHO' }))
    return out.at(-1)?.type === 'WHO'
  }), { numRuns: 300 })
  t.pass()
})
