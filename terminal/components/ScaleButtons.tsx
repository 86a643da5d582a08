// The rating scale as big buttons: a face, a colour and the level's words; works for 3, 4 or 5 levels.
import type { ScaleLevel } from '../api.ts'
import { label, type Lang } from '../i18n.ts'
import { Face } from './Face.tsx'

/** 1 for the best level, 0 for the worst: the scale comes highest first. */
function moodOf (index: number, count: number): number {
  return count <= 1 ? 1 : (count - 1 - index) / (count - 1)
}

/** A colour class by category, darker at the ends of the scale; each keeps 4.5:1 contrast with its text. */
function toneOf (level: ScaleLevel, mood: number): string {
  if (level.category === 'satisfied') return mood === 1 ? 'tone-best' : 'tone-good'
  if (level.category === 'neutral') return 'tone-neutral'
  return mood === 0 ? 'tone-worst' : 'tone-bad'
}

export interface ScaleButtonsProps {
  scale: ScaleLevel[]
  lang: Lang
  disabled: boolean
  /** The level chosen so far, marked (the phone page, where the level is one answer of a form). */
  chosen?: number | null
  onRate: (level: ScaleLevel) => void
}

export function ScaleButtons ({ scale, lang, disabled, chosen, onRate }: ScaleButtonsProps) {
  return (
    <div class={`scale scale-${scale.length}`}>
      {scale.map((level, index) => {
        const mood = moodOf(index, scale.length)
        return (
          <button
            type='button'
            key={level.level}
            class={`level ${toneOf(level, mood)}${chosen === level.level ? ' is-chosen' : ''}`}
            data-level={level.level}
            aria-pressed={chosen === undefined ? undefined : chosen === level.level}
            disabled={disabled}
            onClick={() => onRate(level)}
          >
            <Face mood={mood} />
            <span class='level-label'>{label(lang, level)}</span>
          </button>
        )
      })}
    </div>
  )
}
