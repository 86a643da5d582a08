// What every screen of the terminal shares: the pairing, the counter's state, the language and the outbox.
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { CriteriaAnswers, Officer, RatingItem, TerminalState } from './api.ts'
import type { Timing } from './device.ts'
import type { Lang } from './i18n.ts'

export interface Terminal {
  token: string | null
  state: TerminalState | null
  lang: Lang
  setLang: (lang: Lang) => void
  timing: Timing
  /** The live socket is open: the server is reachable. */
  online: boolean
  /** Ratings not yet acknowledged by the server. */
  pending: number
  /** The token stopped working: shown on the pairing screen. */
  revoked: boolean
  paired: (token: string) => void
  /** A 401 from any call: forget the token, keep the outbox. */
  unpaired: () => void
  officerChanged: (officer: Officer | null) => void
  /** Stores the rating durably (held: while the criteria are answered) before the screen moves on. */
  queue: (rating: RatingItem, held: boolean) => Promise<void>
  release: (id: string, criteria?: CriteriaAnswers, followUp?: RatingItem['followUp']) => Promise<void>
  /** Keeps the criteria answered with a rating still held for the follow-up question. */
  keep: (id: string, criteria: CriteriaAnswers) => Promise<void>
}

export const TerminalContext = createContext<Terminal | null>(null)

export function useTerminal (): Terminal {
  const terminal = useContext(TerminalContext)
  if (terminal === null) throw new Error('useTerminal outside TerminalContext')
  return terminal
}
