// Committed changes that in-memory state must follow (live sockets close, caches forget), and the live events, in
// this process and, on a PostgreSQL server, in every other API process of the same database. One feed per app.
//
// `announce` hands a change to this process's listeners at once and sends it to the other processes (PostgreSQL
// NOTIFY, when a transport is attached); `share` only sends it (the caller has handled it here). What the LISTEN
// connection hears from another process goes to `receive`, which calls `deliver`. The process's own notifications
// come back to it too: `receive` drops them by their origin, so nothing is delivered twice in the sending process.
import { randomUUID } from 'node:crypto'
import type { ScopedLiveEvent } from '../../contract/live.ts'

export type Change =
  /** The unit tree changed (a unit created, moved or recoded): cached ancestry is stale. */
  | { kind: 'units' }
  /** A user's row changed (active, role, unit, officer, password) or its sessions were deleted. */
  | { kind: 'user', userId: string }
  /** One session ended (logout, or replaced at sign-in). */
  | { kind: 'session', sessionHash: string }
  /** A terminal was revoked. */
  | { kind: 'terminal', terminalId: string }
  /** The terminals at a counter must show fresh state (an officer signed in or out, the counter changed). */
  | { kind: 'counter', counterId: string }
  /** Every terminal must show fresh state (the scale or the criteria changed). */
  | { kind: 'catalogue' }
  /** Alert rules were created, changed or deleted: evaluators reread them. */
  | { kind: 'alert-rules' }
  /** An alert was acknowledged: its rule (and counter) may fire again, on ratings counted after `acknowledgedAt`. */
  | { kind: 'alert-acknowledged', ruleId: string | null, unitId: string, counterId: string | null, acknowledgedAt: string | null }
  /** A rule alert fired or was acknowledged: sent by id (its details can be long), each process reads it. */
  | { kind: 'rule-alert', alertId: string }
  /**
   * Ratings another process stored: a process with live sockets reads them by key and sends their events (a rating's
   * events go by key: as full events they were ~0.7 KB a rating through PostgreSQL's notification queue). `unitIds[i]`
   * is the unit of `ids[i]`; a process of a release before migration 2026_12_01_1400 sends the ids alone.
   */
  | { kind: 'ratings', ids: string[], unitIds?: string[] }
  /** A live event for the users whose scope holds `unitId` (and, for officers, `officerId`). */
  | { kind: 'event', unitId: string, officerId: string | null, event: ScopedLiveEvent }

export type ChangeListener = (change: Change) => void

/** How changes leave this process: one call per batch of payloads, each within the payload limit. */
export interface ChangeTransport {
  /** Largest payload in bytes (UTF-8). */
  readonly payloadLimit: number
  send: (payloads: string[]) => Promise<void>
}

/** What a payload on the channel holds: who sent it, its number there, and the changes in order. */
interface Envelope {
  o: string
  s: number
  c: Change[]
}

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>()
  /** Tells this process's own notifications from the others'. */
  readonly origin = randomUUID()
  /** How every payload this process sends begins (`send`). */
  private readonly ownHead = `{"o":"${this.origin}",`
  private transport: ChangeTransport | null = null
  private sequence = 0
  /** Changes waiting for the next send; one send is in flight at a time, so they leave in the order announced. */
  private pending: Change[] = []
  private next: Promise<void> | null = null
  private sending: Promise<void> = Promise.resolve()

  /** @param onError told about a send that failed or a change too large to send (the feed carries on). */
  constructor (private readonly onError: (error: unknown) => void = () => {}) {}

  /** From now on changes also go to the other processes through `transport`. */
  attach (transport: ChangeTransport): void {
    this.transport = transport
  }

  /** Whether changes cross to other processes. */
  get shared (): boolean {
    return this.transport !== null
  }

  /**
   * Says that a change has been committed; call it after the transaction, never inside it. Listeners here run at
   * once; the promise resolves once the other processes have been sent it (it never rejects).
   */
  announce (change: Change): Promise<void> {
    this.deliver(change)
    return this.share(change)
  }

  /** Sends a change to the other processes only: this process has acted on it already. Never rejects. */
  share (change: Change): Promise<void> {
    if (this.transport === null) return Promise.resolve()
    this.pending.push(change)
    if (this.next === null) {
      const next = this.sending.then(async () => {
        this.next = null
        await this.send(this.pending.splice(0))
      })
      this.next = next
      this.sending = next
    }
    return this.next
  }

  /** Resolves when everything announced so far has been sent (shutdown). */
  async flushed (): Promise<void> {
    await this.sending
  }

  /** A payload heard on the channel: another process's changes are delivered here, this process's own dropped. */
  receive (payload: string): void {
    // This process's own payloads come back to it: dropped by their head, unparsed (a commit's events are a few KB).
    if (payload.startsWith(this.ownHead)) return
    let envelope: Envelope
    try {
      envelope = JSON.parse(payload) as Envelope
    } catch (error) {
      this.onError(error)
      return
    }
    if (envelope.o === this.origin || !Array.isArray(envelope.c)) return
    for (const change of envelope.c) this.deliver(change)
  }

  /** Hands a change to every listener (from `announce`, or from another process through `receive`). */
  deliver (change: Change): void {
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch { /* one listener's fault must not keep the change from the others */ }
    }
  }

  subscribe (listener: ChangeListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Packs the changes into as few payloads as the limit allows, in order, and sends them in one call. */
  private async send (changes: Change[]): Promise<void> {
    const transport = this.transport
    if (transport === null || changes.length === 0) return
    const payloads: string[] = []
    let parts: string[] = []
    let size = 0
    const head = (): string => `{"o":"${this.origin}","s":${++this.sequence},"c":[`
    // The head's length with the longest sequence number it can have; the closing "]}" and commas are counted below.
    const headBytes = Buffer.byteLength(`{"o":"${this.origin}","s":${Number.MAX_SAFE_INTEGER},"c":[]}`)
    const close = (): void => {
      if (parts.length > 0) payloads.push(`${head()}${parts.join(',')}]}`)
      parts = []
      size = headBytes
    }
    close()
    for (const change of changes) {
      const text = JSON.stringify(change)
      const bytes = Buffer.byteLength(text) + 1
      if (headBytes + bytes > transport.payloadLimit) {
        this.onError(new Error(`a ${change.kind} change of ${bytes} bytes is over the notification limit: other processes miss it`))
        continue
      }
      if (size + bytes > transport.payloadLimit) close()
      parts.push(text)
      size += bytes
    }
    close()
    try {
      await transport.send(payloads)
    } catch (error) {
      this.onError(error)
    }
  }
}
