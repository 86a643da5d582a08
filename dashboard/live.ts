// WS /api/v1/live: rating, alert and case events of the user's scope; reconnects by itself (1–15 s backoff).
import type { LiveAlert, LiveRating, UserLiveEvent } from '../contract/live.ts'
import { connectSocket } from '../web/socket.ts'

export type { LiveAlert, LiveRating }
/** Toasts are told apart by the rating, or by the rule alert. */
export const alertKey = (alert: LiveAlert): string => alert.kind === 'rule' ? alert.id : alert.ratingId
/** An event of the socket (contract/live.ts): rating, alert (unsatisfied rating or rule alert), case, hello. */
export type LiveEvent = UserLiveEvent

export interface LiveHandlers {
  onEvent: (event: LiveEvent) => void
  onOpenChange: (open: boolean) => void
}

/** Opens the socket now and keeps it open until the returned function is called. */
export function connectLive (handlers: LiveHandlers): () => void {
  return connectSocket({
    path: '/api/v1/live',
    delay: (attempt) => Math.min(15_000, 1_000 * 2 ** attempt) * (0.75 + Math.random() / 2),
    onMessage (data) {
      try {
        // One event, or an array of the events the server sent in one tick.
        const events = data as LiveEvent | LiveEvent[]
        for (const event of Array.isArray(events) ? events : [events]) handlers.onEvent(event)
      } catch { /* not an event */ }
    },
    onOpenChange: handlers.onOpenChange
    // 4401: the session ended; the socket stays closed and the next API call takes the user back to the login screen.
  })
}
