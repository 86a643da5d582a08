// The citizen's screen: the scale, then the criteria, then (after an unsatisfied rating) the follow-up, then thank you; each
// rating is stored at the tap and held until the last question is answered, skipped or left.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { CriteriaAnswers, RatingItem, ScaleLevel, TerminalState } from '../../api.ts'
import { CounterHeader } from '../../components/CounterHeader.tsx'
import { CriteriaForm } from '../../components/CriteriaForm.tsx'
import { FollowUp } from '../../components/FollowUp.tsx'
import { Footer } from '../../components/Footer.tsx'
import { ScaleButtons } from '../../components/ScaleButtons.tsx'
import { ThankYou } from '../../components/ThankYou.tsx'
import { useTerminal } from '../../context.ts'
import { localIso, newRatingId } from '../../device.ts'
import { text } from '../../i18n.ts'
import { pendingCall, markCallUsed } from '../../visit.ts'

type Phase =
  | { step: 'scale' }
  | { step: 'criteria'; ratingId: string; followUp: boolean }
  | { step: 'followUp'; ratingId: string; criteria: CriteriaAnswers }
  | { step: 'thanks' }

/** Whether the follow-up is asked after this level: unsatisfied, or neutral if the unit wants; and something to ask. */
function asksFollowUp (state: TerminalState, level: ScaleLevel): boolean {
  // A state saved by an older version has no follow-up: ask nothing.
  const followUp = state.followUp as TerminalState['followUp'] | undefined
  if (followUp === undefined || (followUp.reasons.length === 0 && !followUp.callBack)) return false
  return level.category === 'unsatisfied' || (level.category === 'neutral' && followUp.askNeutral)
}

export function Rate () {
  const terminal = useTerminal()
  const { state, lang, timing } = terminal
  const [phase, setPhase] = useState<Phase>({ step: 'scale' })
  const [coolingDown, setCoolingDown] = useState(false)
  const lastTap = useRef(0)
  const busy = useRef(false)

  // After each rating the buttons rest for the server's cooldown, so repeated presses don't count.
  useEffect(() => {
    if (phase.step !== 'scale' || state === null) return
    const left = lastTap.current + state.cooldownSeconds * 1000 - Date.now()
    if (left <= 0) return setCoolingDown(false)
    setCoolingDown(true)
    const timer = setTimeout(() => setCoolingDown(false), left)
    return () => clearTimeout(timer)
  }, [phase, state?.cooldownSeconds])

  if (state === null) {
    return (
      <main class='screen loading'>
        <p>{text(lang, 'loading')}</p>
      </main>
    )
  }

  const call = pendingCall(state)

  const rate = async (level: ScaleLevel): Promise<void> => {
    if (busy.current || coolingDown) return
    busy.current = true
    lastTap.current = Date.now()
    const rating: RatingItem = {
      id: newRatingId(),
      level: level.level,
      ratedAt: localIso(new Date()),
      ...(state.officer !== null ? { officerId: state.officer.id } : {}),
      ...(call !== null ? { ticket: call.ticket, ...(call.dossierCode !== null ? { dossierCode: call.dossierCode } : {}) } : {})
    }
    // The visit is rated: the number leaves the screen and is not attached to the next citizen's rating.
    if (call !== null) markCallUsed(call)
    const ask = state.criteria.length > 0
    const followUp = asksFollowUp(state, level)
    try {
      await terminal.queue(rating, ask || followUp)
      setPhase(
        ask
          ? { step: 'criteria', ratingId: rating.id, followUp }
          : followUp
            ? { step: 'followUp', ratingId: rating.id, criteria: {} }
            : { step: 'thanks' }
      )
    } catch (error) {
      // Storage itself failed: not a reason to lose the citizen's answer or leave them waiting.
      console.error('outbox', error)
      setPhase({ step: 'thanks' })
    } finally {
      busy.current = false
    }
  }

  const answered = (ratingId: string, answers: CriteriaAnswers, followUp: boolean, idle: boolean): void => {
    // Left idle: the citizen has most likely gone, so the kiosk moves on exactly as before the follow-up existed.
    if (followUp && !idle) {
      void terminal.keep(ratingId, answers).catch((error: unknown) => console.error('outbox', error))
      setPhase({ step: 'followUp', ratingId, criteria: answers })
      return
    }
    void terminal.release(ratingId, answers).catch((error: unknown) => console.error('outbox', error))
    setPhase({ step: 'thanks' })
  }

  const followedUp = (ratingId: string, criteria: CriteriaAnswers, answer: NonNullable<RatingItem['followUp']>): void => {
    void terminal.release(ratingId, criteria, answer).catch((error: unknown) => console.error('outbox', error))
    setPhase({ step: 'thanks' })
  }

  const backToScale = (): void => {
    // The next citizen starts in Vietnamese.
    terminal.setLang('vi')
    setPhase({ step: 'scale' })
  }

  return (
    <main class={`screen rate step-${phase.step}`} lang={lang}>
      <CounterHeader state={state} lang={lang} />
      {phase.step === 'scale' && (
        <section class='rating' aria-labelledby='question'>
          {call !== null && <p class='called-ticket'>{text(lang, 'ticketNumber')} {call.ticket}</p>}
          <h1 id='question'>{text(lang, 'question')}</h1>
          <ScaleButtons scale={state.scale} lang={lang} disabled={coolingDown} onRate={(level) => { void rate(level) }} />
          <p class='wait' aria-live='polite'>
            {coolingDown ? text(lang, 'wait') : ''}
          </p>
        </section>
      )}
      {phase.step === 'criteria' && (
        <CriteriaForm
          criteria={state.criteria}
          lang={lang}
          idleSeconds={timing.criteriaIdleSeconds}
          onDone={(answers, idle) => answered(phase.ratingId, answers, phase.followUp, idle)}
        />
      )}
      {phase.step === 'followUp' && (
        <FollowUp
          followUp={state.followUp}
          lang={lang}
          idleSeconds={timing.criteriaIdleSeconds}
          onDone={(answer) => followedUp(phase.ratingId, phase.criteria, answer)}
        />
      )}
      {phase.step === 'thanks' && <ThankYou lang={lang} seconds={timing.thanksSeconds} onDone={backToScale} />}
      <Footer />
    </main>
  )
}
