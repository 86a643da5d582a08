// /api/v1/queue: the centre's queue system reports that a ticket was called to a counter (docs/queue-integration.md).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse } from '../../../contract/common.ts'
import { QueueCall, QueueCallBody } from '../../../contract/queue.ts'
import { recordQueueCall } from '../../services/queue-calls.ts'

const queue: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/calls',
    {
      schema: {
        tags: ['queue'],
        summary: 'A ticket was called to a counter: its terminal shows the number and attaches it to the next rating',
        description:
          'Only a queue integration token (Quản trị → Khóa API, purpose "queue") is accepted; it can do nothing else. ' +
          'The counter must be in the token\'s unit subtree (else 404 COUNTER_NOT_FOUND). A retried call (same counter, ticket ' +
          'and calledAt) is stored once and answers 200 with the stored call; a new one answers 201.',
        security: [{ bearer: [] }],
        body: QueueCallBody,
        response: {
          200: QueueCall, 201: QueueCall, 400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse, 429: ErrorResponse
        }
      },
      preHandler: app.requireQueueToken,
      // After the token check (a preHandler), so the limit is per token whatever address the queue server calls from.
      config: {
        rateLimit: {
          max: 600,
          timeWindow: '1 minute',
          hook: 'preHandler',
          keyGenerator: (request) => `queue:${request.queueToken?.tokenId ?? 'none'}`
        }
      }
    },
    async (request, reply) => {
      const { call, created } = await recordQueueCall(app.db, request.queueToken!, request.body, app.config.clockSkewSeconds)
      // The counter's terminals (in every API process) get fresh state, which carries the call.
      if (created) await app.live.refreshCounter(call.counterId)
      return reply.code(created ? 201 : 200).send(call)
    }
  )
}

export default queue
