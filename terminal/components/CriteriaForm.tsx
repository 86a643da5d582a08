// The "4 xin, 4 luôn" follow-up: Có / Không / Không áp dụng per criterion, "Gửi" and "Bỏ qua"; idle for a while sends what was answered.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { CriteriaAnswers, Criterion } from '../api.ts'
import { label, text, type Lang } from '../i18n.ts'
import { CriterionIcon } from './CriterionIcon.tsx'

export interface CriteriaFormProps {
  criteria: Criterion[]
  lang: Lang
  idleSeconds: number
  /** Only the answered criteria; `{}` when skipped. `idle`: nobody pressed "Gửi" or "Bỏ qua" (the citizen may have left). */
  onDone: (answers: CriteriaAnswers, idle: boolean) => void
}

export function CriteriaForm ({ criteria, lang, idleSeconds, onDone }: CriteriaFormProps) {
  const [answers, setAnswers] = useState<CriteriaAnswers>({})
  const [touchedAt, setTouchedAt] = useState(Date.now)
  const finished = useRef(false)
  const finish = (result: CriteriaAnswers, idle = false): void => {
    if (finished.current) return
    finished.current = true
    onDone(result, idle)
  }

  useEffect(() => {
    const timer = setTimeout(() => finish(answers, true), idleSeconds * 1000)
    return () => clearTimeout(timer)
  }, [touchedAt, answers])

  // Leaving the screen any other way (staff opening the officer screen) must not leave the rating held.
  const latest = useRef(answers)
  latest.current = answers
  useEffect(() => () => finish(latest.current, true), [])

  const answer = (code: string, given: CriteriaAnswers[string]): void => {
    setTouchedAt(Date.now())
    setAnswers((current) => {
      const next = { ...current }
      // Pressing the chosen answer again takes it back.
      if (next[code] === given) delete next[code]
      else next[code] = given
      return next
    })
  }
  // "Không áp dụng": nothing happened that called for it (no mishap to apologise for), kept out of the officer's rate.
  const choices = [[true, 'answer-yes', 'yes'], [false, 'answer-no', 'no'], ['na', 'answer-na', 'notApplicable']] as const

  return (
    <section class='criteria' aria-labelledby='criteria-title' onPointerDown={() => setTouchedAt(Date.now())}>
      <h1 id='criteria-title'>{text(lang, 'criteriaTitle')}</h1>
      <p class='hint'>{text(lang, 'criteriaHint')}</p>
      <ul class='criteria-list'>
        {criteria.map((criterion) => {
          const id = `criterion-${criterion.code}`
          const value = answers[criterion.code]
          return (
            <li key={criterion.code} class='criterion' role='group' aria-labelledby={id} data-criterion={criterion.code}>
              <CriterionIcon code={criterion.code} />
              <span class='criterion-label' id={id}>{label(lang, criterion)}</span>
              {choices.map(([given, kind, word]) => (
                <button
                  key={kind} type='button' class={`answer ${kind}${value === given ? ' is-chosen' : ''}`} aria-pressed={value === given}
                  onClick={() => answer(criterion.code, given)}
                >{text(lang, word)}
                </button>
              ))}
            </li>
          )
        })}
      </ul>
      <div class='actions'>
        <button type='button' class='primary' onClick={() => finish(answers)}>{text(lang, 'send')}</button>
        <button type='button' class='secondary' onClick={() => finish({})}>{text(lang, 'skip')}</button>
      </div>
    </section>
  )
}
