// Entry of the touch terminal app: pairing, state (GET then live), the outbox, routing and the service worker.
import { render } from 'preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { LocationProvider, Router, Route, useLocation } from 'preact-iso'
import { api, ApiError, isUnpaired, type Officer, type TerminalState } from './api.ts'
import { TerminalContext, type Terminal } from './context.ts'
import { loadState, loadTiming, loadToken, saveState, saveToken } from './device.ts'
import type { Lang } from './i18n.ts'
import { connectLive } from './live.ts'
import { createSender, openOutbox, type Outbox, type Sender } from './outbox.ts'
import { Pair } from './pages/Pair/index.tsx'
import { Rate } from './pages/Rate/index.tsx'
import { Staff } from './pages/Staff/index.tsx'
import { Receipt } from './pages/Receipt/index.tsx'
import './styles.css'

export const base = '/terminal/'

// One outbox and one sender for the page's life; the sender reads the current token at each send.
let currentToken = loadToken()
const outboxReady: Promise<Outbox> = openOutbox().then(async (outbox) => {
  await outbox.releaseHeld()
  return outbox
})

function App () {
  const [token, setToken] = useState(currentToken)
  const [state, setState] = useState<TerminalState | null>(loadState)
  const [lang, setLang] = useState<Lang>('vi')
  // Online means the live socket is open, the device has a network, and the last send (if any) got through:
  // a half-dead socket can look open for minutes after Wi-Fi drops.
  const [liveOpen, setLiveOpen] = useState(false)
  const [network, setNetwork] = useState(navigator.onLine)
  const [sendFailed, setSendFailed] = useState(false)
  // Before pairing there is no socket to open: the network alone says whether the tablet can reach the server.
  const online = token === null ? network : liveOpen && network && !sendFailed
  const [pending, setPending] = useState(0)
  const [revoked, setRevoked] = useState(false)
  const senderRef = useRef<Sender | null>(null)
  const timing = useMemo(loadTiming, [])

  const updateState = (next: TerminalState | null): void => {
    saveState(next)
    setState(next)
  }

  const unpaired = (): void => {
    if (currentToken === null) return
    currentToken = null
    saveToken(null)
    setToken(null)
    setRevoked(true)
    setLiveOpen(false)
  }

  useEffect(() => {
    let sender: Sender | null = null
    void outboxReady.then((outbox) => {
      sender = createSender({
        outbox,
        send: (ratings) => {
          if (currentToken === null) return Promise.reject(new ApiError(401, 'TERMINAL_TOKEN_INVALID', 'Not paired'))
          return api.sendRatings(currentToken, ratings)
        },
        onStatus: (status) => {
          setPending(status.pending)
          if (status.reachable !== null) setSendFailed(!status.reachable)
        },
        onUnpaired: unpaired,
        onRejected: (result) => console.warn('rating rejected by the server', result)
      })
      senderRef.current = sender
      sender.kick()
    }).catch((error: unknown) => console.error('outbox', error))
    const wentOnline = (): void => {
      setNetwork(true)
      senderRef.current?.kick()
    }
    const wentOffline = (): void => setNetwork(false)
    addEventListener('online', wentOnline)
    addEventListener('offline', wentOffline)
    return () => {
      removeEventListener('online', wentOnline)
      removeEventListener('offline', wentOffline)
      sender?.stop()
    }
  }, [])

  useEffect(() => {
    if (token === null) return
    let active = true
    api.state(token).then((fresh) => { if (active) updateState(fresh) }).catch((error: unknown) => {
      if (active && isUnpaired(error)) unpaired()
    })
    const stop = connectLive(token, {
      onState: updateState,
      onRevoked: unpaired,
      onOpenChange: (open) => {
        setLiveOpen(open)
        if (open) {
          setSendFailed(false)
          senderRef.current?.kick()
        }
      }
    })
    return () => {
      active = false
      stop()
    }
  }, [token])

  const terminal: Terminal = {
    token,
    state,
    lang,
    setLang,
    timing,
    online,
    pending,
    revoked,
    paired (fresh) {
      currentToken = fresh
      saveToken(fresh)
      // Another counter's state must not show for a moment under the new pairing.
      updateState(null)
      setRevoked(false)
      setToken(fresh)
      senderRef.current?.resume()
    },
    unpaired,
    officerChanged: (officer: Officer | null) => { if (state !== null) updateState({ ...state, officer }) },
    async queue (rating, held) {
      const outbox = await outboxReady
      await outbox.add(rating, { held })
      setPending(await outbox.count())
      if (!held) senderRef.current?.kick()
    },
    async release (id, criteria, followUp) {
      const outbox = await outboxReady
      await outbox.release(id, criteria, followUp)
      senderRef.current?.kick()
    },
    async keep (id, criteria) {
      await (await outboxReady).keep(id, criteria)
    }
  }

  return (
    <TerminalContext.Provider value={terminal}>
      <LocationProvider scope={base}>
        <Guard token={token} />
        <Router>
          <Route path={base} component={Rate} />
          <Route path={`${base}pair`} component={Pair} />
          <Route path={`${base}staff`} component={Staff} />
          <Route path={`${base}receipt`} component={Receipt} />
          <Route default component={Rate} />
        </Router>
      </LocationProvider>
    </TerminalContext.Provider>
  )
}

/** An unpaired terminal can only show the pairing screen; a paired one has no use for it (revocation unpairs). */
function Guard ({ token }: { token: string | null }) {
  const { path, route } = useLocation()
  useEffect(() => {
    const pairing = path === `${base}pair`
    if (token === null && !pairing) route(`${base}pair`, true)
    if (token !== null && pairing) route(base, true)
  }, [token, path])
  return null
}

render(<App />, document.getElementById('app')!)

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register(`${base}sw.js`, { scope: base }).catch((error: unknown) => console.warn('service worker', error))
}
