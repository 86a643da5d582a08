// The "4 xin, 4 luôn" follow-up: a yes/no toggle per criterion, "Gửi" and "Bỏ qua"; idle for a while sends what was answered.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Criterion } from '../api.ts'
import { label, text, type Lang } from '../i18n.ts'
import { CriterionIcon } from './CriterionIcon.tsx'

export interface CriteriaFormProps {
  criteria: Criterion[]
  lang: Lang
  idleSeconds: number
  /** Only the answered criteria; `{}` when skipped. `idle`: nobody pressed "Gửi" or "Bỏ qua" (the citizen may have left). */
  onDone: (answers: Record<string, boolean>, idle: boolean) => void
}

export function CriteriaForm ({ criteria, lang, idleSeconds, onDone }: CriteriaFormProps) {
  const [answers, setAnswers] = useState<Record<string, boolean>>({})
  const [touchedAt, setTouchedAt] = useState(Date.now)
  const finished = useRef(false)
  const finish = (result: Record<string, boolean>, idle = false): void => {
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

  const answer = (code: string, met: boolean): void => {
    setTouchedAt(Date.now())
    setAnswers((current) => {
      const next = { ...current }
      // Pressing the chosen answer again takes it back.
      if (next[code] === met) delete next[code]
      else next[code] = met
      return next
    })
  }

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
              <button type='button' class={`answer answer-yes${value === true ? ' is-chosen' : ''}`} aria-pressed={value === true} onClick={() => answer(criterion.code, true)}>{text(lang, 'yes')}</button>
              <button type='button' class={`answer answer-no${value === false ? ' is-chosen' : ''}`} aria-pressed={value === false} onClick={() => answer(criterion.code, false)}>{text(lang, 'no')}</button>
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
