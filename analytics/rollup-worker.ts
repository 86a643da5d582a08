// The catch-up worker (started by api/plugins/app/rollup-worker.ts): adds stored ratings to the rollups after their commit, exactly once.
import { sql, type Kysely, type Transaction } from 'kysely'
import { recordRatings, type RatingForRollup } from './rollup-tables.ts'
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
 * Each run claims pending ratings (`rolled_up = false`) with FOR UPDATE SKIP LOCKED, adds them to the rollups
 * and marks them, in one transaction: a crash rolls back both, a second process skips the claimed rows, so
 * every rating is counted once. Figures add the few pending ratings themselves, so they are exact meanwhile.
 */
export class RollupWorker {
  private readonly batchSize: number
  private readonly intervalMs: number
  private readonly nudgeDelayMs: number
  private timer: NodeJS.Timeout | null = null
  private nudgeTimer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null
  private again = false
  private stopped = true

  constructor (private readonly db: Kysely<Database>, private readonly options: RollupWorkerOptions = {}) {
    this.batchSize = options.batchSize ?? 5000
    this.intervalMs = options.intervalMs ?? 1000
    this.nudgeDelayMs = options.nudgeDelayMs ?? 500
  }

  start (): void {
    if (!this.stopped) return
    this.stopped = false
    this.timer = setInterval(() => this.kick(), this.intervalMs)
    this.timer.unref()
    this.kick()
  }

  /** New ratings were committed: roll them up soon. */
  nudge (): void {
    if (this.stopped || this.nudgeTimer !== null) return
    this.nudgeTimer = setTimeout(() => {
      this.nudgeTimer = null
      this.kick()
    }, this.nudgeDelayMs)
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

  /** One transaction: claim up to batchSize pending ratings, add them to the rollups, mark them. */
  async runOnce (): Promise<number> {
    return this.db.transaction().execute(async (trx) => rollUpPending(trx, this.batchSize))
  }

  private kick (): void {
    if (this.stopped) return
    if (this.running !== null) {
      this.again = true
      return
    }
    this.running = (async () => {
      try {
        do {
          this.again = false
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

/** Claims, rolls up and marks up to `limit` pending ratings in the caller's transaction; answers how many. */
export async function rollUpPending (trx: Transaction<Database>, limit: number): Promise<number> {
  const pending = await sql<PendingRow>`
    select id, unit_id, counter_id, officer_id, level, category, weight, criteria, counted_at, misuse
    from ratings where not rolled_up
    order by unit_id, counted_at
    limit ${limit}
    for update skip locked`.execute(trx)
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
  // By (unit_id, id): the key on PostgreSQL and on the Citus path (docs/scale.md).
  const unitIds = sql.val(pending.rows.map((row) => row.unit_id))
  const ids = sql.val(pending.rows.map((row) => row.id))
  await sql`update ratings r set rolled_up = true
    from unnest(${unitIds}::uuid[], ${ids}::uuid[]) as p(unit_id, id)
    where r.unit_id = p.unit_id and r.id = p.id`.execute(trx)
  return pending.rows.length
}
