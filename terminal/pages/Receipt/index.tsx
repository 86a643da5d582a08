// At the end of service the officer shows the citizen a QR code to rate the visit later from a phone, and can print it on
// a receipt slip (80 mm thermal paper, with window.print()); the screen is the slip (docs/phone-rating.md).
import { useEffect, useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'
import { api, ApiError, isUnpaired, type IssuedReceipt } from '../../api.ts'
import { useTerminal } from '../../context.ts'
import { errorText } from '../../errors.ts'
import { fill, text } from '../../i18n.ts'

export function Receipt () {
  const terminal = useTerminal()
  const { lang, token, state, timing } = terminal
  const { route } = useLocation()
  const [receipt, setReceipt] = useState<IssuedReceipt | null>(null)
  const [error, setError] = useState<string | null>(null)
  const back = (): void => route('/terminal/')

  useEffect(() => {
    if (token === null) return
    // The visit just served: the queue's call on this counter, if it reported one (issue 17).
    const call = state?.call ?? null
    const visit = call === null ? {} : { ticket: call.ticket, ...(call.dossierCode === null ? {} : { dossierCode: call.dossierCode }) }
    api.issueReceipt(token, visit).then(setReceipt, (failure: unknown) => {
      if (isUnpaired(failure)) return terminal.unpaired()
      const answered = failure instanceof ApiError && failure.status > 0 && failure.status < 500
      setError(answered ? errorText(lang, failure.code) : text(lang, 'networkError'))
    })
    // The citizen may walk away with it: the screen goes back to the scale by itself.
    const timer = setTimeout(back, timing.staffIdleSeconds * 1000)
    return () => clearTimeout(timer)
  }, [])

  const until = receipt === null
    ? ''
    : new Date(receipt.expiresAt).toLocaleString('vi-VN', {
      timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric'
    })
  return (
    <main class='screen receipt-screen' lang={lang}>
      <section class='slip'>
        {state !== null && (
          <>
            <p class='slip-unit'>{state.unit.name}</p>
            <p>{text(lang, 'counter')} {state.counter.number} · {state.counter.name}</p>
            {state.officer !== null && <p>{state.officer.fullName}</p>}
          </>
        )}
        <h1>{text(lang, 'receiptTitle')}</h1>
        {receipt === null
          ? <p role='status'>{error ?? text(lang, 'loading')}</p>
          : (
            <>
              {/* The server draws the QR code (qrcode, SVG): no QR library in the terminal's bundle. */}
              <div class='qr' dangerouslySetInnerHTML={{ __html: receipt.qrSvg }} />
              <p class='slip-link'>{receipt.url}</p>
              <p>{fill(text(lang, 'receiptUntil'), { until })}</p>
              <p>{text(lang, 'receiptOnce')}</p>
            </>
            )}
      </section>
      <div class='actions'>
        <button type='button' class='primary' disabled={receipt === null} onClick={() => window.print()}>
          {text(lang, 'receiptPrint')}
        </button>
        <button type='button' class='secondary' onClick={back}>{text(lang, 'receiptDone')}</button>
      </div>
    </main>
  )
}
