// The button-box serial protocol, version HL1: frame types, CRC-16 checksum, line encoding and decoding.

/** Protocol version carried in HELLO; a bridge refuses a box speaking another one. */
export const PROTOCOL_VERSION = 'HL1'
/** Longest line (start marker to checksum, without the line end) either side accepts. */
export const MAX_LINE_LENGTH = 80

export type LedPattern = 'READY' | 'THANKS' | 'OFFLINE' | 'ERROR'
export const LED_PATTERNS: readonly LedPattern[] = ['READY', 'THANKS', 'OFFLINE', 'ERROR']
export type NakReason = 'CHECKSUM' | 'TOOLONG' | 'SYNTAX' | 'UNKNOWN' | 'NOHELLO' | 'VERSION' | 'BUSY'
export const NAK_REASONS: readonly NakReason[] = ['CHECKSUM', 'TOOLONG', 'SYNTAX', 'UNKNOWN', 'NOHELLO', 'VERSION', 'BUSY']

/** Box → bridge: who I am, sent at boot and in answer to WHO. */
export interface HelloFrame { type: 'HELLO', version: string, serial: string, firmware: string, boot: number, buttons: number }
/** Box → bridge: a press of button `button` (1 = leftmost = highest level), `ageMs` ago. */
export interface RateFrame { type: 'RATE', boot: number, seq: number, button: number, ageMs: number }
/** Box → bridge: still alive; `queued` presses wait for an ACK. */
export interface BeatFrame { type: 'BEAT', boot: number, uptimeS: number, queued: number }
/** Bridge → box: RATE (boot, seq) is safely stored; drop it from the queue. */
export interface AckFrame { type: 'ACK', boot: number, seq: number }
/** Bridge → box: the last line could not be used. */
export interface NakFrame { type: 'NAK', reason: NakReason }
/** Bridge → box: show an LED pattern. */
export interface LedFrame { type: 'LED', pattern: LedPattern }
/** Bridge → box: send HELLO. */
export interface WhoFrame { type: 'WHO' }

export type BoxFrame = HelloFrame | RateFrame | BeatFrame
export type BridgeFrame = AckFrame | NakFrame | LedFrame | WhoFrame
export type Frame = BoxFrame | BridgeFrame
export type FrameType = Frame['type']

/** A line that was not a usable frame, and why. */
export interface InvalidLine { type: 'INVALID', reason: Exclude<NakReason, 'NOHELLO' | 'VERSION' | 'BUSY'>, line: string }

const UINT32_MAX = 0xffffffff
const SERIAL_PATTERN = /^[A-Za-z0-9-]{1,16}$/
const FIRMWARE_PATTERN = /^[0-9A-Za-z.-]{1,12}$/
const DECIMAL_PATTERN = /^(0|[1-9][0-9]{0,9})$/

/** CRC-16/XMODEM (poly 0x1021, init 0): what avr-libc's `_crc_xmodem_update` computes on the box. */
export function crc16 (text: string): number {
  let crc = 0
  for (let i = 0; i < text.length; i++) {
    crc ^= (text.charCodeAt(i) & 0xff) << 8
    for (let bit = 0; bit < 8; bit++) {
      crc = (crc & 0x8000) !== 0 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
    }
  }
  return crc
}

function hex4 (value: number): string {
  return value.toString(16).toUpperCase().padStart(4, '0')
}

function fieldsOf (frame: Frame): Array<string | number> {
  switch (frame.type) {
    case 'HELLO': return [frame.version, frame.serial, frame.firmware, frame.boot, frame.buttons]
    case 'RATE': return [frame.boot, frame.seq, frame.button, frame.ageMs]
    case 'BEAT': return [frame.boot, frame.uptimeS, frame.queued]
    case 'ACK': return [frame.boot, frame.seq]
    case 'NAK': return [frame.reason]
    case 'LED': return [frame.pattern]
    case 'WHO': return []
  }
}

/** `$BODY*CRC\n`, where CRC is the CRC-16 of BODY in four upper-case hex digits. Throws TypeError on a frame it cannot send. */
export function encodeFrame (frame: Frame): string {
  const problem = frameProblem(frame)
  if (problem !== null) throw new TypeError(`cannot encode ${frame.type} frame: ${problem}`)
  const body = [frame.type, ...fieldsOf(frame)].join(',')
  return `$${body}*${hex4(crc16(body))}\n`
}

function isUint (value: unknown, max = UINT32_MAX): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max
}

/** Why a frame is out of the protocol's ranges, or null when it is fine. */
export function frameProblem (frame: Frame): string | null {
  switch (frame.type) {
    case 'HELLO':
      if (frame.version !== PROTOCOL_VERSION && !/^HL[0-9]{1,3}$/.test(frame.version)) return 'version'
      if (!SERIAL_PATTERN.test(frame.serial)) return 'serial'
      if (!FIRMWARE_PATTERN.test(frame.firmware)) return 'firmware'
      if (!isUint(frame.boot)) return 'boot'
      if (!isUint(frame.buttons, 9) || frame.buttons < 1) return 'buttons'
      return null
    case 'RATE':
      if (!isUint(frame.boot)) return 'boot'
      if (!isUint(frame.seq)) return 'seq'
      if (!isUint(frame.button, 9) || frame.button < 1) return 'button'
      if (!isUint(frame.ageMs)) return 'ageMs'
      return null
    case 'BEAT':
      if (!isUint(frame.boot)) return 'boot'
      if (!isUint(frame.uptimeS)) return 'uptimeS'
      if (!isUint(frame.queued, 255)) return 'queued'
      return null
    case 'ACK':
      if (!isUint(frame.boot)) return 'boot'
      if (!isUint(frame.seq)) return 'seq'
      return null
    case 'NAK': return NAK_REASONS.includes(frame.reason) ? null : 'reason'
    case 'LED': return LED_PATTERNS.includes(frame.pattern) ? null : 'pattern'
    case 'WHO': return null
    default: return 'type'
  }
}

function uint (text: string | undefined): number | null {
  if (text === undefined || !DECIMAL_PATTERN.test(text)) return null
  const value = Number(text)
  return value <= UINT32_MAX ? value : null
}

function build (fields: string[]): Frame | null {
  const [type, ...rest] = fields
  const n = (i: number): number | null => uint(rest[i])
  const arity: Record<FrameType, number> = { HELLO: 5, RATE: 4, BEAT: 3, ACK: 2, NAK: 1, LED: 1, WHO: 0 }
  if (type === undefined || !(type in arity) || rest.length !== arity[type as FrameType]) return null
  let frame: Frame | null = null
  switch (type as FrameType) {
    case 'HELLO': {
      const [version, serial, firmware] = rest as [string, string, string]
      const boot = n(3); const buttons = n(4)
      if (boot !== null && buttons !== null) frame = { type: 'HELLO', version, serial, firmware, boot, buttons }
      break
    }
    case 'RATE': {
      const boot = n(0); const seq = n(1); const button = n(2); const ageMs = n(3)
      if (boot !== null && seq !== null && button !== null && ageMs !== null) frame = { type: 'RATE', boot, seq, button, ageMs }
      break
    }
    case 'BEAT': {
      const boot = n(0); const uptimeS = n(1); const queued = n(2)
      if (boot !== null && uptimeS !== null && queued !== null) frame = { type: 'BEAT', boot, uptimeS, queued }
      break
    }
    case 'ACK': {
      const boot = n(0); const seq = n(1)
      if (boot !== null && seq !== null) frame = { type: 'ACK', boot, seq }
      break
    }
    case 'NAK': frame = { type: 'NAK', reason: rest[0] as NakReason }; break
    case 'LED': frame = { type: 'LED', pattern: rest[0] as LedPattern }; break
    case 'WHO': frame = { type: 'WHO' }; break
  }
  return frame !== null && frameProblem(frame) === null ? frame : null
}

/**
 * One line (without its line end) to a frame. Bytes before the last `$` are line noise and
 * are skipped, so a frame survives garbage sent ahead of it on the same line.
 */
export function decodeLine (line: string): Frame | InvalidLine {
  const start = line.lastIndexOf('$')
  const text = start >= 0 ? line.slice(start) : line
  if (text.length > MAX_LINE_LENGTH) return { type: 'INVALID', reason: 'TOOLONG', line }
  const match = /^\$([A-Z][A-Za-z0-9,.-]*)\*([0-9A-F]{4})$/.exec(text)
  if (match === null) return { type: 'INVALID', reason: 'SYNTAX', line }
  const body = match[1]!
  if (crc16(body) !== Number.parseInt(match[2]!, 16)) return { type: 'INVALID', reason: 'CHECKSUM', line }
  const frame = build(body.split(','))
  if (frame === null) {
    const type = body.split(',')[0]!
    return { type: 'INVALID', reason: ['HELLO', 'RATE', 'BEAT', 'ACK', 'NAK', 'LED', 'WHO'].includes(type) ? 'SYNTAX' : 'UNKNOWN', line }
  }
  return frame
}
