// One form for the whole rating on a phone: the faces, the "4 xin, 4 luôn" criteria (Có / Không / Không áp dụng), and after
// an unsatisfied rating what went wrong and a call-back with consent; one "Gửi đánh giá".
import { useState } from 'preact/hooks'
import { ScaleButtons } from '../terminal/components/ScaleButtons.tsx'
import { CriterionIcon } from '../terminal/components/CriterionIcon.tsx'
import type { CriterionAnswer, ReceiptRatingBody, ReceiptVisit } from './api.ts'
import { ApiError } from './api.ts'
import { fill, label, text, type Lang } from './i18n.ts'

/** 0 and 9–10 digits (spaces, dots and dashes allowed): a Vietnamese number, as the server checks it. */
const PHONE = /^0\d{9,10}$/
const digitsOf = (phone: string): string => phone.replace(/[\s.-]/g, '').replace(/^\+84/, '0')

export interface RateFormProps {
  lang: Lang
  visit: ReceiptVisit
  /** Sends the rating; a failure it does not handle itself is thrown back to be shown here. */
  submit: (body: ReceiptRatingBody) => Promise<void>
  failureText: (lang: Lang, code: string) => string
}

export function RateForm ({ lang, visit, submit, failureText }: RateFormProps) {
  const [level, setLevel] = useState<number | null>(null)
  const [answers, setAnswers] = useState<Record<string, CriterionAnswer>>({})
  const [reason, setReason] = useState<string | null>(null)
  const [phone, setPhone] = useState('')
  const [consent, setConsent] = useState(false)
  const [sending, setSending] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)
  const chosen = visit.scale.find((option) => option.level === level)
  const asks = chosen !== undefined &&
    (chosen.category === 'unsatisfied' || (chosen.category === 'neutral' && visit.followUp.askNeutral))
  const number = digitsOf(phone)
  const phoneBad = phone.trim() !== '' && !PHONE.test(number)
  const expires = new Date(visit.expiresAt).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit'
  })

  const answer = (code: string, given: CriterionAnswer): void => {
    setAnswers((current) => {
      const next = { ...current }
      // Pressing the chosen answer again takes it back.
      if (next[code] === given) delete next[code]
      else next[code] = given
      return next
    })
  }

  const send = (event: Event): void => {
    event.preventDefault()
    if (level === null) return setProblem(text(lang, 'chooseLevel'))
    if (asks && phoneBad) return setProblem(text(lang, 'phoneInvalid'))
    const body: ReceiptRatingBody = { level }
    if (Object.keys(answers).length > 0) body.criteria = answers
    if (asks) {
      const followUp: NonNullable<ReceiptRatingBody['followUp']> = {}
      if (reason !== null) followUp.reason = reason
      if (visit.followUp.callBack && consent && PHONE.test(number)) {
        followUp.phone = number
        followUp.consentVersion = visit.followUp.consent.version
      }
      if (Object.keys(followUp).length > 0) body.followUp = followUp
    }
    setSending(true)
    setProblem(null)
    submit(body).catch((failure: unknown) => {
      setSending(false)
      setProblem(failureText(lang, failure instanceof ApiError ? failure.code : 'INTERNAL_ERROR'))
    })
  }
  const choices = [[true, 'answer-yes', 'yes'], [false, 'answer-no', 'no'], ['na', 'answer-na', 'notApplicable']] as const

  return (
    <form class='rate' onSubmit={send}>
      <section class='visit'>
        <h1>{text(lang, 'title')}</h1>
        <p class='unit'>{visit.unitName}</p>
        <p>{[...new Set([fill(text(lang, 'counter'), { number: visit.counterNumber }), visit.counterName])].join(' · ')}</p>
        {visit.officer !== null && <p class='officer'>{fill(text(lang, 'servedBy'), { name: visit.officer.fullName })}</p>}
        {visit.ticket !== null && <p>{fill(text(lang, 'ticket'), { ticket: visit.ticket })}</p>}
      </section>

      <fieldset class='levels'>
        <legend>{text(lang, 'question')}</legend>
        <ScaleButtons
          scale={visit.scale} lang={lang} disabled={sending} chosen={level}
          onRate={(option) => { setLevel(option.level); setProblem(null) }}
        />
      </fieldset>

      {visit.criteria.length > 0 && (
        <fieldset class='criteria'>
          <legend>{text(lang, 'criteriaTitle')}</legend>
          <p class='hint'>{text(lang, 'criteriaHint')}</p>
          <ul class='criteria-list'>
            {visit.criteria.map((criterion) => {
              const id = `criterion-${criterion.code}`
              const value = answers[criterion.code]
              return (
                <li key={criterion.code} class='criterion' role='group' aria-labelledby={id} data-criterion={criterion.code}>
                  <CriterionIcon code={criterion.code} />
                  <span class='criterion-label' id={id}>{label(lang, criterion)}</span>
                  <span class='answers'>
                    {choices.map(([given, kind, word]) => (
                      <button
                        key={kind} type='button' aria-pressed={value === given}
                        class={`answer ${kind}${value === given ? ' is-chosen' : ''}`}
                        onClick={() => answer(criterion.code, given)}
                      >{text(lang, word)}
                      </button>
                    ))}
                  </span>
                </li>
              )
            })}
          </ul>
        </fieldset>
      )}

      {asks && visit.followUp.reasons.length > 0 && (
        <fieldset class='follow-up'>
          <legend>{text(lang, 'followUpTitle')}</legend>
          {visit.followUp.reasons.map((option) => (
            <label key={option.code} class='reason'>
              <input
                type='radio' name='reason' value={option.code} checked={reason === option.code}
                onClick={() => setReason(reason === option.code ? null : option.code)}
              /> {label(lang, option)}
            </label>
          ))}
        </fieldset>
      )}

      {asks && visit.followUp.callBack && (
        <fieldset class='call-back'>
          <legend>{text(lang, 'callBackTitle')}</legend>
          <input
            type='tel' inputMode='tel' autoComplete='tel' aria-label={text(lang, 'phoneNumber')} placeholder={text(lang, 'phoneNumber')}
            maxLength={16} value={phone} onInput={(event) => setPhone(event.currentTarget.value)}
          />
          {phoneBad && <p class='hint' role='alert'>{text(lang, 'phoneInvalid')}</p>}
          <p class='consent'>{lang === 'vi' ? visit.followUp.consent.textVi : visit.followUp.consent.textEn}</p>
          <label class='agree'>
            <input type='checkbox' checked={consent} onChange={(event) => setConsent(event.currentTarget.checked)} /> {text(lang, 'consentAgree')}
          </label>
        </fieldset>
      )}

      {problem !== null && <p class='problem' role='alert'>{problem}</p>}
      <button type='submit' class='primary send' disabled={sending}>{text(lang, sending ? 'sending' : 'send')}</button>
      <p class='hint'>{fill(text(lang, 'validUntil'), { time: expires })}</p>
    </form>
  )
}
