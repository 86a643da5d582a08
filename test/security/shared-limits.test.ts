// The limits every API process shares (issue 20): attempt windows, rate-limit counters and unknown-code lockouts in
// the database. Sliding windows with a taken-back attempt, all-or-nothing counting, and old rows cleaned up.
import t from 'tap'
import { sql } from 'kysely'
import { migratedDatabase } from '../helper.ts'
import {
  claimUnknownCodeAttempt,
  countRateLimitHit,
  deleteExpiredLimits,
  releaseAttempt,
  reserveAttempts
} from '../../api/repositories/limits.ts'

const fresh = await migratedDatabase()
const db = fresh.db
t.teardown(async () => {
  await db.destroy()
  await fresh.drop()
})

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('a window counts up to its max, tells how long to wait, and takes an attempt back', async (t) => {
  const limit = { key: 'window-a', max: 3, windowMs: 60_000 }
  const counted: Date[] = []
  for (let i = 0; i < 3; i++) {
    const answer = await reserveAttempts(db, [limit])
    if (!('countedAt' in answer)) throw new Error('refused too early')
    counted.push(answer.countedAt)
  }
  const refused = await reserveAttempts(db, [limit])
  t.ok('retryAfterSeconds' in refused, 'the fourth attempt in the window is refused')
  const seconds = 'retryAfterSeconds' in refused ? refused.retryAfterSeconds : 0
  t.ok(seconds >= 1 && seconds <= 60, `Retry-After ${seconds} s`)
  await releaseAttempt(db, limit.key, counted[1]!)
  t.ok('countedAt' in await reserveAttempts(db, [limit]), 'after one attempt is taken back, one more is counted')
  t.ok('retryAfterSeconds' in await reserveAttempts(db, [limit]), 'and then the window is full again')
})

t.test('two limits count together or not at all', async (t) => {
  const narrow = { key: 'both-narrow', max: 1, windowMs: 60_000 }
  const wide = { key: 'both-wide', max: 5, windowMs: 60_000 }
  t.ok('countedAt' in await reserveAttempts(db, [narrow, wide]))
  t.ok('retryAfterSeconds' in await reserveAttempts(db, [narrow, wide]), 'the narrow limit is used up')
  const row = await db.selectFrom('attempt_windows').select(sql<number>`cardinality(attempts)`.as('n'))
    .where('key', '=', wide.key).executeTakeFirstOrThrow()
  t.equal(row.n, 1, 'the refused attempt was not counted under the wide limit either')
})

t.test('20 concurrent attempts on one key: exactly max are counted', async (t) => {
  const limit = { key: 'concurrent', max: 5, windowMs: 60_000 }
  const answers = await Promise.all(Array.from({ length: 20 }, () => reserveAttempts(db, [limit])))
  t.equal(answers.filter((answer) => 'countedAt' in answer).length, 5)
})

t.test('a rate-limit window starts at its first hit and resets after it', async (t) => {
  t.same((await countRateLimitHit(db, 'route-a', 60_000)).hits, 1)
  const second = await countRateLimitHit(db, 'route-a', 60_000)
  t.equal(second.hits, 2)
  t.ok(second.ttlMs > 0 && second.ttlMs <= 60_000, `resets in ${second.ttlMs} ms`)
  await countRateLimitHit(db, 'route-short', 20)
  await wait(40)
  t.equal((await countRateLimitHit(db, 'route-short', 20)).hits, 1, 'a new window after the old one reset')
})

t.test('an unknown code locks at the fifth wrong PIN and claims nothing while locked', async (t) => {
  const claims = []
  for (let i = 0; i < 6; i++) claims.push(await claimUnknownCodeAttempt(db, 'unit:nobody', 5, 15))
  t.same(claims, [
    { claimed: true, locking: false },
    { claimed: true, locking: false },
    { claimed: true, locking: false },
    { claimed: true, locking: false },
    { claimed: true, locking: true },
    { claimed: false }
  ])
})

t.test('expired rows are deleted; live ones stay', async (t) => {
  await reserveAttempts(db, [{ key: 'gone-soon', max: 5, windowMs: 10 }])
  await reserveAttempts(db, [{ key: 'still-live', max: 5, windowMs: 3_600_000 }])
  await countRateLimitHit(db, 'rate-gone-soon', 10)
  await countRateLimitHit(db, 'rate-still-live', 60_000)
  await claimUnknownCodeAttempt(db, 'unit:quiet', 5, 15)
  await claimUnknownCodeAttempt(db, 'unit:recent', 5, 15)
  await db.updateTable('unknown_code_lockouts').set({ touched_at: sql<Date>`now() - interval '2 days'` })
    .where('key', '=', 'unit:quiet').execute()
  await wait(30)
  const deleted = await deleteExpiredLimits(db)
  t.ok(deleted >= 3, `${deleted} rows deleted`)
  const keys = async (table: 'attempt_windows' | 'rate_limit_counters' | 'unknown_code_lockouts') =>
    (await db.selectFrom(table).select('key').execute()).map((row) => row.key)
  t.notOk((await keys('attempt_windows')).includes('gone-soon'), 'a window whose attempts all left it')
  t.ok((await keys('attempt_windows')).includes('still-live'))
  t.notOk((await keys('rate_limit_counters')).includes('rate-gone-soon'), 'a rate-limit window that reset')
  t.ok((await keys('rate_limit_counters')).includes('rate-still-live'))
  t.notOk((await keys('unknown_code_lockouts')).includes('unit:quiet'), 'an unknown code untried for two days')
  t.ok((await keys('unknown_code_lockouts')).includes('unit:recent'))
})
