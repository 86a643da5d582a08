// The dashboard's client of the Hài Lòng API: typed calls over fetch with the session cookie.
import { ApiError, NETWORK, queryString, readAnswer, send, type Query } from '../web/api.ts'
import { markReachable, markUnreachable } from './connection.ts'
export { ApiError, NETWORK, queryString, type Query }
// The API's shapes, from the one contract (type-only: nothing of it reaches the bundle).
export type { ApiToken, Role, User } from '../contract/accounts.ts'
export type { Alert, AlertKind, AlertRule, AlertRuleKind, AlertRuleParameters } from '../contract/alerts.ts'
export type { Case, CaseEvent, CasePage } from '../contract/cases.ts'
export type { Items } from '../contract/common.ts'
export type { Counter, Officer, Unit } from '../contract/organisation.ts'
export type { FollowUpReason, FollowUpSettings, UnitFollowUp } from '../contract/follow-up.ts'
export type { RatingListItem, RatingPage, Shift } from '../contract/ratings.ts'
export type { BucketRow, CounterRow, CriterionFigure, Figures, HeatmapRow, OfficerRow, Rows, UnitRow } from '../contract/stats.ts'
export type { CaseFigures, CaseStats } from '../contract/stats.ts'
export type { ChannelRow, CounterVisits, VisitStats } from '../contract/stats.ts'
export type { CreatedTerminal, Criterion, ScaleLevel, Terminal } from '../contract/terminals.ts'

/** Called with every 401, so the app can go back to the login screen. */
export let onUnauthorized: () => void = () => {}
export function setUnauthorizedHandler (handler: () => void): void {
  onUnauthorized = handler
}

export async function call<T> (method: string, path: string, body?: unknown): Promise<T> {
  let response: Response
  try {
    response = await send(method, `/api/v1${path}`, body, { credentials: 'same-origin' })
  } catch (failure) {
    // No answer at all: the whole app shows one "connection lost" state and retries (connection.ts).
    markUnreachable()
    throw failure
  }
  // A proxy's 502/503/504 means the server itself is not there.
  if (response.status === 502 || response.status === 503 || response.status === 504) {
    markUnreachable()
    throw new ApiError(0, NETWORK, response.statusText)
  }
  markReachable()
  try {
    return await readAnswer<T>(response, () => 'ERROR')
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 401 && !path.startsWith('/auth/login')) onUnauthorized()
    throw failure
  }
}

export const get = <T>(path: string, query: Query = {}): Promise<T> => call<T>('GET', path + queryString(query))

/** Link of a statistics table as Excel-ready CSV (the API answers UTF-8 with a BOM). */
export const csvHref = (kind: string, query: Query, lang: string): string =>
  `/api/v1/stats/${kind}${queryString({ ...query, format: 'csv', lang })}`
