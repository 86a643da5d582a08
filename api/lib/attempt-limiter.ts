// Counts attempts per key (a username, a username at an address) in a sliding window, for limits that are not per IP.
import { ApiError } from '../errors.ts'

/** 429 RATE_LIMITED that knows when to try again: the route sends it as `Retry-After`. */
export class TooManyAttemptsError extends ApiError {
  constructor (readonly retryAfterSeconds: number) {
    super(429, 'RATE_LIMITED', `Too many attempts; try again in ${retryAfterSeconds} seconds`)
  }
}

export class AttemptLimiter {
  private readonly attempts = new Map<string, number[]>()

  constructor (private readonly max: number, private readonly windowMs: number, private readonly maxKeys = 10000) {
    if (!Number.isInteger(max) || max < 1) throw new TypeError('max must be a positive integer')
    if (!(windowMs > 0)) throw new TypeError('windowMs must be positive')
  }

  private recent (key: string, now: number): number[] {
    const list = (this.attempts.get(key) ?? []).filter((at) => now - at < this.windowMs)
    if (list.length === 0) this.attempts.delete(key)
    else this.attempts.set(key, list)
    return list
  }

  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfter (key: string, now = Date.now()): number {
    const list = this.recent(key, now)
    if (list.length < this.max) return 0
    return Math.max(1, Math.ceil((this.windowMs - (now - list[list.length - this.max]!)) / 1000))
  }

  /** Throws 429 RATE_LIMITED when `key` has used up its attempts in the window. */
  check (key: string, now = Date.now()): void {
    const wait = this.retryAfter(key, now)
    if (wait > 0) throw new TooManyAttemptsError(wait)
  }

  /** Counts one attempt at `now`. */
  fail (key: string, now = Date.now()): void {
    if (this.attempts.size >= this.maxKeys && !this.attempts.has(key)) {
      // Bounded memory: forget the oldest key rather than grow without limit.
      const oldest = this.attempts.keys().next().value
      if (oldest !== undefined) this.attempts.delete(oldest)
    }
    this.attempts.set(key, [...this.recent(key, now), now])
  }

  /** Takes back one attempt counted at `at` (it turned out to be a success). */
  release (key: string, at: number): void {
    const list = this.attempts.get(key)
    const index = list?.indexOf(at) ?? -1
    if (index < 0) return
    list!.splice(index, 1)
    if (list!.length === 0) this.attempts.delete(key)
  }

  reset (key: string): void {
    this.attempts.delete(key)
  }
}

/**
 * Checks every limit and counts the attempt under each in one synchronous step, BEFORE the slow part (the password
 * hash) runs: with no await between check and count, concurrent attempts cannot all pass the check (10 at once, at
 * most `max` judged). Throws TooManyAttemptsError with the longest wait; answers the time the attempt was counted at,
 * for `release` when it succeeds.
 */
export function reserveAttempt (limits: Array<{ limiter: AttemptLimiter, key: string }>, now = Date.now()): number {
  const wait = Math.max(0, ...limits.map(({ limiter, key }) => limiter.retryAfter(key, now)))
  if (wait > 0) throw new TooManyAttemptsError(wait)
  for (const { limiter, key } of limits) limiter.fail(key, now)
  return now
}
