// The bridge's durable outbox: an append-only JSON-lines journal, fsynced before a press is acknowledged to the box.
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import createDebug from 'debug'

const log = createDebug('hailong:hardware:journal')

/** A press the box handed over, waiting to be delivered to the API. */
export interface PendingRating {
  id: string
  serial: string
  boot: number
  seq: number
  button: number
  /** How many buttons the box has (from its HELLO). */
  buttons: number
  /** The scale level, when the scale was known at the press; otherwise mapped when sent. */
  level: number | null
  ratedAt: string
  /** The queue ticket called to the box's counter when it was pressed (issue 17), journaled with the press. */
  ticket?: string
  dossierCode?: string
}

type Entry =
  | ({ op: 'rating' } & PendingRating)
  | { op: 'delivered', id: string }
  | { op: 'rejected', id: string, code: string }
  // Kept by a rewrite: a press settled lately, so a late retransmit of it is acknowledged, not posted again.
  | { op: 'settled', id: string }

/** How many settled ids are remembered (in memory and across rewrites): far more than a box's 16-press queue. */
const REMEMBERED_SETTLED = 256

export interface JournalOptions {
  /** Journal file path; its folder is created. */
  path: string
  /** Rewrite the file once it holds this many settled entries and nothing is pending. Default 1000. */
  compactAfter?: number
}

/**
 * Append + fsync per entry; on open, replays the file and keeps ratings not yet delivered.
 * A torn last line (power cut mid-write) is skipped: that press was never acknowledged to the box,
 * so the box still has it and sends it again.
 */
export class Journal {
  readonly path: string
  private readonly compactAfter: number
  private readonly pending = new Map<string, PendingRating>()
  /** Ids settled lately, oldest first. */
  private readonly recent = new Set<string>()
  private readonly writing = new Map<string, Promise<void>>()
  private handle: FileHandle | null = null
  private settled = 0
  private chain: Promise<unknown> = Promise.resolve()

  private constructor (options: JournalOptions) {
    this.path = options.path
    this.compactAfter = options.compactAfter ?? 1000
  }

  static async open (options: JournalOptions): Promise<Journal> {
    if (typeof options?.path !== 'string' || options.path === '') throw new TypeError('journal path is required')
    const journal = new Journal(options)
    await journal.replay()
    return journal
  }

  private async replay (): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true })
    let text = ''
    try { text = await readFile(this.path, 'utf8') } catch (error) { if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error }
    let torn = 0
    for (const line of text.split('\n')) {
      if (line === '') continue
      let entry: Entry
      try { entry = JSON.parse(line) as Entry } catch { torn++; continue }
      if (entry.op === 'rating') {
        const { op: _op, ...rating } = entry
        this.pending.set(rating.id, rating)
      } else {
        this.pending.delete(entry.id)
        this.remember(entry.id)
        if (entry.op !== 'settled') this.settled++
      }
    }
    if (torn > 0) log('skipped %d torn line(s) in %s', torn, this.path)
    // Rewriting at open drops torn lines and settled history.
    await this.rewrite()
    log('opened %s: %d pending', this.path, this.pending.size)
  }

  /** Pending ratings, oldest first. */
  list (): PendingRating[] {
    return [...this.pending.values()]
  }

  get size (): number {
    return this.pending.size
  }

  has (id: string): boolean {
    return this.pending.has(id)
  }

  /** Whether `id` was delivered or rejected lately (a retransmit of it needs only its ACK). */
  settledLately (id: string): boolean {
    return this.recent.has(id)
  }

  private remember (id: string): void {
    this.recent.delete(id)
    this.recent.add(id)
    if (this.recent.size > REMEMBERED_SETTLED) this.recent.delete(this.recent.values().next().value!)
  }

  /**
   * Durably records a press; resolves after fsync. Returns false for a retransmit: a press already pending,
   * or one settled lately (its ACK was lost; it is neither written again nor sent again).
   */
  async add (rating: PendingRating): Promise<boolean> {
    const writing = this.writing.get(rating.id)
    // A retransmit that arrives while the first copy is being fsynced must not be acknowledged before it.
    if (writing !== undefined) { await writing; return false }
    if (this.pending.has(rating.id) || this.recent.has(rating.id)) return false
    this.pending.set(rating.id, rating)
    const write = this.append([{ op: 'rating', ...rating }])
    this.writing.set(rating.id, write)
    try {
      await write
    } catch (error) {
      this.pending.delete(rating.id)
      throw error
    } finally {
      this.writing.delete(rating.id)
    }
    return true
  }

  /** Marks ratings as stored by the API (created or duplicate). */
  async delivered (ids: string[]): Promise<void> {
    await this.settle(ids.map((id) => ({ op: 'delivered', id })))
  }

  /** Marks ratings the API refused for good, so they no longer block the outbox. */
  async rejected (items: Array<{ id: string, code: string }>): Promise<void> {
    await this.settle(items.map(({ id, code }) => ({ op: 'rejected', id, code })))
  }

  private async settle (entries: Entry[]): Promise<void> {
    const known = entries.filter((entry) => this.pending.delete(entry.id))
    if (known.length === 0) return
    for (const entry of known) this.remember(entry.id)
    await this.append(known)
    this.settled += known.length
    if (this.pending.size === 0 && this.settled >= this.compactAfter) await this.serial(() => this.rewrite())
  }

  private async append (entries: Entry[]): Promise<void> {
    const text = entries.map((entry) => JSON.stringify(entry) + '\n').join('')
    await this.serial(async () => {
      this.handle ??= await open(this.path, 'a')
      await this.handle.write(text)
      await this.handle.datasync()
    })
  }

  /** Writes the pending ratings to a new file, fsyncs it and renames it over the journal. */
  private async rewrite (): Promise<void> {
    await this.handle?.close()
    this.handle = null
    const next = join(dirname(this.path), `.${Date.now()}.${process.pid}.journal.tmp`)
    const file = await open(next, 'w')
    try {
      const settled = [...this.recent].map((id) => JSON.stringify({ op: 'settled', id }) + '\n')
      await file.write(settled.join('') + this.list().map((rating) => JSON.stringify({ op: 'rating', ...rating }) + '\n').join(''))
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(next, this.path)
    const folder = await open(dirname(this.path), 'r')
    try { await folder.sync() } finally { await folder.close() }
    this.settled = 0
  }

  /** Runs file operations one at a time, in call order. */
  private serial<T> (fn: () => Promise<T>): Promise<T> {
    const result = this.chain.then(fn, fn)
    this.chain = result.catch(() => {})
    return result
  }

  async close (): Promise<void> {
    await this.serial(async () => { await this.handle?.close(); this.handle = null })
  }
}
