// The live socket: the server pushes the terminal's state on connect and on every change; reconnects by itself.
import type { TerminalLiveEvent } from '../contract/live.ts'
import type { TerminalState } from '../contract/terminals.ts'
import { retryDelay } from './outbox.ts'
import { connectSocket } from '../web/socket.ts'

const TERMINAL_PROTOCOL = 'hailong.terminal.v1'
const TOKEN_PROTOCOL_PREFIX = 'hailong.token.'

export interface LiveHandlers {
  onState: (state: TerminalState) => void
  onRevoked: () => void
  onOpenChange: (open: boolean) => void
}

/** Connects now and keeps reconnecting (1–30 s, jittered) until the returned function is called. */
export function connectLive (token: string, handlers: LiveHandlers): () => void {
  let closed = false
  const revoke = (): void => {
    if (closed) return
    stop()
    handlers.onRevoked()
  }
  const connection = connectSocket({
    path: '/api/v1/terminal/live',
    // The token never goes in the URL (logs keep URLs): a browser cannot set Authorization on a WebSocket, so it is
    // offered as a second subprotocol; the server answers with the first (api/plugins/app/auth.ts).
    protocols: [TERMINAL_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`],
    delay: (attempt) => retryDelay(attempt, Math.random, 1_000, 30_000),
    onMessage (data) {
      const message = data as (Partial<TerminalLiveEvent> & { state?: TerminalState }) | null
      if (message?.type === 'state' && message.state !== undefined) handlers.onState(message.state)
      if (message?.type === 'revoked') revoke()
    },
    onOpenChange: handlers.onOpenChange,
    onUnauthorized: revoke
  })
  const stop = (): void => {
    closed = true
    connection()
  }
  return stop
}
