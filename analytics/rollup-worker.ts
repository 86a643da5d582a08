// The catch-up worker (started by api/plugins/app/rollup-worker.ts): adds stored ratings to the rollups after their commit, exactly once.
import { sql, type Kysely, type Transaction } from 'kysely'
import { addToRollups, beginRollupRun, queuedRatingSql, slotsFor } from './rollup-tables.ts'
import type { Database } from '../db/schema.ts'

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
   * A run starts at least this long after the previous one, by any API process, started (default: the polling
   * interval; GAP_SLACK of it, for the timers' rounding). Under load the polling and the nudges came ~3 times a
   * second, and each run rewrote one detail rollup row per counter and grain it touched: with 200 counters that was
   * more rollup rows than ratings (docs/ingest.md, "Cost per rating").
   */
  minGapMs?: number
  onError?: (error: unknown) => void
}

/** A timer may fire a little early: a run counts as due at this share of minGapMs after the last one started. */
const GAP_SLACK = 0.9

/**
 * Each run claims queued ratings (`rollup_queue`, deleted with FOR UPDATE SKIP LOCKED) and adds them to the rollups,
 * in one transaction: a crash rolls back both, a second process skips the claimed rows, so every rating is counted
 * once. Figures add the few pending (queued) ratings themselves, so they are exact meanwhile. Runs are shared out
 * between the API processes: a timer or nudge starts one only when the last run by any process started at least
 * minGapMs ago (takeTurn).
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
      if (now - this.lastStart >= this.minGapMs * GAP_SLACK) this.kick(now)
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
    try {
      return await this.db.transaction().execute(async (trx) => rollUpPending(trx, this.batchSize))
    } catch (error) {
      if (!(error instanceof StrayCriterionCodes)) throw error
      // Slots for them in a transaction of their own (the run's was rolled back), then the same claim again.
      await slotsFor(this.db, error.codes)
      return this.db.transaction().execute(async (trx) => rollUpPending(trx, this.batchSize))
    }
  }

  /**
   * Whether a run may start now, taking the turn if so: the last run by ANY process (the one row of `rollup_turn`, on
   * the database's clock) started at least ~minGapMs ago. Every API process runs a worker; without this each ran on
   * its own timer, so N processes made N times the runs, each rewriting the same rollup rows for 1/N of the ratings
   * (docs/ingest.md, tenth pass). With nothing queued there is no run and the row is left alone. drain() and
   * runOnce() do not ask: they roll up whatever is pending.
   */
  private async takeTurn (): Promise<boolean> {
    // Only with ratings queued: an idle server's polling then writes nothing (no row version, no WAL) every second.
    const taken = await sql<{ taken: boolean }>`update rollup_turn set started_at = clock_timestamp()
      where started_at <= clock_timestamp() - make_interval(secs => ${(this.minGapMs * GAP_SLACK) / 1000}::float8)
        and exists (select from rollup_queue)
      returning true as taken`.execute(this.db)
    return taken.rows.length > 0
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
          // Another process's run started less than an interval ago: its next run claims this process's ratings too.
          if (!await this.takeTurn()) continue
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

/** Ratings in the queue carry criterion codes no slot was made for: made now, then the run is tried again. */
export class StrayCriterionCodes extends Error {
  constructor (readonly codes: string[]) {
    super(`queued ratings carry criterion codes without a slot: ${codes.join(', ')}`)
    this.name = 'StrayCriterionCodes'
  }
}

/**
 * Claims up to `limit` queued ratings (deleting their queue rows, SKIP LOCKED) and adds them to the rollups, in the
 * caller's transaction and in one statement that never brings the ratings out of PostgreSQL (addToRollups); answers
 * how many. The ratings are joined by their key. Slots are made first for every criterion code there is (a rating
 * only carries codes of `criteria`, checked at ingest); a code found without one throws StrayCriterionCodes, which
 * rolls the claim back.
 */
export async function rollUpPending (trx: Transaction<Database>, limit: number): Promise<number> {
  await beginRollupRun(trx)
  const codes = await trx.selectFrom('criteria').select('code').execute()
  const slots = await slotsFor(trx, codes.map((row) => row.code))
  // By (unit_id, …): the key of both tables on PostgreSQL and on the Citus path (docs/scale.md).
  const { added, strayCodes } = await addToRollups(trx, {
    with: sql`claimed as (
      delete from rollup_queue q
      using (select unit_id, rating_id from rollup_queue order by unit_id, rating_id limit ${limit} for update skip locked) c
      where q.unit_id = c.unit_id and q.rating_id = c.rating_id
      returning q.unit_id, q.rating_id
    )`,
    ratings: sql`select r.unit_id, r.counter_id, r.officer_id, r.level, r.category, r.weight, r.criteria, r.counted_at, r.misuse
      from claimed q cross join lateral ${queuedRatingSql} r`
  }, slots, 1, { reuseAs: `claim ${limit}` })
  if (strayCodes.length > 0) throw new StrayCriterionCodes(strayCodes)
  return added
}
