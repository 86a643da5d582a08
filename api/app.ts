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
import livePlugin from './plugins/app/live.ts'
import rateLimitPlugin from './plugins/external/rate-limit.ts'
import helmetPlugin from './plugins/external/helmet.ts'
import ingestPlugin from './plugins/app/ingest.ts'
import { errorBody } from './plugins/app/errors.ts'
import { redactingLogger } from './logging.ts'
import { TERMINAL_PROTOCOL } from './plugins/app/auth.ts'
import rollupsPlugin from './plugins/app/rollup-worker.ts'
import { routes } from './routes/index.ts'
import alertsPlugin from './plugins/app/alerts.ts'
import caseDeadlinesPlugin from './plugins/app/case-deadlines.ts'

export interface AppOptions {
  config: Config
  /** An open, migrated database; the app destroys it on close. */
  db: Kysely<Database>
  /** A streaming replica of `db` for figures, exports and lists (DATABASE_READ_URL); the app destroys it on close. */
  readDb?: Kysely<Database>
}

async function app (instance: FastifyInstance, options: AppOptions): Promise<void> {
  await instance.register(configPlugin, { config: options.config })
  await instance.register(dbPlugin, { db: options.db, readDb: options.readDb })
  await instance.register(metricsPlugin)
  await instance.register(swaggerPlugin)
  await instance.register(cookie)
  await instance.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      // Answer only our own subprotocol: by default ws echoes the first one offered, which could be a token.
      handleProtocols: (protocols: Set<string>) => (protocols.has(TERMINAL_PROTOCOL) ? TERMINAL_PROTOCOL : false)
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
  await instance.register(caseDeadlinesPlugin)
  // Routes come from one explicit list (routes/index.ts), not @fastify/autoload as in fastify/demo: autoload scans
  // the routes/ folder at start-up, which a bundled build (esbuild, dist/server.js) no longer has, and the list keeps
  // every prefix and the registration order visible and typed in one place.
  for (const { plugin, prefix } of routes) await instance.register(plugin, prefix === undefined ? {} : { prefix })
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
  void reply
    .code(statusCode)
    .send(errorBody(statusCode, error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'PARAMETER_TOO_LONG' : 'BAD_URL', error.message))
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
