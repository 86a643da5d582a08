// The reconnecting WebSocket both browser apps use: opens now, reconnects with a backoff, and at once when the browser is back online.

/** Close code of a socket whose credentials ended (revoked token, signed-out session): it is not reopened. */
export const CLOSE_UNAUTHORIZED = 4401

export interface SocketOptions {
  /** Path under the page's host, e.g. `/api/v1/live`. */
  path: string
  /** Subprotocols offered to the server (the terminal's token travels here, never in the URL). */
  protocols?: string[]
  /** Milliseconds to wait before reconnect number `attempt` (0 after an open socket closed). */
  delay: (attempt: number) => number
  /** Each message that parses as JSON; others are ignored. */
  onMessage: (data: unknown) => void
  onOpenChange: (open: boolean) => void
  /** The server closed with 4401: no reconnect follows (other codes, 4409 and 4429 among them, reconnect). */
  onUnauthorized?: () => void
}

/** Connects now and keeps reconnecting until the returned function is called. */
export function connectSocket (options: SocketOptions): () => void {
  let socket: WebSocket | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let attempt = 0
  let stopped = false

  const open = (): void => {
    timer = null
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
    const current = new WebSocket(`${scheme}://${location.host}${options.path}`, options.protocols)
    socket = current
    current.onopen = () => {
      attempt = 0
      options.onOpenChange(true)
    }
    current.onmessage = (event) => {
      let data: unknown
      try {
        data = JSON.parse(String(event.data))
      } catch {
        return
      }
      options.onMessage(data)
    }
    current.onclose = (event) => {
      if (socket !== current) return
      socket = null
      options.onOpenChange(false)
      if (event.code === CLOSE_UNAUTHORIZED) return options.onUnauthorized?.()
      if (!stopped) timer = setTimeout(open, options.delay(attempt++))
    }
  }

  // A device waking from sleep or regaining Wi-Fi should not wait out a long backoff.
  const wake = (): void => {
    if (socket !== null || stopped || timer === null) return
    clearTimeout(timer)
    open()
  }
  addEventListener('online', wake)
  open()
  return () => {
    stopped = true
    removeEventListener('online', wake)
    if (timer !== null) clearTimeout(timer)
    timer = null
    const current = socket
    socket = null
    current?.close()
  }
}
