// The phone page at /r/<code>: the citizen rates a visit later, once, from their own phone (docs/phone-rating.md).
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { applyLang, storedLang } from '../web/i18n.ts'
import { NETWORK } from '../web/api.ts'
import { ApiError, receiptApi, type ReceiptVisit } from './api.ts'
import { fill, text, type Lang, type MessageKey } from './i18n.ts'
import { RateForm } from './RateForm.tsx'
import './styles.css'

const LANG_KEY = 'hl.phone.lang'

type Screen =
  | { kind: 'loading' }
  | { kind: 'open', visit: ReceiptVisit }
  | { kind: 'thanks' | 'used' | 'expired' | 'invalid' }
  | { kind: 'failed', code: string }

/** The code in the link /r/<code>. */
const code = decodeURIComponent(location.pathname.replace(/^\/r\//, '').replace(/\/+$/, ''))

/** A refusal that ends the page: the code is unknown, used or expired. */
function endOf (failure: unknown): Screen {
  if (failure instanceof ApiError) {
    if (failure.status === 404 || failure.status === 400) return { kind: 'invalid' }
    if (failure.code === 'RECEIPT_USED') return { kind: 'used' }
    if (failure.code === 'RECEIPT_EXPIRED') return { kind: 'expired' }
    return { kind: 'failed', code: failure.code }
  }
  return { kind: 'failed', code: 'INTERNAL_ERROR' }
}

/** What a failure that leaves the form open says: no network, too many tries, or its code (the rest are whole screens). */
function failureText (lang: Lang, code: string): string {
  if (code === NETWORK) return text(lang, 'networkError')
  return code === 'RATE_LIMITED' ? text(lang, 'rateLimited') : fill(text(lang, 'failed'), { code })
}

function Notice ({ lang, title, detail, tone }: { lang: Lang, title: MessageKey, detail: MessageKey, tone: string }) {
  return (
    <section class={`notice ${tone}`} role='status'>
      <h1>{text(lang, title)}</h1>
      <p>{text(lang, detail)}</p>
    </section>
  )
}

function App () {
  const [lang, setLang] = useState<Lang>(() => storedLang(LANG_KEY))
  const [screen, setScreen] = useState<Screen>({ kind: 'loading' })
  const load = (): void => {
    setScreen({ kind: 'loading' })
    receiptApi.view(code).then(
      (view) => setScreen(
        view.status === 'open' && view.visit !== undefined
          ? { kind: 'open', visit: view.visit }
          : { kind: view.status === 'used' ? 'used' : 'expired' }
      ),
      (failure: unknown) => setScreen(endOf(failure))
    )
  }
  useEffect(load, [])
  useEffect(() => applyLang(lang), [lang])
  const other: Lang = lang === 'vi' ? 'en' : 'vi'

  return (
    <>
      <header class='bar'>
        <span class='brand'>Hài Lòng</span>
        <button type='button' class='lang' lang={other} onClick={() => { applyLang(other, LANG_KEY); setLang(other) }}>
          {text(lang, 'otherLanguage')}
        </button>
      </header>
      <main>
        {screen.kind === 'loading' && <p class='loading'>{text(lang, 'loading')}</p>}
        {screen.kind === 'open' && (
          <RateForm
            lang={lang} visit={screen.visit}
            submit={(body) => receiptApi.rate(code, body).then(() => setScreen({ kind: 'thanks' }), (failure: unknown) => {
              const next = endOf(failure)
              if (next.kind === 'failed') throw failure
              setScreen(next)
            })}
            failureText={failureText}
          />
        )}
        {screen.kind === 'thanks' && <Notice lang={lang} title='thanks' detail='thanksDetail' tone='thanks' />}
        {screen.kind === 'used' && <Notice lang={lang} title='usedTitle' detail='usedDetail' tone='used' />}
        {screen.kind === 'expired' && <Notice lang={lang} title='expiredTitle' detail='expiredDetail' tone='ended' />}
        {screen.kind === 'invalid' && <Notice lang={lang} title='invalidTitle' detail='invalidDetail' tone='ended' />}
        {screen.kind === 'failed' && (
          <section class='notice ended' role='alert'>
            <p>{failureText(lang, screen.code)}</p>
            <button type='button' class='primary' onClick={load}>{text(lang, 'retry')}</button>
          </section>
        )}
      </main>
    </>
  )
}

render(<App />, document.getElementById('app')!)
