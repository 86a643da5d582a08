// Sign in with username and password; the API sets the session cookie.
import { useState } from 'preact/hooks'
import { ApiError, call, type User } from '../../api.ts'
import { text, type Lang } from '../../i18n.ts'

export function Login ({ lang, setLang, onSignedIn }: { lang: Lang; setLang: (lang: Lang) => void; onSignedIn: (user: User) => void }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [sending, setSending] = useState(false)
  const t = (key: Parameters<typeof text>[1]): string => text(lang, key)

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault()
    setSending(true)
    setError(null)
    try {
      const { user } = await call<{ user: User }>('POST', '/auth/login', { username, password })
      onSignedIn(user)
    } catch (failure) {
      setError(
        failure instanceof ApiError
          ? t(failure.status === 429 ? 'tooManyAttempts' : failure.status === 401 ? 'badCredentials' : 'networkError')
          : t('networkError')
      )
    } finally {
      setSending(false)
    }
  }

  return (
    <main class='login'>
      <form class='panel' onSubmit={submit}>
        <h1>{t('appName')}</h1>
        <p class='muted'>{t('appTagline')}</p>
        <h2>{t('loginTitle')}</h2>
        <label>
          {t('username')}
          <input
            name='username'
            autoComplete='username'
            required
            value={username}
            onInput={(event) => setUsername(event.currentTarget.value)}
          />
        </label>
        <label>
          {t('password')}
          <input
            name='password'
            type='password'
            autoComplete='current-password'
            required
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
        </label>
        {error !== null && (
          <p class='error' role='alert'>
            {error}
          </p>
        )}
        <button type='submit' class='primary' disabled={sending}>
          {t('signIn')}
        </button>
        <button type='button' class='link' onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
          {t('otherLanguage')}
        </button>
      </form>
    </main>
  )
}
