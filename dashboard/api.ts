// The dashboard's client of the Hài Lòng API: typed calls over fetch with the session cookie.
import { ApiError, NETWORK, queryString, readAnswer, send, type Query } from '../web/api.ts'
import { markReachable, markUnreachable } from './connection.ts'
export { ApiError, NETWORK, queryString, type Query }
export type Role = 'admin' | 'supervisor' | 'analyst' | 'officer'

export interface User { id: string, username: string, displayName: string, role: Role, unitId: string | null, officerId: string | null, active: boolean }
export interface Unit { id: string, parentId: string | null, kind: string, code: string, name: string, satisfactionTarget?: number | null }
export interface Counter { id: string, unitId: string, number: number, name: string, active: boolean, officer?: { id: string, staffCode: string, fullName: string, since: string } | null }
export interface Officer { id: string, unitId: string, staffCode: string, fullName: string, title: string, active: boolean, pinSet: boolean, pinLockedUntil: string | null }
export interface Terminal { id: string, unitId: string, counterId: string, kind: 'touch' | 'button', name: string, status: string, pairedAt: string | null, lastSeenAt: string | null, createdAt: string }
export interface CreatedTerminal { terminal: Terminal, pairingCode: string, pairingExpiresAt: string }
export interface ApiToken { id: string, name: string, unitId: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null }
export interface Case {
  id: string, unitId: string, ratingId: string, counterId: string, counterNumber: number, officerId: string | null, officerName: string | null,
  status: 'open' | 'resolved', level: number, ratedAt: string, openedAt: string, resolvedAt: string | null, note: string | null, ageSeconds: number
}
export interface ScaleLevel { level: number, category: 'satisfied' | 'neutral' | 'unsatisfied', weight: number, labelVi: string, labelEn: string }
export interface Criterion { code: string, group: string, labelVi: string, labelEn: string }
export interface CriterionFigure { code: string, answered: number, met: number, rate: number | null }
export interface Figures {
  total: number, byLevel: Record<string, number>, satisfied: number, neutral: number, unsatisfied: number,
  satisfactionRate: number | null, rate766: number | null, scoreIndex: number | null, criteria: CriterionFigure[]
}
export type OfficerRow = Figures & { officerId: string | null, fullName: string | null, smallSample: boolean }
export type CounterRow = Figures & { counterId: string, unitId: string, number: number, name: string }
export type UnitRow = Figures & { unitId: string, code: string, name: string }
export type BucketRow = Figures & { bucket: string }
export type HeatmapRow = Figures & { weekday: number, hour: number }
export type AlertRuleKind = 'unsatisfied_share' | 'unsatisfied_streak'
export interface AlertRuleParameters { windowMinutes?: number, thresholdPercent?: number, minCount?: number, count?: number }
export interface AlertRule { id: string, unitId: string, kind: AlertRuleKind, parameters: AlertRuleParameters, enabled: boolean, createdAt: string }
export interface Alert {
  id: string, unitId: string, ruleId: string | null, kind: AlertRuleKind, counterId: string | null, counterNumber: number | null, firedAt: string,
  details: { parameters: AlertRuleParameters, total?: number, unsatisfied?: number, share?: number, ratingIds?: string[], officerIds?: string[] },
  acknowledged: boolean, acknowledgedAt: string | null, acknowledgedBy: string | null, note: string | null
}
export interface RatingItem {
  id: string, unitId: string, counterId: string, counterNumber: number, officerId: string | null, officerName: string | null, level: number,
  category: 'satisfied' | 'neutral' | 'unsatisfied', criteria: Record<string, boolean>, ratedAt: string, countedAt: string, misuse: boolean
}
export interface RatingPage { items: RatingItem[], nextCursor: string | null }
export interface Shift { id: string, unitId: string, counterId: string, counterNumber: number, counterName: string, startedAt: string, endedAt: string | null }
export interface Rows<T> { rows: T[] }
export interface Items<T> { items: T[] }

/** Called with every 401, so the app can go back to the login screen. */
export let onUnauthorized: () => void = () => {}
export function setUnauthorizedHandler (handler: () => void): void { onUnauthorized = handler }

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
export const csvHref = (kind: string, query: Query, lang: string): string => `/api/v1/stats/${kind}${queryString({ ...query, format: 'csv', lang })}`
