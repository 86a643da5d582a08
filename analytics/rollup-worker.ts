// The catch-up worker (started by api/plugins/app/rollup-worker.ts): adds stored ratings to the rollups after their commit, exactly once.
import { sql, type Kysely, type Transaction } from 'kysely'
import { queuedRatingSql, recordRatings, type RatingForRollup } from './rollup-tables.ts'
import type { Category, CriteriaAnswers, Database } from '../db/schema.ts'

export interface RollupWorkerOptions {
  /** Ratings rolled up per transaction. */
  batchSize?: number
  /** Polling interval: catches ratings another server process stored, or a run that failed. */
  intervalMs?: number
  /**
   * Delay after a nudge, so the ratings of many commits are rolled up together: one rollup row per counter and
   * hour then serves many ratings. 500 ms halved the PostgreSQL CPU per rating under load against 50 ms
   * (bench/ingest); figures stay exact meanwhile, as they add the pending ratings.
   */
  nudgeDelayMs?: number
  /**
   * A run starts at least this long after the previous one started (default: the polling interval). Under load the
   * polling and the nudges came ~3 times a second, and each run rewrote one detail rollup row per counter and grain
   * it touched: with 200 counters that was more rollup rows than ratings (docs/ingest.md, "Cost per rating").
   */
  minGapMs?: number
  onError?: (error: unknown) => void
}

interface PendingRow {
  id: string
  unit_id: string
  counter_id: string
  officer_id: string | null
  level: number
  category: Category
  weight: number
  criteria: CriteriaAnswers
  counted_at: Date
  misuse: boolean
}

/**
 * Each run claims queued ratings (`rollup_queue`, deleted with FOR UPDATE SKIP LOCKED) and adds them to the rollups,
 * in one transaction: a crash rolls back both, a second process skips the claimed rows, so every rating is counted
 * once. Figures add the few pending (queued) ratings themselves, so they are exact meanwhile.
 */
export class RollupWorker {
  private readonly batchSize: number
  private readonly intervalMs: number
  private readonly nudgeDelayMs: number
  private readonly minGapMs: number
  /** When the last run started (Date.now()); -Infinity before the first. */
  private lastStart = Number.NEGATIVE_INFINITY
  /** When the last nudge came (Date.now()). */
  private lastNudge = Number.NEGATIVE_INFINITY
  private timer: NodeJS.Timeout | null = null
  private nudgeTimer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private again = false
  private stopped = true

  constructor (private readonly db: Kysely<Database>, private readonly options: RollupWorkerOptions = {}) {
    this.batchSize = options.batchSize ?? 5000
    this.intervalMs = options.intervalMs ?? 1000
    this.nudgeDelayMs = options.nudgeDelayMs ?? 500
    this.minGapMs = options.minGapMs ?? this.intervalMs
  }

  start (): void {
    if (!this.stopped) return
    this.stopped = false
    // The polling skips a tick that comes too soon after a nudged run (a nudge is pending or on its way then).
    this.timer = setInterval(() => {
      const now = Date.now()
      if (now - this.lastStart >= this.minGapMs * 0.9) this.kick(now)
    }, this.intervalMs)
    this.timer.unref()
    this.kick(Date.now())
  }

  /** New ratings were committed: roll them up soon. */
  nudge (): void {
    if (this.stopped) return
    const now = Date.now()
    this.lastNudge = now
    if (this.nudgeTimer !== null) return
    const delay = Math.max(this.nudgeDelayMs, this.lastStart + this.minGapMs - now)
    this.nudgeTimer = setTimeout(() => {
      this.nudgeTimer = null
      // A run that started after the last nudge has seen its ratings already.
      this.kick(this.lastNudge)
    }, delay)
    this.nudgeTimer.unref()
  }

  /** Stops the timers and waits for the run in progress; pending ratings wait for the next start. */
  async stop (): Promise<void> {
    this.stopped = true
    if (this.timer !== null) clearInterval(this.timer)
    if (this.nudgeTimer !== null) clearTimeout(this.nudgeTimer)
    this.timer = null
    this.nudgeTimer = null
    await this.running
  }

  /** Rolls up until nothing is pending (tests, tools). */
  async drain (): Promise<number> {
    let total = 0
    for (;;) {
      const count = await this.runOnce()
      total += count
      if (count === 0) return total
    }
  }

  /** One transaction: claim up to batchSize queued ratings and add them to the rollups. */
  async runOnce (): Promise<number> {
    return this.db.transaction().execute(async (trx) => rollUpPending(trx, this.batchSize))
  }

  /** Runs unless a run that started after `since` (when it was asked for) has done the work already. */
  private kick (since: number): void {
    if (this.stopped || this.lastStart > since) return
    if (this.running !== null) {
      this.again = true
      return
    }
    this.lastStart = Date.now()
    this.running = (async () => {
      try {
        do {
          this.again = false
          this.lastStart = Date.now()
          // A full batch means more are waiting: keep going until a run comes back short.
          while (!this.stopped && await this.runOnce() === this.batchSize) { /* next batch */ }
        } while (this.again && !this.stopped)
      } catch (error) {
        this.options.onError?.(error)
      } finally {
        this.running = null
      }
    })()
  }
}

/**
 * Claims up to `limit` queued ratings (deleting their queue rows, SKIP LOCKED) and adds them to the rollups, in the
 * caller's transaction; answers how many. One statement claims and reads: the ratings are joined by their key.
 */
export async function rollUpPending (trx: Transaction<Database>, limit: number): Promise<number> {
  // By (unit_id, …): the key of both tables on PostgreSQL and on the Citus path (docs/scale.md).
  const pending = await sql<PendingRow>`
    with claimed as (
      delete from rollup_queue q
      using (select unit_id, rating_id from rollup_queue order by unit_id, rating_id limit ${limit} for update skip locked) c
      where q.unit_id = c.unit_id and q.rating_id = c.rating_id
      returning q.unit_id, q.rating_id
    )
    select r.id, r.unit_id, r.counter_id, r.officer_id, r.level, r.category, r.weight, r.criteria, r.counted_at, r.misuse
    from claimed q cross join lateral ${queuedRatingSql} r`.execute(trx)
  if (pending.rows.length === 0) return 0
  const ratings: RatingForRollup[] = pending.rows.map((row) => ({
    unitId: row.unit_id,
    counterId: row.counter_id,
    officerId: row.officer_id,
    level: row.level,
    category: row.category,
    weight: row.weight,
    criteria: row.criteria,
    countedAt: row.counted_at,
    misuse: row.misuse
  }))
  await recordRatings(trx, ratings)
  return pending.rows.length
}
