// Liveness, readiness (the database answers) and Prometheus metrics.
import { timingSafeEqual } from 'node:crypto'
import { BlockList, isIP } from 'node:net'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError } from '../errors.ts'
import { ErrorResponse } from '../../contract/common.ts'
import { HealthStatus } from '../../contract/health.ts'
import { pingDatabase } from '../repositories/database.ts'

/** Loopback, private (RFC 1918, unique-local) and link-local networks: the server's own host and network. */
const privateNetworks = new BlockList()
for (const [network, prefix] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16]
] as const) { privateNetworks.addSubnet(network, prefix, 'ipv4') }
for (const [network, prefix] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10]
] as const) { privateNetworks.addSubnet(network, prefix, 'ipv6') }

/** Whether a client address (IPv4, IPv6, or IPv4-mapped IPv6) is on those networks. */
export function isPrivateAddress (address: string): boolean {
  const family = isIP(address)
  return family !== 0 && privateNetworks.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

function sameSecret (given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/healthz',
    {
      schema: { tags: ['health'], summary: 'The process is alive', response: { 200: HealthStatus } }
    },
    async () => ({ status: 'ok' })
  )

  app.get(
    '/readyz',
    {
      schema: { tags: ['health'], summary: 'Ready to serve: the database answers', response: { 200: HealthStatus, 503: ErrorResponse } }
    },
    async (request, reply) => {
      try {
        await pingDatabase(app.db)
        return { status: 'ready' }
      } catch (error) {
        request.log.warn({ err: error }, 'database not reachable')
        return reply
          .code(503)
          .send({ statusCode: 503, error: 'Service Unavailable', message: 'The database is not reachable', code: 'DATABASE_UNAVAILABLE' })
      }
    }
  )

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text exposition format)',
        description:
          'With METRICS_TOKEN set: send it as `Authorization: Bearer …` (else 401 METRICS_TOKEN_REQUIRED). Without it: only callers on loopback or a private network, by client address (from X-Forwarded-For with TRUST_PROXY); others get 403 METRICS_PRIVATE.',
        produces: ['text/plain']
      }
    },
    async (request, reply) => {
      const token = app.config.metricsToken
      if (token !== null) {
        const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
        if (given === undefined || !sameSecret(given, token)) {
          throw new ApiError(401, 'METRICS_TOKEN_REQUIRED', 'Send the metrics token as Authorization: Bearer …')
        }
      } else if (!isPrivateAddress(request.ip)) {
        throw new ApiError(
          403,
          'METRICS_PRIVATE',
          'Metrics are served to the local network only; set METRICS_TOKEN to scrape them from elsewhere'
        )
      }
      const body = await app.metrics.registry.metrics()
      return reply.type(app.metrics.registry.contentType).send(body)
    }
  )
}

export default health
