// The live feed of a signed-in user: the socket's state, the latest ratings, the alert toasts (with a beep), open alerts.
import { useEffect, useRef, useState } from 'preact/hooks'
import { get, type Alert, type Items, type User } from '../api.ts'
import { useConnection, verify } from '../connection.ts'
import type { Dashboard } from '../context.ts'
import { alertKey, connectLive, type LiveAlert, type LiveRating } from '../live.ts'

const SOUND_KEY = 'hl.dashboard.sound'
const FEED_LENGTH = 200
const TOASTS = 20
/** A toast closes by itself after this long (the alert stays on the Cảnh báo page, the case on Phản ánh). */
export const TOAST_MS = 60_000

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

/** Opens the live socket for the user's life on the page and keeps what the pages show of it. */
export function useLiveFeed (user: User): Dashboard['live'] {
  const [open, setOpen] = useState(false)
  const [ratings, setRatings] = useState<LiveRating[]>([])
  const [alerts, setAlerts] = useState<LiveAlert[]>([])
  const [alertRound, setAlertRound] = useState(0)
  const [openAlerts, setOpenAlerts] = useState(0)
  const [sound, setSoundState] = useState(localStorage.getItem(SOUND_KEY) === 'on')
  const soundRef = useRef(sound)
  soundRef.current = sound
  const connection = useConnection()

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
        setAlerts((list) => [event.alert, ...list.filter((alert) => alertKey(alert) !== key)].slice(0, TOASTS))
        const shown = event.alert
        setTimeout(() => setAlerts((list) => list.filter((alert) => alert !== shown)), TOAST_MS)
        if (event.alert.kind === 'rule') setAlertRound((n) => n + 1)
        if (soundRef.current) beep()
      }
    }
  }), [user.id])

  return {
    open,
    ratings,
    alerts,
    alertRound,
    openAlerts,
    dismiss: (key) => setAlerts((list) => list.filter((alert) => alertKey(alert) !== key)),
    dismissAll: () => setAlerts([]),
    sound,
    setSound (on) {
      localStorage.setItem(SOUND_KEY, on ? 'on' : 'off')
      setSoundState(on)
    }
  }
}
