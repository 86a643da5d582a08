// The terminal issues receipt codes (rate later from a phone) at /api/v1/terminal/receipt-codes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorResponse } from '../../../contract/common.ts'
import { IssueReceiptBody, IssuedReceipt } from '../../../contract/receipts.ts'
import { issueReceipt } from '../../services/receipts.ts'

const receiptCodes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireTerminal)

  app.post('/receipt-codes', {
    schema: {
      tags: ['terminal'],
      summary: 'Issue a single-use code to rate this visit later from a phone: its link, expiry and QR code',
      description: "For this terminal's counter and the officer on shift now, with the visit's ticket and dossier code when known. " +
        "Valid for the unit's receiptDays (its own, else the nearest ancestor's, else 7 days). The code is shown only in this answer.",
      security: [{ bearer: [] }],
      body: IssueReceiptBody,
      response: { 201: IssuedReceipt, 400: ErrorResponse, 401: ErrorResponse }
    },
    // A visit without ticket or dossier may come with no body at all.
    preValidation: async (request) => {
      if (request.body === undefined || request.body === null) request.body = {}
    }
  }, async (request, reply) => {
    const issued = await issueReceipt(app.db, request.terminal!, request.body, `${request.protocol}://${request.host}`)
    return reply.code(201).header('cache-control', 'no-store').send(issued)
  })
}

export default receiptCodes
