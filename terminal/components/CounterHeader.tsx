// The top of every citizen screen: the centre, the counter and who serves at it.
import type { TerminalState } from '../api.ts'
import { text, type Lang } from '../i18n.ts'
import { OfficerCard } from './OfficerCard.tsx'

/** What the counter's name adds to "Quầy N": "Quầy 1 – Tư pháp – Hộ tịch" adds "Tư pháp – Hộ tịch", "Quầy 1" adds nothing. */
export function counterSubtitle (name: string, number: number): string {
  return name.replace(new RegExp(`^\\s*(quầy|counter)\\s*0*${number}(?!\\d)\\s*[-–—·:.,]?\\s*`, 'iu'), '').trim()
}

export function CounterHeader ({ state, lang }: { state: TerminalState, lang: Lang }) {
  const subtitle = counterSubtitle(state.counter.name, state.counter.number)
  return (
    <header class='counter-header'>
      <div class='place'>
        <p class='unit-name'>{state.unit.name}</p>
        <p class='counter-name'>
          <span class='counter-number'>{text(lang, 'counter')} {state.counter.number}</span>
          {subtitle !== '' && <span class='counter-subtitle'> · {subtitle}</span>}
        </p>
      </div>
      <OfficerCard officer={state.officer} lang={lang} />
    </header>
  )
}
