// Rate limiting (@fastify/rate-limit) for the routes that ask for it: login, pairing, officer PINs. Its counters are
// in the database (a custom store), so every API process counts against the same limits.
import fp from 'fastify-plugin'
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema.ts'
import { ApiError } from '../../errors.ts'
import { countRateLimitHit, deleteExpiredLimits, readRateLimit } from '../../repositories/limits.ts'

/** How often expired attempt windows, rate-limit counters and stale unknown-code lockouts are deleted. */
const CLEANUP_MS = 10 * 60_000

/**
 * A store of @fastify/rate-limit counting in PostgreSQL (or PGlite): one upsert per hit (row-locked, so concurrent
 * hits from any process each count once), keyed by route and the route's key (the address, or the terminal).
 */
export function databaseStore (db: Kysely<Database>): FastifyRateLimitStoreCtor {
  class DatabaseStore {
    constructor (_options: unknown, private readonly prefix = '') {}

    incr (key: string, callback: (error: Error | null, result?: { current: number, ttl: number }) => void, timeWindow: number): void {
      countRateLimitHit(db, this.prefix + key, timeWindow).then(
        ({ hits, ttlMs }) => callback(null, { current: hits, ttl: ttlMs }),
        (error: Error) => callback(error)
      )
    }

    read (key: string, callback: (error: Error | null, result?: { current: number, ttl: number }) => void): void {
      readRateLimit(db, this.prefix + key).then(
        ({ hits, ttlMs }) => callback(null, { current: hits, ttl: ttlMs }),
        (error: Error) => callback(error)
      )
    }

    // The plugin hands a route's merged limit options, its route under `routeInfo` (as its RedisStore reads it).
    child (options: object): DatabaseStore {
      const routeOptions = options as { routeInfo?: { method?: unknown, url?: unknown } }
      const method = String(routeOptions.routeInfo?.method ?? '')
      const url = String(routeOptions.routeInfo?.url ?? '')
      return new DatabaseStore(null, `${this.prefix}${method} ${url} `)
    }
  }
  return DatabaseStore as unknown as FastifyRateLimitStoreCtor
}

const rateLimitOptions = {
  global: false,
  errorResponseBuilder: (_request: unknown, context: { after: string }) =>
    new ApiError(429, 'RATE_LIMITED', `Too many attempts; try again in ${context.after}`)
}

// The plugin runs one limiter per request: per-key limits beyond the IP use lib/attempt-limiter.ts.
export default fp(
  async (app) => {
    await app.register(rateLimit, { ...rateLimitOptions, store: databaseStore(app.db) })
    // Every process sweeps (the deletes are idempotent): the tables stay as small as the live windows.
    const sweep = (): void => {
      deleteExpiredLimits(app.db).catch((error: unknown) => app.log.warn({ err: error }, 'deleting expired limits failed'))
    }
    const timer = setInterval(sweep, CLEANUP_MS)
    timer.unref()
    app.addHook('onClose', async () => { clearInterval(timer) })
  },
  { name: 'rate-limit', dependencies: ['db'] }
)
