// Errors the API answers on purpose: each has an HTTP status and a stable machine `code` from the contract's list.
import type { ErrorCode } from '../contract/errors.ts'

export type { ErrorCode }

export class ApiError extends Error {
  constructor (readonly statusCode: number, readonly code: ErrorCode, message: string) {
    super(message)
    this.name = 'ApiError'
  }
}

export const notFound = (what: string, code: ErrorCode = 'NOT_FOUND'): ApiError => new ApiError(404, code, `${what} not found`)
export const badRequest = (code: ErrorCode, message: string): ApiError => new ApiError(400, code, message)
export const conflict = (code: ErrorCode, message: string): ApiError => new ApiError(409, code, message)
export const unauthorized = (code: ErrorCode, message: string): ApiError => new ApiError(401, code, message)
export const forbidden = (code: ErrorCode, message: string): ApiError => new ApiError(403, code, message)
/** A plain HTTP GET on a WebSocket endpoint. */
export const websocketRequired = (): ApiError =>
  new ApiError(426, 'WEBSOCKET_REQUIRED', 'This is a WebSocket endpoint: connect with an Upgrade: websocket request')
