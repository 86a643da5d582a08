// The one error handler: every error answers { statusCode, error, message, code }; a 5xx never shows its cause.
import { STATUS_CODES } from 'node:http'
import fp from 'fastify-plugin'
import type { FastifyError } from 'fastify'
import { ApiError } from '../../errors.ts'
import type { ErrorCode, ErrorResponse } from '../../../contract/errors.ts'

/** Fastify's own error codes, renamed to codes that say what the client did wrong. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_JSON_BODY',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'BAD_URL',
  FST_ERR_ASYNC_CONSTRAINT: 'BAD_REQUEST'
}

/** PostgreSQL errors that mean the input broke a rule: answered as 4xx, never 5xx. */
const postgresCodes: Record<string, [number, ErrorCode, string]> = {
  23505: [409, 'ALREADY_EXISTS', 'Something with the same unique value already exists'],
  23503: [400, 'REFERENCE_NOT_FOUND', 'A referenced item does not exist or is still in use'],
  23514: [400, 'CONSTRAINT_VIOLATED', 'A value is outside what is allowed'],
  '22P02': [400, 'INVALID_VALUE', 'A value has the wrong format'],
  22001: [400, 'VALUE_TOO_LONG', 'A value is too long'],
  // PostgreSQL text cannot hold NUL (\u0000): a body or query string carrying one is bad input, not a server fault.
  22021: [400, 'INVALID_CHARACTER', 'A value contains a character that cannot be stored (NUL)'],
  22003: [400, 'VALUE_OUT_OF_RANGE', 'A number is out of range'],
  22007: [400, 'INVALID_VALUE', 'A date or time has the wrong format'],
  22008: [400, 'INVALID_VALUE', 'A date or time is out of range']
}

export type ErrorBody = ErrorResponse

export function errorBody (statusCode: number, code: ErrorCode, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, code }
}

export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError | ApiError | Error, request, reply) => {
      let statusCode = 500
      let code: ErrorCode = 'INTERNAL_ERROR'
      let message = 'Something went wrong on the server; the error has been logged.'
      if (error instanceof ApiError) {
        statusCode = error.statusCode
        code = error.code
        message = error.message
      } else if ('validation' in error && error.validation !== undefined) {
        statusCode = 400
        code = 'VALIDATION_FAILED'
        message = error.message
      } else if ('code' in error && typeof error.code === 'string' && postgresCodes[error.code] !== undefined && !('statusCode' in error)) {
        ;[statusCode, code, message] = postgresCodes[error.code]!
      } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        statusCode = error.statusCode
        const fastifyCode = 'code' in error && typeof error.code === 'string' ? error.code : ''
        // A plugin's own code that no entry renames passes through as it is (outside the contract's list on purpose).
        const passed = fastifyCode !== '' ? (fastifyCode as ErrorCode) : 'BAD_REQUEST'
        code = fastifyCodes[fastifyCode] ?? (statusCode === 429 ? 'RATE_LIMITED' : passed)
        message = error.message
      }
      if (statusCode >= 500) {
        request.log.error({ err: error }, 'request failed')
      } else {
        request.log.info({ code, message }, 'request rejected')
      }
      // A limit that knows when it lifts says so (lib/attempt-limiter.ts TooManyAttemptsError).
      if (statusCode === 429 && 'retryAfterSeconds' in error && typeof error.retryAfterSeconds === 'number') {
        reply.header('retry-after', String(error.retryAfterSeconds))
      }
      reply.code(statusCode).send(errorBody(statusCode, code, message))
    })

    app.setNotFoundHandler(async (request, reply) => {
      const page = request.method === 'GET' ? app.pageFallback(request.url) : null
      if (page !== null) return reply.sendFile(page.file, page.dir)
      return reply.code(404).send(errorBody(404, 'ROUTE_NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0]} not found`))
    })
  },
  { name: 'errors', dependencies: ['pages'] }
)
