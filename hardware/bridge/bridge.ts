// The serial bridge: boxes' RATE frames → journal (fsync) → ACK to the box → ratings posted to the Hài Lòng API.
import { join } from 'node:path'
import createDebug from 'debug'
import { PROTOCOL_VERSION, type Frame, type InvalidLine, type LedPattern } from '../protocol/frames.ts'
import { TerminalApi, TerminalApiError, type ScaleLevel } from './api-client.ts'
import { retryDelay } from './backoff.ts'
import type { BoxSpec, BridgeConfig } from './config.ts'
import { DataDirLock } from './data-lock.ts'
import { Journal, type PendingRating } from './journal.ts'
import { PortLink, type SerialPortClass } from './port-link.ts'
import { ratingId } from './rating-id.ts'
import { BridgeState } from './state.ts'
import type { CurrentCall } from '../../contract/queue.ts'

const log = createDebug('hailong:hardware:bridge')
const apiLog = createDebug('hailong:hardware:api')

/** Which scale level button `button` (1 = leftmost) of a box with `buttons` buttons stands for. */
export function levelForButton (button: number, buttons: number, scale: Array<Pick<ScaleLevel, 'level'>>): number | null {
  if (scale.length === 0 || button < 1 || button > buttons) return null
  const ordered = [...scale].sort((a, b) => b.level - a.level)
  if (buttons === ordered.length) return ordered[button - 1]!.level
  // A box with another number of buttons than the scale has levels: spread the buttons over the scale, ends to ends.
  const index = buttons === 1 ? 0 : Math.round((button - 1) * (ordered.length - 1) / (buttons - 1))
  return ordered[index]!.level
}

/** A box said HELLO on a link; `epoch` keeps its rating ids apart from an earlier box with the same serial and boots. */
interface ConnectedBox { serial: string, boot: number, buttons: number, firmware: string, epoch: number, ready: Promise<void> }

/** Why a configured box cannot deliver: its token was refused, or its pairing code was. */
type BoxProblem = 'revoked' | 'pairing'

export interface BridgeOptions {
  config: BridgeConfig
  /** serialport's `SerialPort`, or `SerialPortMock` in tests. */
  portClass: SerialPortClass
  /** The clock, for tests. */
  now?: () => number
  /** The jitter's random source, for tests. */
  random?: () => number
  /** How often each connected box's terminal state is read for the queue's current call (issue 17). Default 5000 ms. */
  callPollMs?: number
}

/** A call read longer ago than this is not attached to a press (the bridge may have been offline since). */
const CALL_TRUSTED_MS = 120_000

export interface BridgeStatus {
  online: boolean
  pending: number
  delivered: number
  ports: Array<{
    spec: string, path: string | null, open: boolean, opens: number, box: string | null, frames: number, refused: number, noiseBytes: number
  }>
}

export class Bridge {
  readonly config: BridgeConfig
  readonly links: PortLink[]
  private readonly api: TerminalApi
  private readonly now: () => number
  private readonly boxes = new Map<PortLink, ConnectedBox>()
  private readonly specs: Map<string, BoxSpec>
  private readonly problems = new Map<string, BoxProblem>()
  private readonly pairing = new Map<string, Promise<string | null>>()
  /** Checks started at HELLO; stop() waits for them, so nothing writes the state file after it. */
  private readonly checks = new Set<Promise<void>>()
  private readonly random: () => number
  private lock: DataDirLock | null = null
  private journal: Journal | null = null
  private state: BridgeState | null = null
  private online = true
  private delivered = 0
  private draining: Promise<void> | null = null
  private drainAgain = false
  private retryTimer: NodeJS.Timeout | null = null
  /** Failed delivery rounds in a row: the back-off grows with it and only a success resets it. */
  private attempt = 0
  private stopped = false
  private readonly callPollMs: number
  private callTimer: NodeJS.Timeout | null = null
  /** Each box's counter's current call, as last read from the API, and when. */
  private readonly calls = new Map<string, { call: CurrentCall | null, readAt: number }>()

  constructor (options: BridgeOptions) {
    if (options?.config === undefined || options.portClass === undefined) throw new TypeError('config and portClass are required')
    this.config = options.config
    this.now = options.now ?? Date.now
    this.api = new TerminalApi({ apiUrl: this.config.apiUrl, timeoutMs: this.config.requestTimeoutMs })
    this.specs = new Map(this.config.boxes.map((box) => [box.serial, box]))
    this.random = options.random ?? Math.random
    this.callPollMs = options.callPollMs ?? 5000
    this.links = this.config.ports.map((spec) => new PortLink({
      spec,
      portClass: options.portClass,
      baudRate: this.config.baudRate,
      reopenMs: this.config.reopenMs,
      taken: () => new Set(this.links.filter((link) => link.isOpen && link.path !== null).map((link) => link.path!))
    }))
  }

  /** Throws DataDirLockedError when another bridge runs on the same data folder: before its journal is touched. */
  async start (): Promise<void> {
    this.lock = await DataDirLock.acquire(this.config.dataDir)
    try {
      this.journal = await Journal.open({ path: join(this.config.dataDir, 'outbox.jsonl') })
      this.state = await BridgeState.open(join(this.config.dataDir, 'state.json'))
    } catch (error) {
      await this.lock.release()
      this.lock = null
      throw error
    }
    for (const link of this.links) {
      link.on('open', () => link.send({ type: 'WHO' }))
      link.on('close', () => this.boxes.delete(link))
      link.on('frame', (frame) => {
        void this.onFrame(link, frame).catch((error: Error) => log('frame handling failed: %s', error.message))
      })
      link.start()
    }
    log('started: %d port(s), %d box(es), %d pending', this.links.length, this.specs.size, this.journal.size)
    for (const spec of this.specs.values()) {
      if (spec.token === undefined && spec.pairingCode !== undefined && this.state.get(spec.serial).token === undefined) {
        log('box %s pairs with its code as soon as it says HELLO: plug it in within 15 minutes of making the code on the dashboard (codes expire)', spec.serial)
      }
    }
    this.kick()
    this.callTimer = setInterval(() => { void this.readCalls() }, this.callPollMs)
    this.callTimer.unref()
  }

  /**
   * Reads the queue's current call for every connected box (GET /api/v1/terminal/state), so a press can be journaled
   * with its ticket at once, without waiting on the network; a failure leaves the last reading to age out.
   */
  private async readCalls (): Promise<void> {
    for (const box of this.boxes.values()) {
      if (this.stopped || !this.specs.has(box.serial) || this.problems.has(box.serial)) continue
      try {
        const token = this.state!.get(box.serial).token ?? this.specs.get(box.serial)!.token
        if (token === undefined) continue
        const state = await this.api.state(token)
        this.calls.set(box.serial, { call: state.call ?? null, readAt: this.now() })
      } catch (error) {
        log('box %s: cannot read its current call: %s', box.serial, (error as Error).message)
      }
    }
  }

  /** The call to journal with a press of this box: read lately, and not already given to an earlier press. */
  private callForPress (serial: string): CurrentCall | null {
    const known = this.calls.get(serial)
    if (known?.call == null || this.now() - known.readAt > CALL_TRUSTED_MS) return null
    const key = `${known.call.calledAt}|${known.call.ticket}`
    if (this.state!.get(serial).usedCall === key) return null
    return known.call
  }

  status (): BridgeStatus {
    return {
      online: this.online,
      pending: this.journal?.size ?? 0,
      delivered: this.delivered,
      ports: this.links.map((link, i) => {
        const stats = link.stats()
        return {
          spec: JSON.stringify(this.config.ports[i]),
          path: link.path,
          open: link.isOpen,
          opens: link.opens,
          box: this.boxes.get(link)?.serial ?? null,
          frames: stats.frames,
          refused: stats.checksum + stats.tooLong + stats.syntax + stats.unknown,
          noiseBytes: stats.noiseBytes
        }
      })
    }
  }

  private ledFor (serial: string): LedPattern {
    if (!this.specs.has(serial) || this.problems.has(serial)) return 'ERROR'
    return this.online ? 'READY' : 'OFFLINE'
  }

  private async onFrame (link: PortLink, frame: Frame | InvalidLine): Promise<void> {
    switch (frame.type) {
      case 'INVALID':
        link.send({ type: 'NAK', reason: frame.reason })
        return
      case 'HELLO': {
        if (frame.version !== PROTOCOL_VERSION) {
          log('box %s speaks %s, not %s', frame.serial, frame.version, PROTOCOL_VERSION)
          link.send({ type: 'NAK', reason: 'VERSION' })
          link.send({ type: 'LED', pattern: 'ERROR' })
          return
        }
        const box: ConnectedBox = {
          serial: frame.serial, boot: frame.boot, buttons: frame.buttons, firmware: frame.firmware, epoch: 0, ready: Promise.resolve()
        }
        box.ready = this.settleEpoch(link, box)
        this.boxes.set(link, box)
        await box.ready
        log('box %s (firmware %s, boot %d, %d buttons) on %s', frame.serial, frame.firmware, frame.boot, frame.buttons, link.path)
        if (!this.specs.has(frame.serial)) {
          log('box %s is not in the config: its presses stay on the box', frame.serial)
          link.send({ type: 'LED', pattern: 'ERROR' })
          return
        }
        link.send({ type: 'LED', pattern: this.ledFor(frame.serial) })
        // Pair (or check the token) now, so a wrong code shows red at power-up, not after the first press.
        const check = this.checkBox(frame.serial).catch((error: Error) => log('box %s: check failed: %s', frame.serial, error.message))
        this.checks.add(check)
        void check.finally(() => this.checks.delete(check))
        return
      }
      case 'RATE': {
        const box = this.boxes.get(link)
        // A press from an earlier power-up (kept in the box's EEPROM) carries its own, lower boot.
        if (box === undefined || frame.boot > box.boot) {
          link.send({ type: 'NAK', reason: 'NOHELLO' })
          return
        }
        await box.ready
        if (!this.specs.has(box.serial) || frame.button > box.buttons) {
          // Not acknowledged: the box keeps the press until someone configures it.
          link.send({ type: 'LED', pattern: 'ERROR' })
          return
        }
        const id = ratingId(box.serial, frame.boot, frame.seq, box.epoch)
        const scale = this.state!.get(box.serial).scale ?? []
        // A retransmitted press is not written again (add answers false), so its call is not used up by it.
        const call = this.callForPress(box.serial)
        const rating: PendingRating = {
          id,
          serial: box.serial,
          boot: frame.boot,
          seq: frame.seq,
          button: frame.button,
          buttons: box.buttons,
          level: levelForButton(frame.button, box.buttons, scale),
          ratedAt: new Date(this.now() - frame.ageMs).toISOString(),
          ...(call === null ? {} : { ticket: call.ticket, ...(call.dossierCode === null ? {} : { dossierCode: call.dossierCode }) })
        }
        // The ticket is written with the press (one journal line): whatever fails later, the rating carries it once.
        const added = await this.journal!.add(rating)
        if (added && call !== null) await this.state!.update(box.serial, { usedCall: `${call.calledAt}|${call.ticket}` })
        link.send({ type: 'ACK', boot: frame.boot, seq: frame.seq })
        if (added) {
          log('box %s press %d/%d button %d → %s', box.serial, frame.boot, frame.seq, frame.button, id)
          link.send({ type: 'LED', pattern: 'THANKS' })
          this.kick('press')
        }
        return
      }
      case 'BEAT': {
        const box = this.boxes.get(link)
        if (box === undefined || box.boot !== frame.boot) link.send({ type: 'WHO' })
        else if (!this.online || this.problems.has(box.serial)) link.send({ type: 'LED', pattern: this.ledFor(box.serial) })
        return
      }
      default:
        // A box never sends bridge frames; an echoing line or a crossed cable would.
        link.send({ type: 'NAK', reason: 'UNKNOWN' })
    }
  }

  /**
   * The epoch of a box that just said HELLO. Ids come from (serial, boot, seq): a boot counter lower than
   * the highest seen (EEPROM erased by an ISP re-flash) or the serial on two ports at once (two boxes flashed
   * alike) would repeat ids the API answers "duplicate", and those presses would be lost. A new epoch makes
   * them distinct; it is saved before any press of the box is acknowledged.
   */
  private async settleEpoch (link: PortLink, box: ConnectedBox): Promise<void> {
    if (!this.specs.has(box.serial)) return
    const state = this.state!
    const known = state.get(box.serial)
    let epoch = known.epoch ?? 0
    let boot = known.boot ?? box.boot
    const elsewhere = [...this.boxes].filter(([other, seen]) => other !== link && seen.serial === box.serial && other.isOpen)
    if (elsewhere.length > 0) {
      epoch = Math.max(epoch, ...elsewhere.map(([, seen]) => seen.epoch)) + 1
      boot = box.boot
      log('WARNING box %s is on %s and on %s at once (two boxes with one serial?): its presses here get new ids (epoch %d); give each box its own serial', box.serial, elsewhere[0]![0].path, link.path, epoch)
    } else if (known.boot !== undefined && box.boot < known.boot) {
      epoch++
      boot = box.boot
      log('WARNING box %s boot counter went back from %d to %d (EEPROM erased, or another box with this serial): its presses get new ids (epoch %d)', box.serial, known.boot, box.boot, epoch)
    } else {
      boot = Math.max(boot, box.boot)
    }
    box.epoch = epoch
    if (epoch !== (known.epoch ?? 0) || boot !== known.boot) await state.update(box.serial, { epoch, boot })
  }

  /** At HELLO: pairs a box with its code, or checks its token, and fetches its scale; a refusal shows red at once. */
  private async checkBox (serial: string): Promise<void> {
    if (this.problems.has(serial) || this.stopped) return
    try {
      const token = await this.tokenFor(serial)
      if (token === null) return
      const scale = await this.api.scale(token)
      await this.state!.update(serial, { scale })
      this.setOnline(true)
    } catch (error) {
      if (!(error instanceof TerminalApiError)) throw error
      if (error.kind === 'revoked' || error.code === 'PAIRING_CODE_INVALID') {
        this.boxProblem(serial, error)
        return
      }
      // Unreachable now (or an answer it cannot use): the first press's delivery tries again.
      log('box %s: cannot check its token now: %s', serial, error.message)
    }
  }

  /** A box whose token or pairing code the API refused: red on the box, its presses kept in the outbox. */
  private boxProblem (serial: string, error: TerminalApiError): void {
    const pairing = this.state!.get(serial).token === undefined && this.specs.get(serial)?.token === undefined
    if (this.problems.has(serial)) return
    this.problems.set(serial, pairing ? 'pairing' : 'revoked')
    if (pairing) log('box %s: the server refused its pairing code (%s): wrong, expired (a code lives 15 minutes) or already used; create a new one on the dashboard, put it in the config and restart the bridge', serial, error.code ?? error.message)
    else log('box %s: the server refused its token (%s): revoked? pair the box again and restart the bridge; its presses stay in the outbox', serial, error.code ?? error.message)
    for (const [link, box] of this.boxes) if (box.serial === serial) link.send({ type: 'LED', pattern: 'ERROR' })
  }

  private setOnline (online: boolean, cause?: string): void {
    if (this.online === online) return
    this.online = online
    log(online ? 'API reachable again' : `API unreachable (${cause ?? 'unknown cause'}): keeping presses in the outbox`)
    for (const [link, box] of this.boxes) link.send({ type: 'LED', pattern: this.ledFor(box.serial) })
  }

  /**
   * Starts a drain of the outbox now, or right after the current one. A new press while a retry is
   * waiting does not cut the back-off short: the press is safe in the journal and goes with the retry.
   */
  kick (reason: 'press' | 'retry' | 'start' = 'start'): void {
    if (this.stopped) return
    if (this.retryTimer !== null) {
      if (reason === 'press') return
      clearTimeout(this.retryTimer)
      this.retryTimer = null
    }
    if (this.draining !== null) { this.drainAgain = true; return }
    this.draining = this.drain().finally(() => {
      this.draining = null
      if (this.drainAgain && !this.stopped) { this.drainAgain = false; this.kick('press') }
    })
  }

  private async tokenFor (serial: string): Promise<string | null> {
    const spec = this.specs.get(serial)
    if (spec === undefined) return null
    if (spec.token !== undefined) return spec.token
    const saved = this.state!.get(serial).token
    if (saved !== undefined) return saved
    if (spec.pairingCode === undefined) return null
    // HELLO and a drain may both want the token: one pairing call (a code can be used once).
    let pairing = this.pairing.get(serial)
    if (pairing === undefined) {
      pairing = (async () => {
        const paired = await this.api.pair(spec.pairingCode!)
        await this.state!.update(serial, { terminalId: paired.terminalId, token: paired.token })
        log('box %s paired as terminal %s', serial, paired.terminalId)
        return paired.token
      })().finally(() => this.pairing.delete(serial))
      this.pairing.set(serial, pairing)
    }
    return pairing
  }

  private async drain (): Promise<void> {
    const journal = this.journal!
    let failure: string | null = null
    const serials = [...new Set(journal.list().map((rating) => rating.serial))].filter((serial) => !this.problems.has(serial))
    for (const serial of serials) {
      try {
        await this.drainBox(serial)
      } catch (error) {
        if (!(error instanceof TerminalApiError)) throw error
        // A refused pairing code or token is that box's problem: the other boxes stay READY.
        if (error.kind === 'revoked' || (error.kind === 'refused' && error.code === 'PAIRING_CODE_INVALID')) {
          this.boxProblem(serial, error)
        } else {
          failure ??= error.message
        }
      }
    }
    if (failure === null) {
      this.attempt = 0
      this.setOnline(true)
      return
    }
    this.setOnline(false, failure)
    if (this.stopped) return
    const wait = retryDelay(this.attempt++, this.config.retryMs, this.config.maxRetryMs, this.random)
    apiLog('delivery failed (%s); next try in %d ms', failure, wait)
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.kick('retry') }, wait)
  }

  private async drainBox (serial: string): Promise<void> {
    const journal = this.journal!
    const token = await this.tokenFor(serial)
    if (token === null) return
    let scale = this.state!.get(serial).scale ?? []
    if (scale.length === 0 || journal.list().some((rating) => rating.serial === serial && rating.level === null)) {
      scale = await this.api.scale(token)
      await this.state!.update(serial, { scale })
    }
    for (;;) {
      const batch = journal.list().filter((rating) => rating.serial === serial).slice(0, 100)
      if (batch.length === 0 || this.stopped) return
      const items = batch.map((rating) => ({
        id: rating.id,
        level: rating.level ?? levelForButton(rating.button, rating.buttons, scale),
        ratedAt: rating.ratedAt,
        ...(rating.ticket === undefined ? {} : { ticket: rating.ticket }),
        ...(rating.dossierCode === undefined ? {} : { dossierCode: rating.dossierCode })
      }))
      const unmappable = items.filter((item) => item.level === null).map((item) => ({ id: item.id, code: 'BUTTON_NOT_ON_SCALE' }))
      const sendable = items.filter((item): item is typeof item & { level: number } => item.level !== null)
      if (unmappable.length > 0) await journal.rejected(unmappable)
      if (sendable.length === 0) continue
      const results = await this.api.postRatings(token, sendable)
      const stored = results.filter((result) => result.status !== 'rejected').map((result) => result.id)
      const rejected = results.filter((result) => result.status === 'rejected')
        .map((result) => ({ id: result.id, code: result.error?.code ?? 'REJECTED' }))
      for (const item of rejected) log('box %s: rating %s rejected: %s', serial, item.id, item.code)
      await journal.delivered(stored)
      await journal.rejected(rejected)
      this.delivered += stored.length
      this.setOnline(true)
      // An answer that settled nothing would loop forever.
      if (stored.length + rejected.length === 0) throw new TerminalApiError('unreachable', 'ratings answer settled none of the batch')
    }
  }

  async stop (): Promise<void> {
    this.stopped = true
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    if (this.callTimer !== null) clearInterval(this.callTimer)
    await Promise.all(this.links.map((link) => link.stop()))
    await this.draining
    await Promise.all([...this.checks])
    await this.journal?.close()
    await this.lock?.release()
    this.lock = null
  }
}
