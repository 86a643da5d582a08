// The top of every citizen screen: the centre, the counter and who serves at it.
import type { TerminalState } from '../api.ts'
import { text, type Lang } from '../i18n.ts'
import { OfficerCard } from './OfficerCard.tsx'

export function CounterHeader ({ state, lang }: { state: TerminalState, lang: Lang }) {
  return (
    <header class="counter-header">
      <div class="place">
        <p class="unit-name">{state.unit.name}</p>
        <p class="counter-name">
          <span class="counter-number">{text(lang, 'counter')} {state.counter.number}</span>
          {state.counter.name !== `Quầy ${state.counter.number}` && <span> · {state.counter.name}</span>}
        </p>
      </div>
      <OfficerCard officer={state.officer} lang={lang} />
    </header>
  )
}
