// Transform stream: protocol frame objects in, checksummed ASCII lines out, ready to write to a serial port.
import { Transform, type TransformCallback, type TransformOptions } from 'node:stream'
import createDebug from 'debug'
import { encodeFrame, type Frame } from './frames.ts'

const log = createDebug('hailong:hardware:encoder')

export interface FrameEncoderOptions extends Omit<TransformOptions, 'readableObjectMode' | 'writableObjectMode' | 'transform'> {
  /** Line end after each frame: `\n` (default) or `\r\n` for terminal programs. */
  lineEnd?: '\n' | '\r\n'
}

/** Encodes each written frame; a frame out of the protocol's ranges fails the write with a TypeError. */
export class FrameEncoder extends Transform {
  readonly lineEnd: '\n' | '\r\n'

  constructor (options: FrameEncoderOptions = {}) {
    const { lineEnd = '\n', ...rest } = options
    if (lineEnd !== '\n' && lineEnd !== '\r\n') throw new TypeError('lineEnd must be "\\n" or "\\r\\n"')
    super({ ...rest, writableObjectMode: true, readableObjectMode: false })
    this.lineEnd = lineEnd
  }

  override _transform (frame: Frame, _encoding: BufferEncoding, callback: TransformCallback): void {
    let line: string
    try {
      line = encodeFrame(frame)
    } catch (error) {
      callback(error as Error)
      return
    }
    log('→ %s', line.trimEnd())
    callback(null, Buffer.from(this.lineEnd === '\n' ? line : line.replace(/\n$/, '\r\n'), 'latin1'))
  }
}
