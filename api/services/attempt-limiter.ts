// Counts failed attempts per key (a username) in a sliding window, for limits that are not per IP.
import { ApiError } from '../errors.ts'

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

  /** Throws 429 RATE_LIMITED when `key` has used up its attempts in the window. */
  check (key: string, now = Date.now()): void {
    const list = this.recent(key, now)
    if (list.length >= this.max) {
      const retryIn = Math.ceil((this.windowMs - (now - list[0]!)) / 1000)
      throw new ApiError(429, 'RATE_LIMITED', `Too many attempts; try again in ${retryIn} seconds`)
    }
  }

  fail (key: string, now = Date.now()): void {
    if (this.attempts.size >= this.maxKeys && !this.attempts.has(key)) {
      // Bounded memory: forget the oldest key rather than grow without limit.
      const oldest = this.attempts.keys().next().value
      if (oldest !== undefined) this.attempts.delete(oldest)
    }
    this.attempts.set(key, [...this.recent(key, now), now])
  }

  reset (key: string): void {
    this.attempts.delete(key)
  }
}
