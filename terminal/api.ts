// The terminal's calls to the server: pairing, state, officer sign-in/out and rating batches, with one error type.
import { ApiError, readAnswer, send } from '../web/api.ts'
export { ApiError }

export type Category = 'satisfied' | 'neutral' | 'unsatisfied'

export interface Officer { id: string, unitId: string, staffCode: string, fullName: string, title: string, photoUrl: string | null, active: boolean }
export interface ScaleLevel { level: number, category: Category, weight: number, labelVi: string, labelEn: string }
export interface Criterion { code: string, group: 'xin' | 'luon' | 'other', labelVi: string, labelEn: string }

export interface TerminalState {
  terminal: { id: string, kind: string, name: string }
  counter: { id: string, unitId: string, number: number, name: string }
  unit: { id: string, parentId: string | null, kind: string, code: string, name: string }
  officer: Officer | null
  scale: ScaleLevel[]
  criteria: Criterion[]
  cooldownSeconds: number
}

/** A rating as the server takes it. */
export interface RatingItem {
  id: string
  level: number
  criteria?: Record<string, boolean>
  ratedAt: string
  officerId?: string
}

export interface RatingResult { id: string, status: 'created' | 'duplicate' | 'rejected', error?: { code: string, message: string } }

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
  pair: (pairingCode: string) => call<{ terminalId: string, token: string }>('POST', 'terminals/pair', null, { pairingCode }),
  state: (token: string) => call<TerminalState>('GET', 'terminal/state', token),
  signIn: (token: string, staffCode: string, pin: string) => call<Officer>('PUT', 'terminal/officer', token, { staffCode, pin }),
  signOut: (token: string) => call<void>('DELETE', 'terminal/officer', token),
  sendRatings: async (token: string, ratings: RatingItem[]) => (await call<{ results: RatingResult[] }>('POST', 'terminal/ratings', token, { ratings })).results
}
