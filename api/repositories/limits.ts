// Attempt windows, rate-limit counters and unknown staff codes' PIN lockouts: limits shared by every API process.
// Each check and its count are one statement whose row lock orders concurrent attempts, in whichever process.
import { sql, type Kysely } from 'kysely'
import type { Database, Db } from '../../db/schema.ts'
import type { PinClaim } from './officers.ts'

export interface AttemptLimit {
  key: string
  max: number
  windowMs: number
}

/** Attempt times are kept to the millisecond, so the time handed back finds its attempt again (`releaseAttempt`). */
const now = sql<Date>`date_trunc('milliseconds', now())`

/**
 * Counts one attempt under every limit, or under none: in one transaction, one upsert per key (in key order, so two
 * of them never wait on each other) whose update only happens while the window holds fewer than `max` attempts. The
 * row lock makes a concurrent attempt on the same key wait and then see this one. Answers the time counted, or how
 * many seconds to wait when any limit is used up (nothing is counted then).
 */
export async function reserveAttempts (
  db: Kysely<Database>,
  limits: readonly AttemptLimit[]
): Promise<{ countedAt: Date } | { retryAfterSeconds: number }> {
  const sorted = [...limits].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const refused = Symbol('refused')
  try {
    return await db.transaction().execute(async (trx) => {
      const inWindow = (column: string) => sql`array(select at from unnest(${sql.ref(column)}) as kept(at)
        where at > now() - excluded.window_ms * interval '1 millisecond' order by at)`
      const rows = await sql<{ counted_at: Date }>`
        insert into attempt_windows as w (key, attempts, window_ms, max_attempts, expires_at)
        select key, array[${now}], window_ms, max_attempts, now() + window_ms * interval '1 millisecond'
        from unnest(${sorted.map((limit) => limit.key)}::text[], ${sorted.map((limit) => limit.windowMs)}::int[],
          ${sorted.map((limit) => limit.max)}::int[]) with ordinality as l(key, window_ms, max_attempts, n)
        order by n
        on conflict (key) do update set
          attempts = ${inWindow('w.attempts')} || excluded.attempts,
          window_ms = excluded.window_ms,
          max_attempts = excluded.max_attempts,
          expires_at = excluded.expires_at
        where cardinality(${inWindow('w.attempts')}) < excluded.max_attempts
        returning ${now} as counted_at`.execute(trx)
      if (rows.rows.length < sorted.length) throw refused
      return { countedAt: rows.rows[0]!.counted_at }
    })
  } catch (error) {
    if (error !== refused) throw error
  }
  return { retryAfterSeconds: await retryAfter(db, sorted) }
}

/** Seconds until every limit has room again (at least 1). */
async function retryAfter (db: Db, limits: readonly AttemptLimit[]): Promise<number> {
  const rows = await db.selectFrom('attempt_windows')
    .select(['attempts', 'window_ms', 'max_attempts', sql<Date>`now()`.as('now')])
    .where('key', 'in', limits.map((limit) => limit.key))
    .execute()
  let wait = 1
  for (const row of rows) {
    const now = new Date(row.now).getTime()
    const recent = row.attempts.map((at) => new Date(at).getTime()).filter((at) => now - at < row.window_ms).sort((a, b) => a - b)
    if (recent.length < row.max_attempts) continue
    const oldestThatCounts = recent[recent.length - row.max_attempts]!
    wait = Math.max(wait, Math.ceil((row.window_ms - (now - oldestThatCounts)) / 1000))
  }
  return wait
}

/** Takes back the attempt counted at `at` under `key` (it turned out to be a success). */
export async function releaseAttempt (db: Db, key: string, at: Date): Promise<void> {
  const position = sql`array_position(attempts, ${at}::timestamptz)`
  await db.updateTable('attempt_windows')
    .set({ attempts: sql<Date[]>`attempts[:${position} - 1] || attempts[${position} + 1:]` })
    .where('key', '=', key)
    .where(sql<boolean>`${position} is not null`)
    .execute()
}

/** Forgets every attempt under `key`. */
export async function clearAttempts (db: Db, key: string): Promise<void> {
  await db.deleteFrom('attempt_windows').where('key', '=', key).execute()
}

/**
 * One hit of @fastify/rate-limit's fixed window under `key`: the window starts at the first hit and lasts
 * `windowMs`. Answers the hits so far in the window (this one included) and the milliseconds until it resets.
 */
export async function countRateLimitHit (db: Db, key: string, windowMs: number): Promise<{ hits: number, ttlMs: number }> {
  const resetsAt = sql<Date>`now() + ${windowMs}::int * interval '1 millisecond'`
  const row = await sql<{ hits: number, ttl_ms: number }>`
    insert into rate_limit_counters as c (key, hits, resets_at) values (${key}, 1, ${resetsAt})
    on conflict (key) do update set
      hits = case when c.resets_at <= now() then 1 else c.hits + 1 end,
      resets_at = case when c.resets_at <= now() then excluded.resets_at else c.resets_at end
    returning hits, greatest(0, ceil(extract(epoch from resets_at - now()) * 1000))::int as ttl_ms`.execute(db)
  const { hits, ttl_ms: ttlMs } = row.rows[0]!
  return { hits, ttlMs }
}

/** The window under `key` as it stands, counting nothing (`{ increment: false }`). */
export async function readRateLimit (db: Db, key: string): Promise<{ hits: number, ttlMs: number }> {
  const row = await db.selectFrom('rate_limit_counters')
    .select(['hits', sql<number>`ceil(extract(epoch from resets_at - now()) * 1000)::int`.as('ttl_ms')])
    .where('key', '=', key)
    .where('resets_at', '>', sql<Date>`now()`)
    .executeTakeFirst()
  return row === undefined ? { hits: 0, ttlMs: 0 } : { hits: row.hits, ttlMs: row.ttl_ms }
}

/**
 * A wrong-PIN claim for a staff code unknown at a unit, the same statement shape as `claimPinAttempt` on officers:
 * the `attempts`-th claim locks for `lockMinutes` and resets the count; while locked nothing is claimed.
 */
export async function claimUnknownCodeAttempt (db: Db, key: string, attempts: number, lockMinutes: number): Promise<PinClaim> {
  const lockedUntil = sql<Date>`now() + ${sql.lit(lockMinutes)} * interval '1 minute'`
  const row = await sql<{ pin_failures: number }>`
    insert into unknown_code_lockouts as u (key, pin_failures, pin_locked_until, touched_at)
    values (${key}, ${attempts <= 1 ? 0 : 1}, ${attempts <= 1 ? lockedUntil : null}, now())
    on conflict (key) do update set
      pin_failures = case when u.pin_failures + 1 >= ${attempts} then 0 else u.pin_failures + 1 end,
      pin_locked_until = case when u.pin_failures + 1 >= ${attempts} then ${lockedUntil} else u.pin_locked_until end,
      touched_at = now()
    where u.pin_locked_until is null or u.pin_locked_until <= now()
    returning pin_failures`.execute(db)
  const claimed = row.rows[0]
  if (claimed === undefined) return { claimed: false }
  return { claimed: true, locking: claimed.pin_failures === 0 }
}

/**
 * Deletes what no limit needs any more: windows whose newest attempt has left them, rate-limit windows that reset,
 * and unknown codes neither locked nor tried for `unknownCodeDays` days. Answers the number of rows deleted.
 */
export async function deleteExpiredLimits (db: Db, unknownCodeDays = 1): Promise<number> {
  const windows = await db.deleteFrom('attempt_windows').where('expires_at', '<=', sql<Date>`now()`).executeTakeFirst()
  const counters = await db.deleteFrom('rate_limit_counters').where('resets_at', '<=', sql<Date>`now()`).executeTakeFirst()
  const codes = await db.deleteFrom('unknown_code_lockouts')
    .where('touched_at', '<', sql<Date>`now() - ${sql.lit(unknownCodeDays)} * interval '1 day'`)
    .where((eb) => eb.or([eb('pin_locked_until', 'is', null), eb('pin_locked_until', '<=', sql<Date>`now()`)]))
    .executeTakeFirst()
  return [windows, counters, codes].reduce((sum, result) => sum + Number(result.numDeletedRows), 0)
}
