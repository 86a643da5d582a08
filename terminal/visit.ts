// The queue's call on this counter (issue 17): shown on the rating screen and attached to the next rating, once.
import type { TerminalState } from './api.ts'

type Call = NonNullable<TerminalState['call']>

const USED_KEY = 'hl.terminal.usedCall'

const key = (call: Call): string => `${call.calledAt}|${call.ticket}`

/**
 * The call to show and attach, unless a rating here already carried it: the server drops a rated call from the state
 * only when that rating reaches it, and the tablet may be offline meanwhile.
 */
export function pendingCall (state: TerminalState): Call | null {
  const call = state.call ?? null
  if (call === null) return null
  try {
    return localStorage.getItem(USED_KEY) === key(call) ? null : call
  } catch {
    return call
  }
}

/** The next rating carried this call: it is not shown or attached again. */
export function markCallUsed (call: Call): void {
  try {
    localStorage.setItem(USED_KEY, key(call))
  } catch { /* private mode: the server clears the call once the rating arrives */ }
}
