// The officer's screen: sign in with staff code and PIN at the start of a shift, sign out at the end.
import { useEffect, useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'
import { api, ApiError, isUnpaired } from '../../api.ts'
import { ConnectionStatus } from '../../components/ConnectionStatus.tsx'
import { Keypad } from '../../components/Keypad.tsx'
import { OfficerCard } from '../../components/OfficerCard.tsx'
import { useTerminal } from '../../context.ts'
import { errorText } from '../../errors.ts'
import { fill, text } from '../../i18n.ts'

type Field = 'staffCode' | 'pin'

export function Staff () {
  const terminal = useTerminal()
  const { lang, token, state, timing } = terminal
  const { route } = useLocation()
  const [staffCode, setStaffCode] = useState('')
  const [pin, setPin] = useState('')
  const [field, setField] = useState<Field>('staffCode')
  const [error, setError] = useState<string | null>(null)
  const [sending, setSending] = useState(false)
  const [touchedAt, setTouchedAt] = useState(Date.now)
  const back = (): void => route('/terminal/')

  // A citizen who wandered in is not left on the officer screen.
  useEffect(() => {
    const timer = setTimeout(back, timing.staffIdleSeconds * 1000)
    return () => clearTimeout(timer)
  }, [touchedAt])

  const fail = (failure: unknown): void => {
    if (isUnpaired(failure)) return terminal.unpaired()
    if (!(failure instanceof ApiError) || failure.status === 0 || failure.status >= 500) return setError(text(lang, 'networkError'))
    if (failure.code === 'INVALID_CREDENTIALS') return setError(text(lang, 'wrongCredentials'))
    // Every other answer by its code, in the screen's language; a lock says until when (the server's local HH:MM).
    const until = failure.code === 'OFFICER_LOCKED' ? /\b\d{1,2}:\d{2}\b/.exec(failure.message)?.[0] : undefined
    setError(errorText(lang, failure.code) + (until === undefined ? '' : ` ${fill(text(lang, 'lockedUntil'), { until })}`))
  }

  const signIn = async (event: Event): Promise<void> => {
    event.preventDefault()
    if (token === null || sending || staffCode.trim() === '' || pin === '') return
    setSending(true)
    try {
      const officer = await api.signIn(token, staffCode.trim(), pin)
      terminal.officerChanged(officer)
      back()
    } catch (failure) {
      setPin('')
      fail(failure)
    } finally {
      setSending(false)
    }
  }

  const signOut = async (): Promise<void> => {
    if (token === null || sending) return
    setSending(true)
    try {
      await api.signOut(token)
      terminal.officerChanged(null)
      back()
    } catch (failure) {
      fail(failure)
    } finally {
      setSending(false)
    }
  }

  const edit = (change: (value: string) => string): void => {
    setError(null)
    if (field === 'pin') setPin((value) => change(value).replace(/\D/g, '').slice(0, 12))
    else setStaffCode((value) => change(value).slice(0, 32))
  }

  const officer = state?.officer ?? null
  return (
    <main class='screen staff' lang={lang} onPointerDown={() => setTouchedAt(Date.now())}>
      <div class='panel'>
        <h1>{text(lang, 'staffTitle')}</h1>
        {officer !== null && (
          <div class='signed-in'>
            <p>{text(lang, 'signedInAs')}</p>
            <OfficerCard officer={officer} lang={lang} />
            <button type='button' class='secondary' onClick={() => { void signOut() }} disabled={sending}>
              {text(lang, 'signOut')}
            </button>
          </div>
        )}
        {/* End of service: a QR code (and a slip) for the citizen to rate later from a phone. */}
        <button type='button' class='secondary' onClick={() => route('/terminal/receipt')}>{text(lang, 'receiptButton')}</button>
        <form class='with-keypad' onSubmit={(event) => { void signIn(event) }}>
          <div class='fields'>
            <label for='staff-code'>{text(lang, 'staffCode')}</label>
            <input
              id='staff-code'
              name='staffCode'
              autoComplete='off'
              autoCapitalize='characters'
              spellcheck={false}
              value={staffCode}
              class={field === 'staffCode' ? 'is-active' : ''}
              onFocus={() => setField('staffCode')}
              onInput={(event) => {
                setError(null)
                setStaffCode(event.currentTarget.value)
              }}
            />
            <label for='pin'>{text(lang, 'pin')}</label>
            <input
              id='pin'
              name='pin'
              type='password'
              inputMode='numeric'
              autoComplete='off'
              value={pin}
              class={field === 'pin' ? 'is-active' : ''}
              onFocus={() => setField('pin')}
              onInput={(event) => {
                setError(null)
                setPin(event.currentTarget.value.replace(/\D/g, ''))
              }}
            />
            <p class='error' role='alert'>
              {error ?? ''}
            </p>
            <div class='actions'>
              <button type='submit' class='primary' disabled={sending || staffCode.trim() === '' || pin === ''}>
                {text(lang, 'signIn')}
              </button>
              <button type='button' class='secondary' onClick={back}>
                {text(lang, 'back')}
              </button>
            </div>
          </div>
          <Keypad
            lang={lang}
            onDigit={(digit) => edit((value) => value + digit)}
            onBackspace={() => edit((value) => value.slice(0, -1))}
            onClear={() => edit(() => '')}
          />
        </form>
      </div>
      <footer class='footer'>
        <ConnectionStatus />
      </footer>
    </main>
  )
}
