// One watched serial port: finds it (path or USB ids), opens it, speaks the protocol, and reopens it after an unplug.
import { execFile } from 'node:child_process'
import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import createDebug from 'debug'
import { FrameEncoder } from '../protocol/encoder.ts'
import { FrameParser, type FrameParserStats } from '../protocol/parser.ts'
import type { BridgeFrame, Frame, InvalidLine } from '../protocol/frames.ts'
import type { PortSpec } from './config.ts'

const log = createDebug('hailong:hardware:port')
// What an installer must see without DEBUG: a port that is missing or will not open.
const warn = createDebug('hailong:hardware:bridge')

/** What `list()` tells about a port, as serialport's bindings report it. */
export interface PortListing {
  path: string
  vendorId?: string | undefined
  productId?: string | undefined
  serialNumber?: string | undefined
}

/** A serial port as the bridge uses it: serialport's `SerialPort` or `SerialPortMock`. */
export interface SerialPortLike extends Duplex {
  readonly isOpen: boolean
  open: (callback: (error: Error | null) => void) => void
  close: (callback?: (error: Error | null) => void) => void
}

/** The injected binding: a port class with a static `list()`. */
export interface SerialPortClass {
  new (options: { path: string, baudRate: number, autoOpen: false, hupcl?: boolean }): SerialPortLike
  list: () => Promise<PortListing[]>
}

/** How a spec reads in a log line. */
export function describeSpec (spec: PortSpec): string {
  if ('path' in spec) return spec.path
  return `USB ${spec.vendorId}:${spec.productId}${spec.serialNumber === undefined ? '' : ` serial ${spec.serialNumber}`}`
}

/**
 * Clears HUPCL on an open tty (Linux): the kernel then keeps DTR up when the bridge closes the port, so the
 * next open (a bridge restart) does not pulse DTR and reset a stock Uno/Nano. serialport's `hupcl: false`
 * only leaves the flag as it was, and a fresh tty has it set. Resolves to whether it worked.
 */
export function clearHupcl (path: string): Promise<boolean> {
  if (process.platform !== 'linux') return Promise.resolve(false)
  return new Promise((resolve) => {
    execFile('stty', ['-F', path, '-hupcl'], { timeout: 5000 }, (error) => {
      if (error !== null) log('stty -hupcl %s: %s', path, error.message)
      resolve(error === null)
    })
  })
}

/** The path of the port `spec` names, or null when it is not there; `taken` paths belong to other links. */
export async function findPort (
  spec: PortSpec, portClass: SerialPortClass, taken: ReadonlySet<string> = new Set()
): Promise<string | null> {
  if ('path' in spec) return spec.path
  const ports = await portClass.list()
  const match = ports.find((port) =>
    !taken.has(port.path) &&
    port.vendorId?.toLowerCase() === spec.vendorId &&
    port.productId?.toLowerCase() === spec.productId &&
    (spec.serialNumber === undefined || port.serialNumber === spec.serialNumber))
  return match?.path ?? null
}

export interface PortLinkOptions {
  spec: PortSpec
  portClass: SerialPortClass
  baudRate: number
  reopenMs: number
  /** Paths held by other links, so two USB specs never grab one port. */
  taken: () => ReadonlySet<string>
  /** Clear HUPCL after opening (default true; tests on mock ports turn it off). */
  clearHupcl?: boolean
}

/**
 * Emits `frame` (Frame | InvalidLine) for everything the box sends, `open`/`close` as the port
 * comes and goes. `send` drops frames while the port is closed: the box retransmits what matters.
 */
export class PortLink extends EventEmitter<{ frame: [Frame | InvalidLine], open: [string], close: [string] }> {
  path: string | null = null
  opens = 0
  private port: SerialPortLike | null = null
  private encoder: FrameEncoder | null = null
  private parser: FrameParser | null = null
  private stopped = false
  private wake: (() => void) | null = null
  private loop: Promise<void> | null = null
  /** The last problem logged, so a port missing for hours is one line, not one every reopenMs. */
  private lastProblem: string | null = null
  /** Refused lines and noise over the life of the link, across reopens. */
  readonly totals: FrameParserStats = { frames: 0, checksum: 0, tooLong: 0, syntax: 0, unknown: 0, noiseBytes: 0 }

  constructor (private readonly options: PortLinkOptions) {
    super()
    if (options?.spec === undefined || options.portClass === undefined) throw new TypeError('spec and portClass are required')
    if (!Number.isInteger(options.reopenMs) || options.reopenMs <= 0) throw new TypeError('reopenMs must be a positive integer')
  }

  get isOpen (): boolean {
    return this.port?.isOpen === true
  }

  start (): void {
    this.loop ??= this.run()
  }

  send (frame: BridgeFrame): void {
    if (this.encoder === null || !this.isOpen) return
    this.encoder.write(frame)
  }

  private async run (): Promise<void> {
    while (!this.stopped) {
      const path = await findPort(this.options.spec, this.options.portClass, this.options.taken()).catch((error: Error) => {
        log('listing ports failed: %s', error.message)
        return null
      })
      if (path === null && !this.stopped) this.problem(`no port ${describeSpec(this.options.spec)} (is the box plugged in?); looking again every ${this.options.reopenMs} ms`)
      if (path !== null && !this.stopped) {
        const closed = await this.openPort(path)
        if (closed !== null) await closed
      }
      if (!this.stopped) await this.sleep(this.options.reopenMs)
    }
  }

  /** Opens `path`; resolves to a promise settled when the port closes, or null if it would not open. */
  private async openPort (path: string): Promise<Promise<void> | null> {
    // hupcl: false keeps DTR up on close where the OS honours it (Windows); clearHupcl does it on Linux.
    const Port = this.options.portClass
    const port = new Port({ path, baudRate: this.options.baudRate, autoOpen: false, hupcl: false })
    const error = await new Promise<Error | null>((resolve) => port.open(resolve))
    if (error !== null) {
      this.problem(`cannot open ${path}: ${error.message}${/Cannot lock port|Resource temporarily unavailable/.test(error.message) ? ' (another program, or another bridge, holds it)' : ''}; trying again every ${this.options.reopenMs} ms`)
      return null
    }
    if (this.stopped) { port.close(); return null }
    this.lastProblem = null
    if (this.options.clearHupcl !== false) await clearHupcl(path)
    this.port = port
    this.path = path
    this.opens++
    const parser = new FrameParser()
    const encoder = new FrameEncoder()
    this.parser = parser
    this.encoder = encoder
    port.pipe(parser)
    encoder.pipe(port)
    parser.on('data', (frame: Frame | InvalidLine) => this.emit('frame', frame))
    log('opened %s', path)
    const closed = new Promise<void>((resolve) => {
      const done = (reason: string): void => {
        if (this.port !== port) return
        log('%s closed (%s)', path, reason)
        this.collect(parser)
        encoder.unpipe(port)
        port.unpipe(parser)
        this.port = null
        this.encoder = null
        this.parser = null
        this.emit('close', path)
        resolve()
      }
      port.on('close', () => done('close'))
      port.on('error', (err: Error) => {
        done(err.message)
        if (port.isOpen) port.close()
      })
    })
    this.emit('open', path)
    return closed
  }

  private problem (message: string): void {
    if (message === this.lastProblem) return
    this.lastProblem = message
    warn(message)
  }

  private collect (parser: FrameParser): void {
    for (const key of Object.keys(this.totals) as Array<keyof FrameParserStats>) this.totals[key] += parser.stats[key]
  }

  /** Stats so far, including the currently open port's parser. */
  stats (): FrameParserStats {
    const stats = { ...this.totals }
    if (this.parser !== null) for (const key of Object.keys(stats) as Array<keyof FrameParserStats>) stats[key] += this.parser.stats[key]
    return stats
  }

  private sleep (ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wake = null; resolve() }, ms)
      this.wake = () => { clearTimeout(timer); this.wake = null; resolve() }
    })
  }

  async stop (): Promise<void> {
    this.stopped = true
    this.wake?.()
    const port = this.port
    if (port?.isOpen === true) await new Promise<void>((resolve) => port.close(() => resolve()))
    else if (port !== null) port.emit('close')
    await this.loop
  }
}
