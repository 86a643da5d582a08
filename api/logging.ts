// What a log line may show: request URLs without credential values, and no credential header ever.
import type { FastifyBaseLogger } from 'fastify'

/** Query parameters whose values are secrets (or could be): their values never reach a log line. */
const SECRET_PARAMETER = /token|ticket|secret|passw|pass$|pin|code|key|auth|session|cookie|sig/i

/** Paths that hold a credential themselves: a receipt code's link and its API (rate later from a phone). */
const SECRET_PATH = /^(\/r\/|\/api\/v1\/receipts\/)[^/?#]+/

/** The URL with the value of every credential-like query parameter (and a receipt code in the path) replaced by `[REDACTED]`. */
export function redactUrl (rawUrl: string): string {
  const url = rawUrl.replace(SECRET_PATH, '$1[REDACTED]')
  const mark = url.indexOf('?')
  if (mark === -1) return url
  const query = url.slice(mark + 1).split('&').map((pair) => {
    const equals = pair.indexOf('=')
    const rawName = equals === -1 ? pair : pair.slice(0, equals)
    let name = rawName
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '))
    } catch { /* a malformed name is judged as written */ }
    return equals !== -1 && SECRET_PARAMETER.test(name) ? `${rawName}=[REDACTED]` : pair
  })
  return `${url.slice(0, mark)}?${query.join('&')}`
}

interface LoggedRequest {
  method?: string
  url?: string
  host?: string
  ip?: string
  headers?: Record<string, unknown>
  socket?: { remotePort?: number }
}

/** Fastify's request fields, with the URL redacted; headers (Authorization, Cookie, the WebSocket subprotocol) are never logged. */
function requestSerializer (request: LoggedRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: typeof request.url === 'string' ? redactUrl(request.url) : request.url,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort
  }
}

/**
 * Paths pino blanks wherever a caller logs a request, a reply or headers by hand. The request serializer above
 * already leaves headers out; this catches `log.info({ headers })` and the like.
 */
const redactPaths = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["sec-websocket-protocol"]',
  'res.headers["set-cookie"]', 'headers.authorization', 'headers.cookie', 'headers["set-cookie"]',
  'headers["sec-websocket-protocol"]', 'authorization', 'cookie', 'password', 'pin', 'token', 'pairingCode',
  '*.password', '*.pin', '*.token', '*.pairingCode',
  // A citizen's call-back number is personal data (Decree 13/2023/NĐ-CP): never in a log line.
  'phone', '*.phone', '*.*.phone', 'followUp.phone', '*.followUp.phone'
]

/** The app's logger: a child of `logger` that redacts URLs and credentials. */
export function redactingLogger (logger: FastifyBaseLogger): FastifyBaseLogger {
  return logger.child({}, { serializers: { req: requestSerializer }, redact: { paths: redactPaths, censor: '[REDACTED]' } } as never)
}
