// The answer to an attempt over its limit, and the limits that are not per IP (a username, a username at an address).
import { ApiError } from '../errors.ts'

/** 429 RATE_LIMITED that knows when to try again: the route sends it as `Retry-After`. */
export class TooManyAttemptsError extends ApiError {
  constructor (readonly retryAfterSeconds: number) {
    super(429, 'RATE_LIMITED', `Too many attempts; try again in ${retryAfterSeconds} seconds`)
  }
}

/**
 * At most `max` attempts in any `windowMs` under one key. The counts live in the database (repositories/limits.ts),
 * so every API process on it counts against the same limit; `name` keeps the keys of two limits apart.
 */
export class AttemptLimit {
  constructor (readonly name: string, readonly max: number, readonly windowMs: number) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new TypeError('name must be lower-case letters, digits and dashes')
    if (!Number.isInteger(max) || max < 1) throw new TypeError('max must be a positive integer')
    if (!Number.isInteger(windowMs) || windowMs < 1) throw new TypeError('windowMs must be a positive integer')
  }

  /** The stored key of `key` under this limit. */
  keyOf (key: string): string {
    return `${this.name}:${key}`
  }
}
