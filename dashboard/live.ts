// WS /api/v1/live: rating, alert and case events of the user's scope; reconnects by itself (1–15 s backoff).
import type { LiveAlert, LiveRating, UserLiveEvent } from '../contract/live.ts'

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
  let socket: WebSocket | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let attempt = 0
  let stopped = false

  const open = (): void => {
    timer = null
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    const current = new WebSocket(`${scheme}://${location.host}/api/v1/live`)
    socket = current
    current.onopen = () => {
      attempt = 0
      handlers.onOpenChange(true)
    }
    current.onmessage = (message) => {
      try {
        // One event, or an array of the events the server sent in one tick.
        const data = JSON.parse(String(message.data)) as LiveEvent | LiveEvent[]
        for (const event of Array.isArray(data) ? data : [data]) handlers.onEvent(event)
      } catch { /* not an event */ }
    }
    current.onclose = (event) => {
      if (socket !== current) return
      socket = null
      handlers.onOpenChange(false)
      // 4401: the session ended; the next API call takes the user back to the login screen.
      if (!stopped && event.code !== 4401) timer = setTimeout(open, Math.min(15_000, 1_000 * 2 ** attempt++) * (0.75 + Math.random() / 2))
    }
  }

  const wake = (): void => {
    if (socket === null && !stopped && timer !== null) {
      clearTimeout(timer)
      open()
    }
  }
  addEventListener('online', wake)
  open()
  return () => {
    stopped = true
    removeEventListener('online', wake)
    if (timer !== null) clearTimeout(timer)
    const current = socket
    socket = null
    current?.close()
  }
}
