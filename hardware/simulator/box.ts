// A simulated button box speaking the HL1 protocol like the firmware does: queue, retransmit until ACK, heartbeats, LEDs.
import type { Duplex } from 'node:stream'
import createDebug from 'debug'
import { FrameEncoder } from '../protocol/encoder.ts'
import { FrameParser } from '../protocol/parser.ts'
import { PROTOCOL_VERSION, type BoxFrame, type Frame, type InvalidLine, type LedPattern } from '../protocol/frames.ts'

const log = createDebug('hailong:hardware:simulator')

export interface SimulatedBoxOptions {
  serial: string
  /** The EEPROM boot counter of this power-up. */
  boot: number
  /** 3–5 buttons; button 1 is the leftmost, the highest level. Default 4. */
  buttons?: number
  firmware?: string
  /** Resend the oldest unacknowledged press after this long. Default 500 ms. */
  retransmitMs?: number
  /** Heartbeat period. Default 5000 ms. */
  beatMs?: number
  /** Presses kept while unacknowledged; a press beyond that is refused (ERROR LED). Default 16. */
  queueSize?: number
}

interface QueuedPress { seq: number, button: number, pressedAt: number }

/** Attach it to one end of a serial line (a pty or a mock port); `press(n)` is a citizen pressing button n. */
export class SimulatedBox {
  readonly serial: string
  readonly boot: number
  readonly buttons: number
  readonly firmware: string
  /** LED patterns the bridge asked for, in order. */
  readonly leds: LedPattern[] = []
  readonly acked: number[] = []
  /** How many times a press was sent, first sends included. */
  sends = 0
  naks = 0
  /** ACKs the box will "not hear", to test retransmission. */
  dropAcks = 0
  private seq = 0
  private readonly queue: QueuedPress[] = []
  private readonly retransmitMs: number
  private readonly beatMs: number
  private readonly queueSize: number
  private readonly startedAt = Date.now()
  private line: Duplex | null = null
  private encoder: FrameEncoder | null = null
  private parser: FrameParser | null = null
  private retransmitTimer: NodeJS.Timeout | null = null
  private beatTimer: NodeJS.Timeout | null = null

  constructor (options: SimulatedBoxOptions) {
    if (typeof options?.serial !== 'string' || !/^[A-Za-z0-9-]{1,16}$/.test(options.serial)) throw new TypeError('serial must be 1–16 letters, digits or dashes')
    if (!Number.isInteger(options.boot) || options.boot < 0) throw new TypeError('boot must be a non-negative integer')
    const buttons = options.buttons ?? 4
    if (!Number.isInteger(buttons) || buttons < 1 || buttons > 9) throw new TypeError('buttons must be 1–9')
    this.serial = options.serial
    this.boot = options.boot
    this.buttons = buttons
    this.firmware = options.firmware ?? 'sim-1.0'
    this.retransmitMs = options.retransmitMs ?? 500
    this.beatMs = options.beatMs ?? 5000
    this.queueSize = options.queueSize ?? 16
  }

  /** Presses not yet acknowledged. */
  get queued (): number {
    return this.queue.length
  }

  /** Plugs the box into a line and says HELLO, as at power-up or on replug. */
  attach (line: Duplex): void {
    this.detach()
    this.line = line
    this.parser = new FrameParser()
    this.encoder = new FrameEncoder()
    line.pipe(this.parser)
    this.encoder.pipe(line)
    this.parser.on('data', (frame: Frame | InvalidLine) => this.onFrame(frame))
    line.on('error', (error: Error) => log('%s line error: %s', this.serial, error.message))
    line.on('close', () => { if (this.line === line) this.detach() })
    this.hello()
    this.transmit()
    this.beatTimer = setInterval(() => {
      this.send({ type: 'BEAT', boot: this.boot, uptimeS: Math.floor((Date.now() - this.startedAt) / 1000), queued: this.queue.length })
    }, this.beatMs)
  }

  /** Unplugs the box; its queue survives. */
  detach (): void {
    if (this.retransmitTimer !== null) clearTimeout(this.retransmitTimer)
    if (this.beatTimer !== null) clearInterval(this.beatTimer)
    this.retransmitTimer = null
    this.beatTimer = null
    if (this.line !== null && this.parser !== null && this.encoder !== null) {
      this.line.unpipe(this.parser)
      this.encoder.unpipe(this.line)
    }
    this.line = null
    this.parser = null
    this.encoder = null
  }

  /** A citizen presses button `button` (1-based); returns the press's sequence number, or null if the queue is full. */
  press (button: number): number | null {
    if (!Number.isInteger(button) || button < 1 || button > this.buttons) throw new TypeError(`button must be 1–${this.buttons}`)
    if (this.queue.length >= this.queueSize) { this.leds.push('ERROR'); return null }
    const seq = ++this.seq
    this.queue.push({ seq, button, pressedAt: Date.now() })
    // Only the oldest press is in flight: a new one waits its turn unless it is the only one.
    if (this.queue.length === 1) this.transmit()
    return seq
  }

  /** Writes raw bytes on the line, as noise or a broken frame would arrive. */
  writeRaw (bytes: string | Buffer): void {
    this.line?.write(bytes)
  }

  private hello (): void {
    const { serial, firmware, boot, buttons } = this
    this.send({ type: 'HELLO', version: PROTOCOL_VERSION, serial, firmware, boot, buttons })
  }

  private send (frame: BoxFrame): void {
    if (this.encoder === null) return
    this.encoder.write(frame)
  }

  private transmit (): void {
    if (this.retransmitTimer !== null) clearTimeout(this.retransmitTimer)
    this.retransmitTimer = null
    const head = this.queue[0]
    if (head === undefined || this.encoder === null) return
    this.sends++
    this.send({ type: 'RATE', boot: this.boot, seq: head.seq, button: head.button, ageMs: Date.now() - head.pressedAt })
    this.retransmitTimer = setTimeout(() => this.transmit(), this.retransmitMs)
  }

  private onFrame (frame: Frame | InvalidLine): void {
    switch (frame.type) {
      case 'ACK': {
        if (frame.boot !== this.boot) return
        if (this.dropAcks > 0) { this.dropAcks--; log('%s drops ACK %d', this.serial, frame.seq); return }
        const index = this.queue.findIndex((press) => press.seq === frame.seq)
        if (index === -1) return
        this.queue.splice(index, 1)
        this.acked.push(frame.seq)
        if (index === 0) this.transmit()
        return
      }
      case 'NAK':
        this.naks++
        if (frame.reason === 'NOHELLO') this.hello()
        if (this.retransmitTimer !== null) this.transmit()
        return
      case 'WHO':
        this.hello()
        this.transmit()
        return
      case 'LED':
        this.leds.push(frame.pattern)
        break
      default:
    }
  }
}
