// The rating outbox: every tap is written to IndexedDB first, then sent in batches until the server acknowledges it.
import { ApiError, isUnpaired, type CriteriaAnswers, type RatingItem, type RatingResult } from './api.ts'

type RatingFollowUp = NonNullable<RatingItem['followUp']>

/** A queued rating. `held` while the citizen is still answering the criteria: kept, not yet sent. */
export interface OutboxEntry extends RatingItem {
  held: boolean
  queuedAt: number
}

export interface Outbox {
  /** Resolves once the rating is durably stored. */
  add: (rating: RatingItem, options?: { held?: boolean }) => Promise<void>
  /** Lets a held rating go, with the criteria the citizen answered (none: sent without criteria) and the follow-up answer. */
  release: (id: string, criteria?: CriteriaAnswers, followUp?: RatingFollowUp) => Promise<void>
  /** Stores the criteria answered on a rating still held for the follow-up question: a reload then sends them too. */
  keep: (id: string, criteria: CriteriaAnswers) => Promise<void>
  /** After a reload or power loss nobody is answering any more: send what was held as it is. */
  releaseHeld: () => Promise<number>
  /** Up to `limit` ratings ready to send, oldest first. */
  ready: (limit: number) => Promise<RatingItem[]>
  remove: (ids: string[]) => Promise<void>
  /** Every rating not yet acknowledged, held ones included. */
  count: () => Promise<number>
  close: () => void
}

const STORE = 'outbox'

function done (request: IDBRequest): Promise<void>
function done<T> (request: IDBRequest<T>): Promise<T>
function done<T> (request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

function committed (transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve()
    transaction.onerror = () => reject(transaction.error)
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'))
  })
}

function toItem ({ held: _held, queuedAt: _queuedAt, ...rating }: OutboxEntry): RatingItem {
  return rating
}

/** Opens (creating on first use) the outbox database; `factory` is `indexedDB` in a browser, fake-indexeddb in tests. */
export async function openOutbox (factory: IDBFactory = indexedDB, name = 'hai-long-terminal'): Promise<Outbox> {
  const opening = factory.open(name, 1)
  opening.onupgradeneeded = () => {
    const store = opening.result.createObjectStore(STORE, { keyPath: 'id' })
    store.createIndex('queuedAt', 'queuedAt')
  }
  const db = await done(opening)
  let lastQueuedAt = 0

  // Strict durability: the write is on disk before the citizen sees "thank you", so power loss cannot take it.
  const write = (): { store: IDBObjectStore, finished: Promise<void> } => {
    const transaction = db.transaction(STORE, 'readwrite', { durability: 'strict' })
    return { store: transaction.objectStore(STORE), finished: committed(transaction) }
  }
  const read = (): IDBObjectStore => db.transaction(STORE, 'readonly').objectStore(STORE)

  return {
    async add (rating, options = {}) {
      // Strictly increasing even within one millisecond, so the send order is the tap order.
      lastQueuedAt = Math.max(Date.now(), lastQueuedAt + 1e-3)
      const entry: OutboxEntry = { ...rating, held: options.held ?? false, queuedAt: lastQueuedAt }
      const { store, finished } = write()
      store.put(entry)
      await finished
    },
    async release (id, criteria, followUp) {
      const { store, finished } = write()
      const entry = await done<OutboxEntry | undefined>(store.get(id))
      if (entry !== undefined) {
        entry.held = false
        if (criteria !== undefined && Object.keys(criteria).length > 0) entry.criteria = criteria
        if (followUp !== undefined && Object.keys(followUp).length > 0) entry.followUp = followUp
        store.put(entry)
      }
      await finished
    },
    async keep (id, criteria) {
      const { store, finished } = write()
      const entry = await done<OutboxEntry | undefined>(store.get(id))
      if (entry !== undefined && Object.keys(criteria).length > 0) store.put({ ...entry, criteria })
      await finished
    },
    async releaseHeld () {
      const { store, finished } = write()
      const entries = await done<OutboxEntry[]>(store.getAll())
      const held = entries.filter((entry) => entry.held)
      for (const entry of held) store.put({ ...entry, held: false })
      await finished
      return held.length
    },
    async ready (limit) {
      const index = read().index('queuedAt')
      const ratings: RatingItem[] = []
      return new Promise((resolve, reject) => {
        const cursor = index.openCursor()
        cursor.onerror = () => reject(cursor.error)
        cursor.onsuccess = () => {
          const current = cursor.result
          if (current === null || ratings.length >= limit) return resolve(ratings)
          const entry = current.value as OutboxEntry
          if (!entry.held) ratings.push(toItem(entry))
          current.continue()
        }
      })
    },
    async remove (ids) {
      if (ids.length === 0) return
      const { store, finished } = write()
      for (const id of ids) store.delete(id)
      await finished
    },
    count: () => done(read().count()),
    close: () => db.close()
  }
}

/** Exponential backoff with "equal jitter": half the ceiling plus a random half, so a centre's tablets don't retry in step. */
export function retryDelay (attempt: number, random: () => number = Math.random, baseMs = 2_000, capMs = 300_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30))
  return ceiling / 2 + random() * ceiling / 2
}

export interface SenderStatus {
  /** Ratings not yet acknowledged. */
  pending: number
  /** Ratings the server refused for good since start (they can never succeed, so they are dropped). */
  rejected: number
  /** Whether the last send reached the server; null before the first. */
  reachable: boolean | null
}

export interface SenderOptions {
  outbox: Outbox
  send: (ratings: RatingItem[]) => Promise<RatingResult[]>
  onStatus?: (status: SenderStatus) => void
  /** The token was revoked: sending pauses (the outbox is kept) until `resume()`. */
  onUnpaired?: () => void
  onRejected?: (result: RatingResult) => void
  batchSize?: number
  delay?: (attempt: number) => number
}

export interface Sender {
  /** Try now: a rating was added, the network came back, or the live socket connected. */
  kick: () => void
  /** After pairing again. */
  resume: () => void
  stop: () => void
  /** Resolves when no send is running. */
  idle: () => Promise<void>
}

/** Sends the outbox until it is empty; one send at a time, retried with backoff while the server can't be reached. */
export function createSender (options: SenderOptions): Sender {
  const { outbox, send } = options
  const batchSize = options.batchSize ?? 100
  const delay = options.delay ?? ((attempt: number) => retryDelay(attempt))
  let limit = batchSize
  let attempt = 0
  let rejected = 0
  let reachable: boolean | null = null
  let paused = false
  let stopped = false
  let again = false
  let running: Promise<void> | null = null
  let timer: ReturnType<typeof setTimeout> | null = null

  const report = async (): Promise<void> => {
    if (options.onStatus === undefined) return
    options.onStatus({ pending: await outbox.count(), rejected, reachable })
  }

  const reject = (result: RatingResult): void => {
    rejected++
    options.onRejected?.(result)
  }

  const drain = async (): Promise<void> => {
    // eslint-disable-next-line no-unmodified-loop-condition -- stop() and pause() set these while the loop awaits
    while (!stopped && !paused) {
      const batch = await outbox.ready(limit)
      if (batch.length === 0) return
      let results: RatingResult[]
      try {
        results = await send(batch)
      } catch (error) {
        if (isUnpaired(error)) {
          paused = true
          reachable = true
          options.onUnpaired?.()
          return
        }
        if (error instanceof ApiError && (error.status === 400 || error.status === 413 || error.status === 422)) {
          // The server refused the whole batch: find the one it can never take by sending one at a time.
          reachable = true
          if (batch.length > 1) {
            limit = 1
            continue
          }
          reject({ id: batch[0]!.id, status: 'rejected', error: { code: error.code, message: error.message } })
          await outbox.remove([batch[0]!.id])
          continue
        }
        reachable = !(error instanceof ApiError) || error.status !== 0
        schedule()
        return
      }
      reachable = true
      attempt = 0
      limit = batchSize
      const sent = new Set(batch.map((rating) => rating.id))
      const acknowledged = results.filter((result) => sent.has(result.id))
      for (const result of acknowledged) if (result.status === 'rejected') reject(result)
      await outbox.remove(acknowledged.map((result) => result.id))
      await report()
      if (acknowledged.length === 0) {
        // An answer that acknowledges nothing would otherwise loop at full speed.
        schedule()
        return
      }
    }
  }

  const schedule = (): void => {
    if (timer !== null) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      kick()
    }, delay(attempt++))
  }

  const kick = (): void => {
    if (stopped || paused) return
    if (running !== null) {
      again = true
      return
    }
    if (timer !== null) {
      clearTimeout(timer)
      timer = null
    }
    running = (async () => {
      try {
        do {
          again = false
          await drain()
        // eslint-disable-next-line no-unmodified-loop-condition -- kick(), stop() and pause() set these while the loop awaits
        } while (again && timer === null && !stopped && !paused)
      } catch (error) {
        // IndexedDB itself failed (quota, eviction): keep trying later rather than give up.
        console.error('outbox', error)
        schedule()
      } finally {
        running = null
        await report().catch(() => {})
      }
    })()
  }

  return {
    kick,
    resume () {
      paused = false
      attempt = 0
      kick()
    },
    stop () {
      stopped = true
      if (timer !== null) clearTimeout(timer)
      timer = null
    },
    idle: async () => {
      // eslint-disable-next-line no-unmodified-loop-condition -- the drain in progress clears `running` when it ends
      while (running !== null) await running
    }
  }
}
