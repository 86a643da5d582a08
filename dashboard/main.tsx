// Entry of the supervisor and province dashboard: the language, who is signed in (or the login page), the connection state.
import { render } from 'preact'
import { useEffect, useMemo, useState } from 'preact/hooks'
import { LocationProvider } from 'preact-iso'
import { applyLang, storedLang } from '../web/i18n.ts'
import { ApiError, call, get, NETWORK, setUnauthorizedHandler, type User } from './api.ts'
import { useConnection } from './connection.ts'
import { text, type Lang } from './i18n.ts'
import { Login } from './pages/Login/index.tsx'
import { SignedIn } from './session/SignedIn.tsx'
import './styles.css'

const LANG_KEY = 'hl.dashboard.lang'

function App () {
  const [user, setUser] = useState<User | null | undefined>(undefined)
  const [lang, setLangState] = useState<Lang>(() => storedLang(LANG_KEY))
  const setLang = (next: Lang): void => {
    applyLang(next, LANG_KEY)
    setLangState(next)
  }
  useMemo(() => {
    applyLang(lang)
  }, [])
  const connection = useConnection()
  useEffect(() => {
    setUnauthorizedHandler(() => setUser(null))
    // No answer at all is not "signed out": wait for the server (the connection state retries) and ask again.
    get<{ user: User }>('/auth/me').then(
      (me) => setUser(me.user),
      (failure: unknown) => {
        if (!(failure instanceof ApiError && failure.code === NETWORK)) setUser(null)
      }
    )
  }, [connection.round])
  const signOut = (): void => {
    call('POST', '/auth/logout')
      .catch(() => {})
      .finally(() => setUser(null))
  }
  if (user === undefined) {
    return (
      <div class='center'>
        {connection.reachable
          ? (
            <p class='muted'>{text(lang, 'loading')}</p>
            )
          : (
            <p class='offline-banner' role='alert'>
              <strong>{text(lang, 'offlineTitle')}</strong> {text(lang, 'offlineRetrying')}{' '}
              <button type='button' onClick={connection.retry}>
                {text(lang, 'retryNow')}
              </button>
            </p>
            )}
      </div>
    )
  }
  return (
    <LocationProvider>
      {user === null
        ? (
          <Login lang={lang} setLang={setLang} onSignedIn={setUser} />
          )
        : (
          <SignedIn key={user.id} user={user} lang={lang} setLang={setLang} signOut={signOut} />
          )}
    </LocationProvider>
  )
}

render(<App />, document.getElementById('app')!)
