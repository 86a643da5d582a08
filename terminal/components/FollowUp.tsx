// The follow-up after an unsatisfied rating: what went wrong (one large choice, skippable), then a call-back offer with the
// phone keypad and the consent sentence. Idle for a while (or leaving the screen) sends what was chosen; a number counts only
// once "Gửi" is pressed under the consent sentence.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { RatingItem, TerminalState } from '../api.ts'
import { label, text, type Lang } from '../i18n.ts'
import { Keypad } from './Keypad.tsx'

type FollowUpAnswer = NonNullable<RatingItem['followUp']>

export interface FollowUpProps {
  followUp: TerminalState['followUp']
  lang: Lang
  idleSeconds: number
  onDone: (answer: FollowUpAnswer) => void
}

/** 0 and 9–10 digits: a Vietnamese mobile (10) or landline (11) number, as the server checks it. */
const PHONE = /^0\d{9,10}$/

export function FollowUp ({ followUp, lang, idleSeconds, onDone }: FollowUpProps) {
  const [step, setStep] = useState<'reason' | 'callBack'>(followUp.reasons.length > 0 ? 'reason' : 'callBack')
  const [reason, setReason] = useState<string | undefined>(undefined)
  const [phone, setPhone] = useState('')
  const [touchedAt, setTouchedAt] = useState(Date.now)
  const finished = useRef(false)
  const chosen = useRef<FollowUpAnswer>({})
  chosen.current = reason === undefined ? {} : { reason }
  const finish = (answer: FollowUpAnswer): void => {
    if (finished.current) return
    finished.current = true
    onDone(answer)
  }

  useEffect(() => {
    const timer = setTimeout(() => finish(chosen.current), idleSeconds * 1000)
    return () => clearTimeout(timer)
  }, [touchedAt, step])
  useEffect(() => () => finish(chosen.current), [])

  const choose = (code: string): void => {
    setReason(code)
    if (followUp.callBack) setStep('callBack')
    else finish({ reason: code })
  }
  const valid = PHONE.test(phone)

  if (step === 'reason') {
    return (
      <section class='follow-up' aria-labelledby='follow-up-title' onPointerDown={() => setTouchedAt(Date.now())}>
        <h1 id='follow-up-title'>{text(lang, 'followUpTitle')}</h1>
        <p class='hint'>{text(lang, 'followUpHint')}</p>
        <div class='reasons'>
          {followUp.reasons.map((option) => (
            <button type='button' key={option.code} class='reason' data-reason={option.code} onClick={() => choose(option.code)}>
              {label(lang, option)}
            </button>
          ))}
        </div>
        <div class='actions'>
          <button type='button' class='secondary' onClick={() => finish({})}>{text(lang, 'skip')}</button>
        </div>
      </section>
    )
  }
  return (
    <section class='follow-up call-back' aria-labelledby='call-back-title' onPointerDown={() => setTouchedAt(Date.now())}>
      <h1 id='call-back-title'>{text(lang, 'callBackTitle')}</h1>
      <output class='phone' aria-label={text(lang, 'phoneNumber')}>{phone === '' ? text(lang, 'phoneNumber') : phone}</output>
      <Keypad
        lang={lang}
        onDigit={(digit) => setPhone((current) => (current.length < 11 ? current + digit : current))}
        onBackspace={() => setPhone((current) => current.slice(0, -1))}
        onClear={() => setPhone('')}
      />
      <p class='consent'>{lang === 'vi' ? followUp.consent.textVi : followUp.consent.textEn}</p>
      {phone.length >= 10 && !valid && <p class='hint' role='alert'>{text(lang, 'phoneInvalid')}</p>}
      <div class='actions'>
        <button
          type='button'
          class='primary'
          disabled={!valid}
          onClick={() => finish({ ...chosen.current, phone, consentVersion: followUp.consent.version })}
        >
          {text(lang, 'send')}
        </button>
        <button type='button' class='secondary' onClick={() => finish(chosen.current)}>{text(lang, 'noThanks')}</button>
      </div>
    </section>
  )
}
