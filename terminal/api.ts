// The terminal's calls to the server: pairing, state, officer sign-in/out and rating batches, with one error type.
import { ApiError, readAnswer, send } from '../web/api.ts'
import type { PairResponse, RatingItem, ScaleLevel, SentRatingResult, TerminalOfficer, TerminalState } from '../contract/terminals.ts'
import type { IssueReceiptBody, IssuedReceipt } from '../contract/receipts.ts'
export { ApiError }

// The API's shapes, from the one contract (type-only: nothing of it reaches the bundle).
export type { Criterion, RatingItem, ScaleLevel, TerminalState } from '../contract/terminals.ts'
export type { IssuedReceipt } from '../contract/receipts.ts'
/** The result of one of the terminal's items (their ids are never null). */
export type RatingResult = SentRatingResult
export type Category = ScaleLevel['category']
/** A rating's criteria answers: true (Có), false (Không) or 'na' (Không áp dụng); absent: not answered. */
export type CriteriaAnswers = NonNullable<RatingItem['criteria']>
/** The officer serving at the counter, as the terminal state gives it. */
export type Officer = TerminalOfficer

/** The token was revoked or never known: the device must be paired again. */
export function isUnpaired (error: unknown): boolean {
  return error instanceof ApiError && error.status === 401 && error.code === 'TERMINAL_TOKEN_INVALID'
}

const TIMEOUT_MS = 15_000

async function call<T> (method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {}
  if (token !== null) headers.authorization = `Bearer ${token}`
  const init: RequestInit = { headers, cache: 'no-store', signal: AbortSignal.timeout(TIMEOUT_MS) }
  return await readAnswer<T>(await send(method, `/api/v1/${path}`, body, init), (status) => 'HTTP_' + status)
}

export const api = {
  pair: (pairingCode: string) => call<PairResponse>('POST', 'terminals/pair', null, { pairingCode }),
  state: (token: string) => call<TerminalState>('GET', 'terminal/state', token),
  signIn: (token: string, staffCode: string, pin: string) => call<Officer>('PUT', 'terminal/officer', token, { staffCode, pin }),
  signOut: (token: string) => call<void>('DELETE', 'terminal/officer', token),
  sendRatings: async (token: string, ratings: RatingItem[]) =>
    (await call<{ results: RatingResult[] }>('POST', 'terminal/ratings', token, { ratings })).results,
  issueReceipt: (token: string, visit: IssueReceiptBody = {}) => call<IssuedReceipt>('POST', 'terminal/receipt-codes', token, visit)
}
