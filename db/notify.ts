// PostgreSQL LISTEN/NOTIFY between the API processes of one database: the sending statement, and the listening connection.
import { sql } from 'kysely'
import pg from 'pg'
import { prepared } from './prepared.ts'
import type { Db } from './schema.ts'

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; a little is kept back for safety. */
export const NOTIFY_PAYLOAD_LIMIT = 7900

/**
 * Sends `payloads` on `channel` in one statement, in their order. Outside a transaction the statement commits at
 * once, and PostgreSQL hands every listener the notifications of all processes in commit order. The payloads go as
 * one JSON array: as a text[] parameter pg escaped every quote of every payload in JavaScript (`escapeElement`, ~2 %
 * of an API process's time under the ingest benchmark), where JSON.stringify is native.
 */
export async function notify (db: Db, channel: string, payloads: readonly string[]): Promise<void> {
  if (payloads.length === 0) return
  await sql`${prepared('live.notify')} select pg_notify(${channel}, payload)
    from json_array_elements_text(${JSON.stringify(payloads)}::json) with ordinality as sent(payload, n)`.execute(db)
}

export interface ListenOptions {
  connectionString: string
  channel: string
  /** Called with every payload heard, the process's own included. */
  onPayload: (payload: string) => void
  /**
   * Called after the connection came back: what was sent while it was away is gone, so state that follows the
   * channel must be re-read from the database.
   */
  onReconnect: () => void
  /** Called when the connection is lost or a reconnection fails (the connection keeps trying). */
  onError: (error: unknown) => void
  /** First wait before reconnecting, doubled up to `maxRetryMs`. */
  retryMs?: number
  maxRetryMs?: number
}

/**
 * A dedicated connection (not one of the pool's: a pooled client returns to the pool and would stop listening)
 * that holds LISTEN and comes back by itself after a lost connection (a PostgreSQL restart, a network cut).
 */
export class ListenConnection {
  private client: pg.Client | null = null
  private closed = false
  private timer: NodeJS.Timeout | null = null
  private connectedOnce = false
  private wait: number

  constructor (private readonly options: ListenOptions) {
    if (!/^[a-z_][a-z0-9_]*$/.test(options.channel)) throw new TypeError(`bad channel name: ${options.channel}`)
    this.wait = options.retryMs ?? 100
  }

  /** Whether LISTEN is in place now. */
  get listening (): boolean {
    return this.client !== null
  }

  /** Connects and listens; throws when the first connection fails (the caller decides whether to start without it). */
  async start (): Promise<void> {
    await this.connect()
  }

  private async connect (): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.connectionString, connectionTimeoutMillis: 5000 })
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && message.payload !== undefined) this.options.onPayload(message.payload)
    })
    // 'error' and 'end' both mean the connection is gone; only the first one counts, and only once it was up
    // (a failing connect is answered by its own rejection).
    let lost = true
    const onLost = (error: unknown): void => {
      if (lost) return
      lost = true
      if (this.client === client) this.client = null
      client.end().catch(() => {})
      if (this.closed) return
      this.options.onError(error)
      this.scheduleReconnect()
    }
    client.on('error', onLost)
    client.on('end', () => onLost(new Error('the LISTEN connection ended')))
    try {
      await client.connect()
      await client.query(`listen ${this.options.channel}`)
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }
    if (this.closed) {
      await client.end().catch(() => {})
      return
    }
    lost = false
    this.client = client
    this.wait = this.options.retryMs ?? 100
    if (this.connectedOnce) this.options.onReconnect()
    this.connectedOnce = true
  }

  private scheduleReconnect (): void {
    if (this.closed || this.timer !== null) return
    const wait = this.wait
    this.wait = Math.min(this.wait * 2, this.options.maxRetryMs ?? 5000)
    this.timer = setTimeout(() => {
      this.timer = null
      this.connect().catch((error: unknown) => {
        if (this.closed) return
        this.options.onError(error)
        this.scheduleReconnect()
      })
    }, wait)
    this.timer.unref()
  }

  async close (): Promise<void> {
    this.closed = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    const client = this.client
    this.client = null
    if (client !== null) await client.end().catch(() => {})
  }
}
