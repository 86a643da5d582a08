// The live socket: the server pushes the terminal's state on connect and on every change; reconnects by itself.
import type { TerminalLiveEvent } from '../contract/live.ts'
import type { TerminalState } from '../contract/terminals.ts'
import { retryDelay } from './outbox.ts'

const TERMINAL_PROTOCOL = 'hailong.terminal.v1'
const TOKEN_PROTOCOL_PREFIX = 'hailong.token.'

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
    // The token never goes in the URL (logs keep URLs): a browser cannot set Authorization on a WebSocket, so it is
    // offered as a second subprotocol; the server answers with the first (api/plugins/app/auth.ts).
    const current = new WebSocket(`${scheme}://${location.host}/api/v1/terminal/live`, [TERMINAL_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`])
    socket = current
    current.onopen = () => {
      attempt = 0
      handlers.onOpenChange(true)
    }
    current.onmessage = (event) => {
      let message: Partial<TerminalLiveEvent> & { state?: TerminalState }
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
