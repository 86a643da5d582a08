// The whole Hài Lòng application as one Fastify plugin; api/server.ts listens, tests inject.
import Fastify, { type FastifyInstance, type FastifyBaseLogger } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import fp from 'fastify-plugin'
import websocket from '@fastify/websocket'
import cookie from '@fastify/cookie'
import type { Config } from './config.ts'
import type { Database } from './db/schema.ts'
import dbPlugin from './plugins/external/db.ts'
import swaggerPlugin from './plugins/external/swagger.ts'
import metricsPlugin from './plugins/external/metrics.ts'
import pagesPlugin from './plugins/external/pages.ts'
import errorsPlugin from './plugins/app/errors.ts'
import configPlugin from './plugins/app/config.ts'
import authPlugin from './plugins/app/auth.ts'
import healthRoutes from './routes/health.ts'
import statsRoutes from './routes/stats/index.ts'

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
  await instance.register(websocket, { options: { maxPayload: 64 * 1024 } })
  await instance.register(pagesPlugin)
  await instance.register(errorsPlugin)
  await instance.register(authPlugin)
  await instance.register(healthRoutes)
  await instance.register(statsRoutes, { prefix: '/api/v1/stats' })
}

// Not encapsulated: tests and the server reach app.db, app.config and the rest on the instance.
export default fp(app, { name: 'hai-long' })

/** Builds a ready Fastify instance around `app`: the server and the tests share it. */
export async function buildApp (options: AppOptions, loggerInstance?: FastifyBaseLogger): Promise<FastifyInstance> {
  const instance = Fastify({
    ...(loggerInstance === undefined ? { logger: false } : { loggerInstance }),
    bodyLimit: 256 * 1024,
    // Behind nginx at a centre, the client IP (rate limits, audit) comes from X-Forwarded-For.
    trustProxy: options.config.trustProxy,
    ajv: { customOptions: { removeAdditional: true, coerceTypes: 'array', useDefaults: true } }
  }).withTypeProvider<TypeBoxTypeProvider>()
  await instance.register(fp(app, { name: 'hai-long' }), options)
  await instance.ready()
  return instance
}
