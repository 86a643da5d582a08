// Entry of the supervisor and province dashboard: session, language, units in scope, the live socket, routing.
import { render } from 'preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { LocationProvider, Route, Router } from 'preact-iso'
import { ApiError, call, get, NETWORK, setUnauthorizedHandler, type Alert, type Counter, type Criterion, type Items, type ScaleLevel, type Officer, type Unit, type User } from './api.ts'
import { useConnection, verify } from './connection.ts'
import { DashboardContext, type Dashboard } from './context.ts'
import { setCatalogue, text, type Lang } from './i18n.ts'
import { alertKey, connectLive, type LiveAlert, type LiveRating } from './live.ts'
import { Admin } from './pages/Admin/index.tsx'
import { Alerts } from './pages/Alerts/index.tsx'
import { Cases } from './pages/Cases/index.tsx'
import { Live } from './pages/Live/index.tsx'
import { Login } from './pages/Login/index.tsx'
import { OfficerPage } from './pages/Officer/index.tsx'
import { Officers } from './pages/Officers/index.tsx'
import { Overview } from './pages/Overview/index.tsx'
import { Province } from './pages/Province/index.tsx'
import { Report } from './pages/Report/index.tsx'
import './styles.css'

const LANG_KEY = 'hl.dashboard.lang'
const SOUND_KEY = 'hl.dashboard.sound'
const FEED_LENGTH = 200

/** A short two-tone beep for an unsatisfied rating, when the user turned sound on. */
function beep (): void {
  try {
    const audio = new AudioContext()
    const oscillator = audio.createOscillator()
    oscillator.frequency.value = 880
    oscillator.connect(audio.destination)
    oscillator.start()
    oscillator.frequency.setValueAtTime(660, audio.currentTime + 0.15)
    oscillator.stop(audio.currentTime + 0.3)
  } catch { /* no audio */ }
}

function SignedIn ({ user, lang, setLang, signOut }: { user: User, lang: Lang, setLang: (lang: Lang) => void, signOut: () => void }) {
  const [catalogue, setCatalogueLoaded] = useState(false)
  const [units, setUnits] = useState<Unit[]>([])
  const [counters, setCounters] = useState<Map<string, Counter>>(new Map())
  const [officers, setOfficers] = useState<Map<string, Officer>>(new Map())
  const [open, setOpen] = useState(false)
  const [ratings, setRatings] = useState<LiveRating[]>([])
  const [alerts, setAlerts] = useState<LiveAlert[]>([])
  const [alertRound, setAlertRound] = useState(0)
  const [openAlerts, setOpenAlerts] = useState(0)
  const [sound, setSoundState] = useState(localStorage.getItem(SOUND_KEY) === 'on')
  const soundRef = useRef(sound)
  soundRef.current = sound
  const connection = useConnection()

  useEffect(() => {
    Promise.all([get<Items<ScaleLevel>>('/scale'), get<Items<Criterion>>('/criteria')]).then(([scale, criteria]) => {
      setCatalogue(scale.items, criteria.items)
      setCatalogueLoaded(true)
    }, () => setCatalogueLoaded(true))
  }, [user.id, connection.round])

  const [unitsRound, setUnitsRound] = useState(0)
  useEffect(() => {
    if (user.role === 'officer') return
    get<Items<Unit>>('/units').then((list) => setUnits(list.items)).catch(() => {})
  }, [user.id, connection.round, unitsRound])
  useEffect(() => {
    if (user.role === 'officer') return
    get<Items<Counter>>('/counters').then((list) => setCounters(new Map(list.items.map((counter) => [counter.id, counter])))).catch(() => {})
    get<Items<Officer>>('/officers').then((list) => setOfficers(new Map(list.items.map((officer) => [officer.id, officer])))).catch(() => {})
  }, [user.id, connection.round])

  // Alerts fired while no screen was open show as a count in the menu; each rule alert event recounts.
  useEffect(() => {
    if (user.role === 'officer') return
    get<Items<Alert>>('/alerts', { acknowledged: false, limit: 100 }).then((list) => setOpenAlerts(list.items.length)).catch(() => {})
  }, [user.id, alertRound, connection.round])

  useEffect(() => connectLive({
    onOpenChange (next) {
      setOpen(next)
      // A closed socket may mean the server is gone: the one connection state asks it.
      if (!next) verify()
    },
    onEvent (event) {
      if (event.type === 'rating') setRatings((list) => [event.rating, ...list].slice(0, FEED_LENGTH))
      if (event.type === 'alert') {
        const key = alertKey(event.alert)
        // An acknowledged rule alert (here or on another screen) leaves the toasts; the alerts page reloads.
        if (event.alert.kind === 'rule' && event.alert.acknowledged) {
          setAlerts((list) => list.filter((alert) => alertKey(alert) !== key))
          setAlertRound((n) => n + 1)
          return
        }
        setAlerts((list) => [event.alert, ...list.filter((alert) => alertKey(alert) !== key)].slice(0, 20))
        if (event.alert.kind === 'rule') setAlertRound((n) => n + 1)
        if (soundRef.current) beep()
      }
    }
  }), [user.id])

  const dashboard: Dashboard = {
    user,
    lang,
    setLang,
    t: (key) => text(lang, key),
    units,
    refreshUnits: () => setUnitsRound((n) => n + 1),
    counters,
    officers,
    signOut,
    live: {
      open,
      ratings,
      alerts,
      alertRound,
      openAlerts,
      dismiss: (key) => setAlerts((list) => list.filter((alert) => alertKey(alert) !== key)),
      sound,
      setSound (on) {
        localStorage.setItem(SOUND_KEY, on ? 'on' : 'off')
        setSoundState(on)
      }
    }
  }

  if (!catalogue) return <p class="muted center">{text(lang, 'loading')}</p>
  return (
    <DashboardContext.Provider value={dashboard}>
      <Router>
        <Route path="/" component={Overview} />
        <Route path="/live" component={Live} />
        <Route path="/officers" component={Officers} />
        <Route path="/officers/:id" component={OfficerPage} />
        <Route path="/cases" component={Cases} />
        <Route path="/alerts" component={Alerts} />
        <Route path="/province" component={Province} />
        <Route path="/report" component={Report} />
        <Route path="/admin" component={Admin} />
        <Route default component={Overview} />
      </Router>
    </DashboardContext.Provider>
  )
}

function App () {
  const [user, setUser] = useState<User | null | undefined>(undefined)
  const [lang, setLangState] = useState<Lang>(localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi')
  const setLang = (next: Lang): void => {
    localStorage.setItem(LANG_KEY, next)
    document.documentElement.lang = next
    setLangState(next)
  }
  useMemo(() => { document.documentElement.lang = lang }, [])
  const connection = useConnection()
  useEffect(() => {
    setUnauthorizedHandler(() => setUser(null))
    // No answer at all is not "signed out": wait for the server (the connection state retries) and ask again.
    get<{ user: User }>('/auth/me').then((me) => setUser(me.user), (failure: unknown) => { if (!(failure instanceof ApiError && failure.code === NETWORK)) setUser(null) })
  }, [connection.round])
  const signOut = (): void => {
    call('POST', '/auth/logout').catch(() => {}).finally(() => setUser(null))
  }
  if (user === undefined) {
    return (
      <div class="center">
        {connection.reachable
          ? <p class="muted">{text(lang, 'loading')}</p>
          : <p class="offline-banner" role="alert"><strong>{text(lang, 'offlineTitle')}</strong> {text(lang, 'offlineRetrying')} <button type="button" onClick={connection.retry}>{text(lang, 'retryNow')}</button></p>}
      </div>
    )
  }
  return (
    <LocationProvider>
      {user === null
        ? <Login lang={lang} setLang={setLang} onSignedIn={setUser} />
        : <SignedIn key={user.id} user={user} lang={lang} setLang={setLang} signOut={signOut} />}
    </LocationProvider>
  )
}

render(<App />, document.getElementById('app')!)
