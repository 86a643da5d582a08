// The noise rule as docs/hardware.md states it: a line without `$` is never answered whatever its length; bytes before the last `$` never
// cost the frame after them.
import t from 'tap'
import { encodeFrame, type Frame, type InvalidLine } from '../../hardware/protocol/frames.ts'
import { FrameParser } from '../../hardware/protocol/parser.ts'
import { retryDelay } from '../../hardware/bridge/backoff.ts'

function parse (...chunks: string[]): Array<Frame | InvalidLine> {
  const parser = new FrameParser()
  const out: Array<Frame | InvalidLine> = []
  parser.on('data', (frame: Frame | InvalidLine) => out.push(frame))
  for (const chunk of chunks) parser.write(chunk)
  return out
}

const rate = encodeFrame({ type: 'RATE', boot: 2, seq: 5, button: 3, ageMs: 10 })

t.test('noise lines of any length are dropped silently', async (t) => {
  t.same(parse('x'.repeat(81) + '\n', 'y'.repeat(5000) + '\r\n'), [])
  // Arriving in small pieces, as a serial port delivers it.
  t.same(parse(...Array.from({ length: 40 }, () => 'noise '), '\n'), [])
})

t.test('a frame after long noise on its line is taken, in one chunk or many', async (t) => {
  t.same(parse('~'.repeat(300) + rate), [{ type: 'RATE', boot: 2, seq: 5, button: 3, ageMs: 10 }])
  t.same(parse(...Array.from({ length: 30 }, () => '~~~~~~~~~~'), rate), [{ type: 'RATE', boot: 2, seq: 5, button: 3, ageMs: 10 }])
})

t.test('a frame start followed by more than 80 characters is TOOLONG; a frame after it on the same line still counts', async (t) => {
  const out = parse('$' + 'A'.repeat(100), rate)
  t.same(out.map((frame) => frame.type === 'INVALID' ? frame.reason : frame.type), ['TOOLONG', 'RATE'])
})

t.test('retry waits: equal jitter between half and all of a doubling ceiling, capped', async (t) => {
  t.equal(retryDelay(0, 1000, 30_000, () => 0), 500)
  t.equal(retryDelay(0, 1000, 30_000, () => 1), 1000)
  t.equal(retryDelay(3, 1000, 30_000, () => 0.5), 6000)
  t.equal(retryDelay(40, 1000, 30_000, () => 1), 30_000, 'capped at maxRetryMs')
  t.equal(retryDelay(40, 1000, 30_000, () => 0), 15_000)
})
