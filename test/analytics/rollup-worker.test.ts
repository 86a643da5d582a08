// The rollup worker: every stored rating reaches the rollups exactly once, also with two workers at once or a failed run.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'
import { RatingIngest } from '../../api/services/ingest.ts'
import { RollupWorker, rollUpPending } from '../../analytics/rollup-worker.ts'
import { build, databaseKind, migratedDatabase, sql, testConfig } from '../helper.ts'
import { ingestTerminalOf, rateOnTerminal, seedCentre } from '../fixtures.ts'

async function counts (db: Kysely<Database>): Promise<{ pending: number; stored: number; monthTotal: number; dayUnsatisfied: number }> {
  const result = await sql<{ pending: number; stored: number; month_total: number; day_unsatisfied: number }>`
    select (select count(*)::int from rollup_queue) as pending,
           (select count(*)::int from ratings) as stored,
           (select coalesce(sum(total), 0)::int from rating_rollups where grain = 'month') as month_total,
           (select coalesce(sum(unsatisfied), 0)::int from rating_rollups where grain = 'day') as day_unsatisfied`.execute(db)
  const row = result.rows[0]!
  return { pending: row.pending, stored: row.stored, monthTotal: row.month_total, dayUnsatisfied: row.day_unsatisfied }
}

/** Waits (up to 10 s) until no rating is pending: the counts then, and how long the worker took since the call. */
async function caughtUp (db: Kysely<Database>): Promise<{ seen: Awaited<ReturnType<typeof counts>>; caughtUpMs: number }> {
  const since = Date.now()
  let seen = await counts(db)
  while (seen.pending > 0 && Date.now() - since < 10_000) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    seen = await counts(db)
  }
  return { seen, caughtUpMs: Date.now() - since }
}

async function storeRatings (db: Kysely<Database>, count: number): Promise<void> {
  const centre = await seedCentre(db)
  const terminal = ingestTerminalOf(centre)
  const ingest = new RatingIngest(db, testConfig({ misuse: { cooldownSeconds: 0, burstCount: 10000, burstWindowSeconds: 1 } }))
  // Levels 1..4 in turn, spread over 40 days: several month and day buckets, a quarter unsatisfied (level 1).
  const ratings = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    level: (i % 4) + 1,
    ratedAt: new Date(Date.now() - (i * 24 * 3600_000) / 3 - 60_000).toISOString()
  }))
  const results = await ingest.submit(terminal, ratings)
  await ingest.drain()
  if (results.some((result) => result.status !== 'created')) throw new Error('seeding ratings failed')
}

t.test(`stored ratings wait as pending until the worker rolls them up (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  await storeRatings(db, 120)
  t.match(await counts(db), { pending: 120, stored: 120, monthTotal: 0 }, 'the ingest commits the ratings only')

  // Two workers with small batches at once: claimed rows are skipped by the other, none counted twice.
  const a = new RollupWorker(db, { batchSize: 7 })
  const b = new RollupWorker(db, { batchSize: 11 })
  const [byA, byB] = await Promise.all([a.drain(), b.drain()])
  t.equal(byA + byB, 120, 'the two workers together rolled up each rating once')
  t.same(await counts(db), { pending: 0, stored: 120, monthTotal: 120, dayUnsatisfied: 30 }, 'rollups hold every rating once')
  t.equal(await a.drain(), 0, 'a further run finds nothing')
})

t.test(`a run that fails changes neither the rollups nor the marks (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  await storeRatings(db, 10)
  await t.rejects(
    db.transaction().execute(async (trx) => {
      t.equal(await rollUpPending(trx, 100), 10, 'the run claimed all ten')
      throw new Error('crash before commit')
    }),
    /crash before commit/
  )
  t.match(await counts(db), { pending: 10, monthTotal: 0 }, 'rolled back: still pending, not counted')
  await new RollupWorker(db).drain()
  t.match(await counts(db), { pending: 0, monthTotal: 10 }, 'the next run counts them once')
})

t.test(`the server rolls up ratings shortly after they are stored (${databaseKind})`, async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const presses = Array.from({ length: 5 }, (_, i) => ({ level: i % 2 === 0 ? 4 : 1, secondsAgo: 60 * (i + 1) }))
  await rateOnTerminal(app, centre.terminal.token, presses)
  const deadline = Date.now() + 30_000
  let seen = await counts(app.db)
  while (seen.pending > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    seen = await counts(app.db)
  }
  t.same(seen, { pending: 0, stored: 5, monthTotal: 5, dayUnsatisfied: 2 }, 'rolled up with no one asking')
})

t.test(`under a stream of commits the worker runs at most once per interval, and still soon (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  const centre = await seedCentre(db)
  const terminal = ingestTerminalOf(centre)
  const ingest = new RatingIngest(db, testConfig({ misuse: { cooldownSeconds: 0, burstCount: 10000, burstWindowSeconds: 1 } }))
  // Each run rewrites one detail rollup row per counter and grain it touches: runs close together cost rows, not ratings.
  let runs = 0
  class CountingWorker extends RollupWorker {
    override async runOnce (): Promise<number> {
      runs++
      return super.runOnce()
    }
  }
  const intervalMs = 1000
  const worker = new CountingWorker(db, { intervalMs, nudgeDelayMs: 5 })
  t.teardown(async () => {
    await worker.stop()
    await db.destroy()
    await drop()
  })
  worker.start()
  const started = Date.now()
  let stored = 0
  // 20 commits ~25 ms apart, each nudging the worker (as the ingest does after its commit).
  for (let commit = 0; commit < 20; commit++) {
    const results = await ingest.submit(terminal, [{ id: randomUUID(), level: 1 + (stored % 4), ratedAt: new Date().toISOString() }])
    if (results[0]?.status === 'created') stored++
    worker.nudge()
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  const streamMs = Date.now() - started
  const { seen, caughtUpMs } = await caughtUp(db)
  t.equal(stored, 20, 'the stream stored 20 ratings')
  t.same(seen, { pending: 0, stored, monthTotal: stored, dayUnsatisfied: seen.dayUnsatisfied }, 'every rating rolled up once')
  // One run at start, then at most one per interval (+1 for the timers' rounding); the 20 nudges asked for 20.
  const allowed = Math.ceil(streamMs / (intervalMs * 0.9)) + 2
  t.ok(runs <= allowed, `${runs} runs in ${streamMs} ms (at most ${allowed})`)
  t.ok(caughtUpMs <= 2 * intervalMs + 3000, `the last rating was rolled up ${caughtUpMs} ms after its nudge`)
})

t.test(`a queued rating with a criterion code no criterion has is still counted, under a slot of its own (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  await storeRatings(db, 4)
  // A rating carrying a code outside `criteria` (say, imported from an older system) and one known code.
  await sql`update ratings set criteria = '{"xin_chao": true, "old_code": false}'::jsonb
    where id = (select id from ratings order by rated_at limit 1)`.execute(db)
  t.equal(await new RollupWorker(db).drain(), 4, 'every queued rating is rolled up')
  const slot = await sql<{ slot: number }>`select slot from criterion_slots where code = 'old_code'`.execute(db)
  t.equal(slot.rows.length, 1, 'the stray code got a slot')
  const sums = await sql<{ total: number; answered: number; met: number }>`
    select sum(total)::int as total, sum(answered[${slot.rows[0]!.slot}])::int as answered, sum(met[${slot.rows[0]!.slot}])::int as met
    from rating_rollups where grain = 'year'`.execute(db)
  t.same(sums.rows[0], { total: 4, answered: 1, met: 0 }, 'its answer is counted once, as answered and not met')
})

t.test(`two API processes' workers under a stream of commits run at most once per interval between them (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  const centre = await seedCentre(db)
  const terminal = ingestTerminalOf(centre)
  const ingest = new RatingIngest(db, testConfig({ misuse: { cooldownSeconds: 0, burstCount: 10000, burstWindowSeconds: 1 } }))
  // Each process runs a worker nudged by its own commits; every run rewrites the rollup rows of the counters it
  // touches, so two workers each running once per interval rewrote the same rows twice as often for half the ratings.
  const runs = { a: 0, b: 0 }
  class CountingWorker extends RollupWorker {
    constructor (private readonly name: 'a' | 'b', intervalMs: number) {
      super(db, { intervalMs, nudgeDelayMs: 5 })
    }

    override async runOnce (): Promise<number> {
      runs[this.name]++
      return super.runOnce()
    }
  }
  const intervalMs = 400
  const a = new CountingWorker('a', intervalMs)
  const b = new CountingWorker('b', intervalMs)
  t.teardown(async () => {
    await a.stop()
    await b.stop()
    await db.destroy()
    await drop()
  })
  a.start()
  b.start()
  const started = Date.now()
  let stored = 0
  // Commits ~40 ms apart for ~3 s, stored by the two processes in turn, each nudging its own worker.
  for (let commit = 0; Date.now() - started < 3000; commit++) {
    const results = await ingest.submit(terminal, [{ id: randomUUID(), level: 1 + (stored % 4), ratedAt: new Date().toISOString() }])
    if (results[0]?.status === 'created') stored++
    ;(commit % 2 === 0 ? a : b).nudge()
    await new Promise((resolve) => setTimeout(resolve, 40))
  }
  const { seen, caughtUpMs } = await caughtUp(db)
  const elapsedMs = Date.now() - started
  t.ok(stored >= 10, `the stream stored ${stored} ratings`)
  t.same(seen, { pending: 0, stored, monthTotal: stored, dayUnsatisfied: seen.dayUnsatisfied }, 'every rating rolled up once')
  // One process alone would run about once an interval; two, each on its own timer, twice as often.
  const total = runs.a + runs.b
  const allowed = Math.ceil(elapsedMs / (intervalMs * 0.9)) + 2
  t.ok(total <= allowed, `${total} runs (${runs.a} + ${runs.b}) in ${elapsedMs} ms (at most ${allowed})`)
  t.ok(caughtUpMs <= 2 * intervalMs + 3000, `the last rating was rolled up ${caughtUpMs} ms after its nudge`)
})

t.test(`an idle worker writes nothing: with no rating queued it leaves the shared turn alone (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  const worker = new RollupWorker(db, { intervalMs: 50 })
  t.teardown(async () => {
    await worker.stop()
    await db.destroy()
    await drop()
  })
  const turn = async (): Promise<string> =>
    (await sql<{ started: string }>`select started_at::text as started from rollup_turn`.execute(db)).rows[0]!.started
  worker.start()
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.equal(await turn(), '-infinity', 'ten polling ticks with nothing queued took no turn')
  await storeRatings(db, 3)
  const { seen } = await caughtUp(db)
  t.match(seen, { pending: 0, monthTotal: 3 }, 'queued ratings are rolled up by the polling')
  t.not(await turn(), '-infinity', 'and that run took the turn')
})
