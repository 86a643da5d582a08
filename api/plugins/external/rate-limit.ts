// Rate limiting (@fastify/rate-limit) for the routes that ask for it: login, pairing, officer PINs.
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import { ApiError } from '../../errors.ts'

const rateLimitOptions = {
  global: false,
  errorResponseBuilder: (_request: unknown, context: { after: string }) =>
    new ApiError(429, 'RATE_LIMITED', `Too many attempts; try again in ${context.after}`)
}

// The plugin runs one limiter per request: per-key limits beyond the IP use lib/attempt-limiter.ts.
export default fp(
  async (app) => {
    await app.register(rateLimit, rateLimitOptions)
  },
  { name: 'rate-limit' }
)
