// Transform stream: serial bytes in, protocol frames (or the reason a line was refused) out; never throws on input.
import { Transform, type TransformCallback, type TransformOptions } from 'node:stream'
import createDebug from 'debug'
import { decodeLine, MAX_LINE_LENGTH, type Frame, type InvalidLine } from './frames.ts'

const log = createDebug('hailong:hardware:parser')

export interface FrameParserOptions extends Omit<TransformOptions, 'readableObjectMode' | 'writableObjectMode' | 'transform' | 'flush'> {
  /** Longest line accepted, in bytes, without its line end; longer lines are refused as TOOLONG. Default MAX_LINE_LENGTH. */
  maxLineLength?: number
}

/** What the parser has seen: refused lines are counted, not fatal. */
export interface FrameParserStats {
  frames: number
  checksum: number
  tooLong: number
  syntax: number
  unknown: number
  /** Bytes on lines holding no `$` at all (line noise, a box resetting), dropped silently. */
  noiseBytes: number
}

/**
 * Splits on `\n` (a `\r` before it is dropped) and decodes each line. Pushes a `Frame` or an
 * `InvalidLine` for every line that holds a frame start `$`; lines without one are counted as noise.
 */
export class FrameParser extends Transform {
  readonly stats: FrameParserStats = { frames: 0, checksum: 0, tooLong: 0, syntax: 0, unknown: 0, noiseBytes: 0 }
  readonly maxLineLength: number
  private line = ''
  private discarding = false

  constructor (options: FrameParserOptions = {}) {
    const { maxLineLength = MAX_LINE_LENGTH, ...rest } = options
    if (!Number.isInteger(maxLineLength) || maxLineLength < 8 || maxLineLength > 4096) {
      throw new TypeError('maxLineLength must be an integer from 8 to 4096')
    }
    super({ ...rest, readableObjectMode: true, writableObjectMode: false })
    this.maxLineLength = maxLineLength
  }

  override _transform (chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1')
    let from = 0
    while (from < text.length) {
      const end = text.indexOf('\n', from)
      const piece = text.slice(from, end === -1 ? text.length : end)
      from = end === -1 ? text.length : end + 1
      if (this.discarding) {
        // After an overlong frame: the rest is noise, unless a new frame starts on the same line.
        const start = piece.lastIndexOf('$')
        this.stats.noiseBytes += start === -1 ? piece.length : start
        if (start !== -1) { this.discarding = false; this.addToLine(piece.slice(start)) }
      } else {
        this.addToLine(piece)
      }
      if (end !== -1) {
        if (!this.discarding) this.finishLine(this.line)
        this.line = ''
        this.discarding = false
      }
    }
    callback()
  }

  /** Adds bytes of the current line, keeping only what can still be a frame. */
  private addToLine (piece: string): void {
    this.line += piece
    // Keep only the tail from the last frame start: noise ahead of it can never matter, however long.
    const start = this.line.lastIndexOf('$')
    if (start > 0) { this.stats.noiseBytes += start; this.line = this.line.slice(start) }
    // No frame start yet: all noise, counted and dropped as it comes (never answered, never TOOLONG).
    if (start === -1) { this.stats.noiseBytes += this.line.length; this.line = '' }
    if (this.line.length > this.maxLineLength + 1) {
      this.refuse({ type: 'INVALID', reason: 'TOOLONG', line: this.line.slice(0, 32) })
      this.line = ''
      this.discarding = true
    }
  }

  override _flush (callback: TransformCallback): void {
    this.line = ''
    callback()
  }

  private finishLine (raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (line.length === 0) return
    if (!line.includes('$')) { this.stats.noiseBytes += line.length; return }
    const decoded = decodeLine(line)
    if (decoded.type === 'INVALID') { this.refuse(decoded); return }
    this.stats.frames++
    this.push(decoded satisfies Frame)
  }

  private refuse (invalid: InvalidLine): void {
    const counter = ({ CHECKSUM: 'checksum', TOOLONG: 'tooLong', SYNTAX: 'syntax', UNKNOWN: 'unknown' } as const)[invalid.reason]
    this.stats[counter]++
    log('refused line (%s): %j', invalid.reason, invalid.line)
    this.push(invalid)
  }
}
