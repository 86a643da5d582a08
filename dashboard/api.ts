// The dashboard's client of the Hài Lòng API: typed calls over fetch with the session cookie.
import { markReachable, markUnreachable } from './connection.ts'
// The API's shapes, from the one contract (type-only: nothing of it reaches the bundle).
export type { ApiToken, Role, User } from '../contract/accounts.ts'
export type { Alert, AlertRule, AlertRuleKind, AlertRuleParameters } from '../contract/alerts.ts'
export type { Case } from '../contract/cases.ts'
export type { Items } from '../contract/common.ts'
export type { Counter, Officer, Unit } from '../contract/organisation.ts'
export type { RatingListItem, RatingPage, Shift } from '../contract/ratings.ts'
export type { BucketRow, CounterRow, CriterionFigure, Figures, HeatmapRow, OfficerRow, Rows, UnitRow } from '../contract/stats.ts'
export type { CreatedTerminal, Criterion, ScaleLevel, Terminal } from '../contract/terminals.ts'

/** The code of a call that got no answer from the server. */
export const NETWORK = 'NETWORK'

/** A failed call, with the API's stable error code (`NETWORK`, status 0: no answer). */
export class ApiError extends Error {
  constructor (readonly status: number, readonly code: string, message: string) { super(message) }
}

export type Query = Record<string, string | number | boolean | undefined | null>

export function queryString (query: Query): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value))
  const text = params.toString()
  return text === '' ? '' : `?${text}`
}

/** Called with every 401, so the app can go back to the login screen. */
export let onUnauthorized: () => void = () => {}
export function setUnauthorizedHandler (handler: () => void): void { onUnauthorized = handler }

export async function call<T> (method: string, path: string, body?: unknown): Promise<T> {
  let response: Response
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
  } catch (failure) {
    // No answer at all: the whole app shows one "connection lost" state and retries (connection.ts).
    markUnreachable()
    throw new ApiError(0, NETWORK, failure instanceof Error ? failure.message : String(failure))
  }
  // A proxy's 502/503/504 means the server itself is not there.
  if (response.status === 502 || response.status === 503 || response.status === 504) {
    markUnreachable()
    throw new ApiError(0, NETWORK, response.statusText)
  }
  markReachable()
  if (response.status === 204) return undefined as T
  const payload = await response.json().catch(() => ({})) as { code?: string, message?: string }
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith('/auth/login')) onUnauthorized()
    throw new ApiError(response.status, payload.code ?? 'ERROR', payload.message ?? response.statusText)
  }
  return payload as T
}

export const get = <T>(path: string, query: Query = {}): Promise<T> => call<T>('GET', path + queryString(query))

/** Link of a statistics table as Excel-ready CSV (the API answers UTF-8 with a BOM). */
export const csvHref = (kind: string, query: Query, lang: string): string => `/api/v1/stats/${kind}${queryString({ ...query, format: 'csv', lang })}`
