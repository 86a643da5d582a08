// First start (or after revocation): the installer types the pairing code shown on the dashboard.
import { useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'
import { api, ApiError } from '../../api.ts'
import { ConnectionStatus } from '../../components/ConnectionStatus.tsx'
import { Keypad } from '../../components/Keypad.tsx'
import { useTerminal } from '../../context.ts'
import { errorText } from '../../errors.ts'
import { messages, text, type MessageKey } from '../../i18n.ts'

const CODE_LENGTH = 8

export function Pair () {
  const terminal = useTerminal()
  const { lang, revoked } = terminal
  const { route } = useLocation()
  // The dashboard's QR code opens /terminal/pair?code=…: the code is filled in, the installer only confirms.
  const [code, setCode] = useState(() => (new URLSearchParams(location.search).get('code') ?? '').replace(/\D/g, '').slice(0, CODE_LENGTH))
  /** A message of the screen, or an API error code shown by its own sentence. */
  const [error, setError] = useState<MessageKey | string | null>(null)
  const [sending, setSending] = useState(false)

  const type = (value: string): void => {
    setError(null)
    setCode(value.replace(/\D/g, '').slice(0, CODE_LENGTH))
  }

  const submit = async (event?: Event): Promise<void> => {
    event?.preventDefault()
    if (code.length !== CODE_LENGTH || sending) return
    setSending(true)
    try {
      const { token } = await api.pair(code)
      terminal.paired(token)
      route('/terminal/', true)
    } catch (failure) {
      setCode('')
      const status = failure instanceof ApiError ? failure.status : 0
      setError(
        status === 429
          ? 'pairRateLimited'
          : status === 0 || status >= 500
            ? 'networkError'
            : failure instanceof ApiError && failure.code !== 'PAIRING_CODE_INVALID' && failure.code !== 'VALIDATION_FAILED'
              ? failure.code
              : 'pairInvalid'
      )
    } finally {
      setSending(false)
    }
  }

  return (
    <main class='screen pair' lang={lang}>
      <div class='panel'>
        <h1>{text(lang, 'pairTitle')}</h1>
        {revoked && (
          <p class='notice' role='alert'>
            {text(lang, 'repairNotice')}
          </p>
        )}
        <form class='with-keypad' onSubmit={(event) => { void submit(event) }}>
          <div class='fields'>
            <label for='pairing-code'>{text(lang, 'pairHint')}</label>
            <input
              id='pairing-code'
              class='code'
              name='pairingCode'
              inputMode='numeric'
              autoComplete='off'
              pattern='[0-9]{8}'
              maxLength={CODE_LENGTH}
              value={code}
              onInput={(event) => type(event.currentTarget.value)}
              aria-describedby='pair-error'
            />
            <p id='pair-error' class='error' role='alert'>
              {error === null ? '' : error in messages[lang] ? text(lang, error as MessageKey) : errorText(lang, error)}
            </p>
            <button type='submit' class='primary' disabled={code.length !== CODE_LENGTH || sending}>
              {text(lang, 'pair')}
            </button>
          </div>
          <Keypad
            lang={lang}
            onDigit={(digit) => type(code + digit)}
            onBackspace={() => type(code.slice(0, -1))}
            onClear={() => type('')}
          />
        </form>
      </div>
      <footer class='footer'>
        <ConnectionStatus />
      </footer>
    </main>
  )
}
