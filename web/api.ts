// The fetch client both browser apps use: one JSON call, one error type with the API's stable code, no answer as `NETWORK`.

/** The code of a call that got no answer from the server. */
export const NETWORK = 'NETWORK'

/** A failed call, with the API's stable error code (`NETWORK`, status 0: the server was not reached). */
export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string) {
    super(message)
    this.name = 'ApiError'
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>

/** `?a=1&b=2` of the query's non-empty values, or '' when none. */
export function queryString (query: Query): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  }
  const text = params.toString()
  return text === '' ? '' : `?${text}`
}

/** Sends `body` as JSON; no answer at all (offline, DNS, refused, timed out) throws ApiError(0, NETWORK). */
export async function send (method: string, url: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers as Record<string, string> | undefined }
  if (body !== undefined) headers['content-type'] = 'application/json'
  try {
    return await fetch(url, { ...init, method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (failure) {
    throw new ApiError(0, NETWORK, failure instanceof Error ? failure.message : String(failure))
  }
}

/** The answer's JSON (undefined for 204); a failure status throws ApiError with the API's code, else `fallbackCode(status)`. */
export async function readAnswer<T> (response: Response, fallbackCode: (status: number) => string): Promise<T> {
  if (response.status === 204) return undefined as T
  const payload = await response.json().catch(() => null) as { code?: string, message?: string } | null
  if (!response.ok) {
    throw new ApiError(response.status, payload?.code ?? fallbackCode(response.status), payload?.message ?? response.statusText)
  }
  return payload as T
}
