// Liveness, readiness (the database answers) and Prometheus metrics.
import { sql } from 'kysely'
import { Type } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse } from '../schemas/common.ts'

const Status = Type.Object({ status: Type.String() })

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', {
    schema: { tags: ['health'], summary: 'The process is alive', response: { 200: Status } }
  }, async () => ({ status: 'ok' }))

  app.get('/readyz', {
    schema: { tags: ['health'], summary: 'Ready to serve: the database answers', response: { 200: Status, 503: ErrorResponse } }
  }, async (request, reply) => {
    try {
      await sql`select 1`.execute(app.db)
      return { status: 'ready' }
    } catch (error) {
      request.log.warn({ err: error }, 'database not reachable')
      return reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message: 'The database is not reachable', code: 'DATABASE_UNAVAILABLE' })
    }
  })

  app.get('/metrics', {
    schema: { tags: ['health'], summary: 'Prometheus metrics (text exposition format)', produces: ['text/plain'] }
  }, async (_request, reply) => {
    const body = await app.metrics.registry.metrics()
    return reply.type(app.metrics.registry.contentType).send(body)
  })
}

export default health
