// The live socket: the server pushes the terminal's state on connect and on every change; reconnects by itself.
import type { TerminalState } from './api.ts'
import { retryDelay } from './outbox.ts'

export interface LiveHandlers {
  onState: (state: TerminalState) => void
  onRevoked: () => void
  onOpenChange: (open: boolean) => void
}

/** Connects now and keeps reconnecting (1–30 s, jittered) until the returned function is called. */
export function connectLive (token: string, handlers: LiveHandlers): () => void {
  let socket: WebSocket | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let attempt = 0
  let closed = false

  const open = (): void => {
    timer = null
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    const current = new WebSocket(`${scheme}://${location.host}/api/v1/terminal/live?token=${encodeURIComponent(token)}`)
    socket = current
    current.onopen = () => {
      attempt = 0
      handlers.onOpenChange(true)
    }
    current.onmessage = (event) => {
      let message: { type?: string, state?: TerminalState }
      try {
        message = JSON.parse(String(event.data))
      } catch {
        return
      }
      if (message.type === 'state' && message.state !== undefined) handlers.onState(message.state)
      if (message.type === 'revoked') revoke()
    }
    current.onclose = (event) => {
      if (socket !== current) return
      socket = null
      handlers.onOpenChange(false)
      if (event.code === 4401) return revoke()
      if (!closed) timer = setTimeout(open, retryDelay(attempt++, Math.random, 1_000, 30_000))
    }
  }

  const stop = (): void => {
    closed = true
    if (timer !== null) clearTimeout(timer)
    const current = socket
    socket = null
    current?.close()
  }

  const revoke = (): void => {
    if (closed) return
    stop()
    handlers.onRevoked()
  }

  // A tablet waking from sleep or regaining Wi-Fi should not wait out a long backoff.
  const retryNow = (): void => {
    if (closed || socket !== null) return
    if (timer !== null) clearTimeout(timer)
    open()
  }
  addEventListener('online', retryNow)
  open()
  return () => {
    removeEventListener('online', retryNow)
    stop()
  }
}
