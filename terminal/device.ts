// What this tablet keeps between starts (token, last known state, timings) and how it stamps a rating at the tap.
import type { TerminalState } from './api.ts'

const TOKEN_KEY = 'hl.terminal.token'
const STATE_KEY = 'hl.terminal.state'
const TIMING_KEY = 'hl.terminal.timing'

export interface Timing {
  /** The criteria screen sends what was answered after this long without a touch. */
  criteriaIdleSeconds: number
  thanksSeconds: number
  /** The officer screen goes back to rating after this long without a touch. */
  staffIdleSeconds: number
}

const defaultTiming: Timing = { criteriaIdleSeconds: 20, thanksSeconds: 4, staffIdleSeconds: 60 }

function readJson<T> (key: string): T | null {
  try {
    const raw = localStorage.getItem(key)
    return raw === null ? null : JSON.parse(raw) as T
  } catch {
    return null
  }
}

/** Defaults, overridable per device (an installer tuning a kiosk, or a test) through localStorage. */
export function loadTiming (): Timing {
  return { ...defaultTiming, ...readJson<Partial<Timing>>(TIMING_KEY) }
}

export function loadToken (): string | null {
  return localStorage.getItem(TOKEN_KEY)
}

export function saveToken (token: string | null): void {
  if (token === null) localStorage.removeItem(TOKEN_KEY)
  else localStorage.setItem(TOKEN_KEY, token)
}

/** The last state seen, so the terminal starts and takes ratings with no network. */
export function loadState (): TerminalState | null {
  return readJson<TerminalState>(STATE_KEY)
}

export function saveState (state: TerminalState | null): void {
  if (state === null) localStorage.removeItem(STATE_KEY)
  else localStorage.setItem(STATE_KEY, JSON.stringify(state))
}

/** A v4 UUID; `crypto.randomUUID` exists only in secure contexts, and a centre's LAN may serve plain http. */
export function newRatingId (): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const pad = (value: number, length = 2): string => String(value).padStart(length, '0')

/** ISO 8601 in the device's own offset (e.g. `2026-11-27T09:15:00.000+07:00`), as the API asks. */
export function localIso (date: Date): string {
  const offset = -date.getTimezoneOffset()
  const sign = offset >= 0 ? '+' : '-'
  const abs = Math.abs(offset)
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}
