// Checks and counts attempts against limits shared by every API process (wrong passwords per username and address).
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'
import { TooManyAttemptsError, type AttemptLimit } from '../lib/attempt-limiter.ts'
import { clearAttempts, releaseAttempt, reserveAttempts } from '../repositories/limits.ts'

/**
 * Checks every limit and counts the attempt under each in one atomic step (one statement, one transaction), BEFORE
 * the slow part (the password hash) runs: concurrent attempts, in this process or another, cannot all pass the check
 * (10 at once, at most `max` judged). Throws TooManyAttemptsError with the longest wait, counting nothing; answers
 * the time the attempt was counted at, for `releaseAttempts` when it succeeds.
 */
export async function reserveAttempt (db: Kysely<Database>, limits: Array<{ limit: AttemptLimit, key: string }>): Promise<Date> {
  const keyed = limits.map(({ limit, key }) => ({ key: limit.keyOf(key), max: limit.max, windowMs: limit.windowMs }))
  const answer = await reserveAttempts(db, keyed)
  if ('retryAfterSeconds' in answer) throw new TooManyAttemptsError(answer.retryAfterSeconds)
  return answer.countedAt
}

/** Takes back the attempt counted at `countedAt` under `key` of `limit` (it was a success). */
export async function releaseCountedAttempt (db: Kysely<Database>, limit: AttemptLimit, key: string, countedAt: Date): Promise<void> {
  await releaseAttempt(db, limit.keyOf(key), countedAt)
}

/** Forgets every attempt under `key` of `limit`. */
export async function resetAttempts (db: Kysely<Database>, limit: AttemptLimit, key: string): Promise<void> {
  await clearAttempts(db, limit.keyOf(key))
}
