// The citizen's phone (no login): read a receipt code's visit and rate it once, at /api/v1/receipts/:code.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse } from '../../../contract/common.ts'
import { ReceiptParams, ReceiptRated, ReceiptRatingBody, ReceiptView } from '../../../contract/receipts.ts'
import { ApiError } from '../../errors.ts'
import { IngestUnavailableError } from '../../services/ingest.ts'
import { deleteExpiredReceipts, rateReceipt, viewReceipt } from '../../services/receipts.ts'

/** Per address and minute: a citizen opens and rates one link; a proxy of a whole centre's Wi-Fi stays well inside. */
export const RECEIPT_READS_PER_MINUTE = 30
export const RECEIPT_RATINGS_PER_MINUTE = 10

const receipts: FastifyPluginAsyncTypebox = async (app) => {
  // Every process sweeps (the delete is idempotent): codes leave the table 30 days after they expire.
  const sweep = (): void => {
    deleteExpiredReceipts(app.db).catch((error: unknown) => app.log.warn({ err: error }, 'deleting old receipt codes failed'))
  }
  const timer = setInterval(sweep, 3600_000)
  timer.unref()
  app.addHook('onClose', async () => { clearInterval(timer) })

  app.get('/:code', {
    schema: {
      tags: ['receipts'],
      summary: 'The visit of a receipt code, for the phone page (no login)',
      description: 'An open code answers the centre, counter, officer, scale, criteria and follow-up question; a used or expired one only ' +
        'its status. An unknown code is 404 RECEIPT_NOT_FOUND. Rate-limited per address (429 RATE_LIMITED).',
      params: ReceiptParams,
      response: { 200: ReceiptView, 400: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse }
    },
    config: { rateLimit: { max: RECEIPT_READS_PER_MINUTE, timeWindow: '1 minute' } }
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    return viewReceipt(app.db, request.params.code)
  })

  app.post('/:code/rating', {
    schema: {
      tags: ['receipts'],
      summary: "Rate a receipt code's visit once, from the citizen's phone (no login)",
      description: 'Stored as a rating with source "phone", credited to the counter and officer of the code, counted now, with its ticket ' +
        'and dossier code. 409 RECEIPT_USED once rated (two submits at once store one rating), 410 RECEIPT_EXPIRED, 404 RECEIPT_NOT_FOUND. ' +
        'Rate-limited per address (429 RATE_LIMITED).',
      params: ReceiptParams,
      body: ReceiptRatingBody,
      response: {
        201: ReceiptRated,
        400: ErrorResponse,
        404: ErrorResponse,
        409: ErrorResponse,
        410: ErrorResponse,
        429: ErrorResponse,
        503: ErrorResponse
      }
    },
    config: { rateLimit: { max: RECEIPT_RATINGS_PER_MINUTE, timeWindow: '1 minute' } }
  }, async (request, reply) => {
    try {
      const rated = await rateReceipt(app.db, app.ingest, request.params.code, request.body)
      return reply.code(201).send(rated)
    } catch (error) {
      if (error instanceof IngestUnavailableError) {
        request.log.error({ err: error }, 'ingest failed')
        throw new ApiError(503, 'STORAGE_UNAVAILABLE', 'The rating could not be stored right now; nothing was stored, retry later')
      }
      throw error
    }
  })
}

export default receipts
