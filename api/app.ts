// The whole Hài Lòng application as one Fastify plugin; api/server.ts listens, tests inject.
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import fp from 'fastify-plugin'
import websocket from '@fastify/websocket'
import cookie from '@fastify/cookie'
import type { Config } from './config.ts'
import type { Database } from '../db/schema.ts'
import dbPlugin from './plugins/external/db.ts'
import swaggerPlugin from './plugins/external/swagger.ts'
import metricsPlugin from './plugins/external/metrics.ts'
import pagesPlugin from './plugins/external/pages.ts'
import errorsPlugin from './plugins/app/errors.ts'
import configPlugin from './plugins/app/config.ts'
import authPlugin from './plugins/app/auth.ts'
import healthRoutes from './routes/health.ts'
import statsRoutes from './routes/stats/index.ts'
import reportRoutes from './routes/reports/index.ts'
import unitRoutes from './routes/units/index.ts'
import counterRoutes from './routes/counters/index.ts'
import officerRoutes from './routes/officers/index.ts'
import userRoutes from './routes/users/index.ts'
import apiTokenRoutes from './routes/api-tokens/index.ts'
import caseRoutes from './routes/cases/index.ts'
import livePlugin from './plugins/app/live.ts'
import rateLimitPlugin from './plugins/external/rate-limit.ts'
import helmetPlugin from './plugins/external/helmet.ts'
import authRoutes from './routes/auth/index.ts'
import ingestPlugin from './plugins/app/ingest.ts'
import { errorBody } from './plugins/app/errors.ts'
import { redactingLogger } from './logging.ts'
import { TERMINAL_PROTOCOL } from './plugins/app/auth.ts'
import rollupsPlugin from './plugins/app/rollup-worker.ts'
import terminalsRoutes from './routes/terminals/index.ts'
import terminalRoutes from './routes/terminal/index.ts'
import liveRoutes from './routes/live/index.ts'
import catalogueRoutes from './routes/scale/index.ts'
import alertsPlugin from './plugins/app/alerts.ts'
import alertRoutes from './routes/alerts/index.ts'
import ratingRoutes from './routes/ratings/index.ts'
import officerAssignmentRoutes from './routes/officers/assignments.ts'

export interface AppOptions {
  config: Config
  /** An open, migrated database; the app destroys it on close. */
  db: Kysely<Database>
}

async function app (instance: FastifyInstance, options: AppOptions): Promise<void> {
  await instance.register(configPlugin, { config: options.config })
  await instance.register(dbPlugin, { db: options.db })
  await instance.register(metricsPlugin)
  await instance.register(swaggerPlugin)
  await instance.register(cookie)
  await instance.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      // Answer only our own subprotocol: by default ws echoes the first one offered, which could be a token.
      handleProtocols: (protocols: Set<string>) => protocols.has(TERMINAL_PROTOCOL) ? TERMINAL_PROTOCOL : false
    },
    errorHandler: liveSocketError
  })
  await instance.register(helmetPlugin)
  await instance.register(rateLimitPlugin)
  await instance.register(pagesPlugin)
  await instance.register(errorsPlugin)
  await instance.register(authPlugin)
  await instance.register(livePlugin)
  await instance.register(rollupsPlugin)
  await instance.register(ingestPlugin)
  await instance.register(alertsPlugin)
  await instance.register(healthRoutes)
  await instance.register(authRoutes, { prefix: '/api/v1/auth' })
  await instance.register(statsRoutes, { prefix: '/api/v1/stats' })
  await instance.register(reportRoutes, { prefix: '/api/v1/reports' })
  await instance.register(unitRoutes, { prefix: '/api/v1/units' })
  await instance.register(counterRoutes, { prefix: '/api/v1/counters' })
  await instance.register(officerRoutes, { prefix: '/api/v1/officers' })
  await instance.register(userRoutes, { prefix: '/api/v1/users' })
  await instance.register(apiTokenRoutes, { prefix: '/api/v1/api-tokens' })
  await instance.register(caseRoutes, { prefix: '/api/v1/cases' })
  await instance.register(terminalsRoutes, { prefix: '/api/v1/terminals' })
  await instance.register(terminalRoutes, { prefix: '/api/v1/terminal' })
  await instance.register(liveRoutes, { prefix: '/api/v1' })
  await instance.register(catalogueRoutes, { prefix: '/api/v1' })
  await instance.register(alertRoutes, { prefix: '/api/v1' })
  await instance.register(ratingRoutes, { prefix: '/api/v1/ratings' })
  await instance.register(officerAssignmentRoutes, { prefix: '/api/v1/officers' })
}

// Not encapsulated: tests and the server reach app.db, app.config and the rest on the instance.
export default fp(app, { name: 'hai-long' })

/**
 * An error on an open live socket. A client breaking the protocol (a frame over maxPayload, a bad opcode, invalid
 * UTF-8) or going away is the client's doing: a warning without a stack. Anything else is ours: an error.
 */
function liveSocketError (error: Error, socket: { terminate: () => void }, request: FastifyRequest): void {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && (code.startsWith('WS_ERR_') || code === 'ECONNRESET' || code === 'EPIPE')) {
    request.log.warn({ code, reason: error.message }, 'live socket closed: the client broke the WebSocket protocol or went away')
  } else {
    request.log.error({ err: error }, 'live socket failed')
  }
  socket.terminate()
}

/** Errors of the router itself (a malformed URL, an over-long path parameter) get the house error body too. */
function routerError (error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const statusCode = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400
  void reply.code(statusCode).send(errorBody(statusCode, error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'PARAMETER_TOO_LONG' : 'BAD_URL', error.message))
}

/**
 * TRUST_PROXY as Fastify takes it. A hop count becomes "the nearest N addresses are proxies" (Fastify 5.12 reads a
 * bare number as trusting nobody); a list is handed over as it is (proxy-addr: addresses and CIDR ranges).
 */
function trustProxyOption (trustProxy: Config['trustProxy']): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trustProxy === 'number') return (_address, hop) => hop < trustProxy
  return trustProxy
}

/** Builds a ready Fastify instance around `app`: the server and the tests share it. */
export async function buildApp (options: AppOptions, loggerInstance?: FastifyBaseLogger): Promise<FastifyInstance> {
  const instance = Fastify({
    // Every log line goes through the redacting child: no URL query credential, no Authorization or Cookie.
    ...(loggerInstance === undefined ? { logger: false } : { loggerInstance: redactingLogger(loggerInstance) }),
    bodyLimit: 256 * 1024,
    // Behind nginx at a centre, the client IP (rate limits, audit) comes from X-Forwarded-For.
    trustProxy: trustProxyOption(options.config.trustProxy),
    ajv: { customOptions: { removeAdditional: true, coerceTypes: 'array', useDefaults: true } },
    frameworkErrors: routerError
  }).withTypeProvider<TypeBoxTypeProvider>()
  await instance.register(fp(app, { name: 'hai-long' }), options)
  await instance.ready()
  return instance
}
