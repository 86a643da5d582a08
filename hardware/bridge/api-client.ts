// The Hài Lòng terminal API as the bridge uses it: pair a box, read its terminal state, post its ratings.
import createDebug from 'debug'
import type { PairResponse, RatingItem, ScaleLevel, SentRatingResult, TerminalState } from '../../contract/terminals.ts'

const log = createDebug('hailong:hardware:api')

// The API's shapes, from the one contract (types only).
export type { RatingItem, ScaleLevel, SentRatingResult }

/** Why a call failed: `unreachable` (network, timeout, 5xx, 429: try later), `revoked` (token no longer valid), `refused` (other 4xx). */
export class TerminalApiError extends Error {
  constructor (
    readonly kind: 'unreachable' | 'revoked' | 'refused',
    message: string,
    readonly statusCode: number | null = null,
    readonly code: string | null = null
  ) {
    super(message)
    this.name = 'TerminalApiError'
  }
}

/** What an installer can act on, from fetch's bare "fetch failed" and the system error under it. */
export function networkCause (error: unknown, apiUrl: string, timeoutMs: number): string {
  const url = new URL(apiUrl)
  const where = url.port === '' ? url.hostname : `${url.hostname}:${url.port}`
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } }
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `no answer from ${where} within ${timeoutMs} ms`
  const cause = err?.cause
  const code = cause?.code ?? cause?.errors?.find((inner) => typeof inner?.code === 'string')?.code
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused to ${where} (is the server running and apiUrl right?)`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host name ${url.hostname} not found (DNS)`
    case 'ECONNRESET':
      return `connection reset by ${where}`
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connecting to ${where} timed out`
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return `network unreachable to ${where} (${code})`
    case 'UND_ERR_SOCKET':
      return `connection to ${where} closed unexpectedly`
    default:
      if (typeof cause?.message === 'string' && cause.message !== '') return `${cause.message} (${where})`
      return `${err?.message ?? String(error)} (${where})`
  }
}

export interface TerminalApiOptions {
  /** Base URL of the Hài Lòng server, e.g. `https://hailong.example.gov.vn`. */
  apiUrl: string
  /** Per-request timeout in ms. Default 10000. */
  timeoutMs?: number
}

export class TerminalApi {
  readonly apiUrl: string
  private readonly timeoutMs: number

  constructor (options: TerminalApiOptions) {
    let url: URL
    try {
      url = new URL(options?.apiUrl)
    } catch {
      throw new TypeError('apiUrl must be an absolute http(s) URL')
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('apiUrl must be an absolute http(s) URL')
    const timeoutMs = options.timeoutMs ?? 10_000
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new TypeError('timeoutMs must be a positive integer')
    this.apiUrl = url.toString().replace(/\/$/, '')
    this.timeoutMs = timeoutMs
  }

  private async call<T>(method: 'GET' | 'POST', path: string, token: string | null, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {}
    if (token !== null) headers.authorization = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    let response: Response
    try {
      response = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs)
      })
    } catch (error) {
      const cause = networkCause(error, this.apiUrl, this.timeoutMs)
      log('%s %s: %s', method, path, cause)
      throw new TerminalApiError('unreachable', `${method} ${path}: ${cause}`)
    }
    const text = await response.text().catch(() => '')
    log('%s %s → %d', method, path, response.status)
    let json: unknown = null
    try {
      json = text === '' ? null : JSON.parse(text)
    } catch {
      json = null
    }
    if (response.ok) return json as T
    const code = typeof (json as { code?: unknown })?.code === 'string' ? (json as { code: string }).code : null
    const message = `${method} ${path}: ${response.status} ${code ?? ''}`.trim()
    log(message)
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      throw new TerminalApiError('unreachable', message, response.status, code)
    }
    if (response.status === 401 || response.status === 403) throw new TerminalApiError('revoked', message, response.status, code)
    throw new TerminalApiError('refused', message, response.status, code)
  }

  /** Exchanges a pairing code for the terminal's token (shown once). */
  async pair (pairingCode: string): Promise<PairResponse> {
    return this.call('POST', '/api/v1/terminals/pair', null, { pairingCode })
  }

  /** The terminal's state: its scale, and the queue's current call at its counter (`call`, absent on an older server). */
  async state (token: string): Promise<Partial<TerminalState>> {
    return (await this.call<Partial<TerminalState> | null>('GET', '/api/v1/terminal/state', token)) ?? {}
  }

  /** The terminal's rating scale, highest level first. */
  async scale (token: string): Promise<ScaleLevel[]> {
    const state = await this.call<Partial<TerminalState> | null>('GET', '/api/v1/terminal/state', token)
    const scale = Array.isArray(state?.scale) ? state.scale : []
    return [...scale].sort((a, b) => b.level - a.level)
  }

  /** Posts up to 100 ratings; every id comes back as created, duplicate or rejected. */
  async postRatings (token: string, ratings: RatingItem[]): Promise<SentRatingResult[]> {
    if (ratings.length === 0 || ratings.length > 100) throw new TypeError('post 1 to 100 ratings at a time')
    const answer = await this.call<{ results?: SentRatingResult[] } | null>('POST', '/api/v1/terminal/ratings', token, { ratings })
    if (!Array.isArray(answer?.results)) throw new TerminalApiError('unreachable', 'ratings answer without results')
    return answer.results
  }
}
