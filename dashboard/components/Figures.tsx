// Small pieces that show figures: a colour-scaled rate cell, a CSV link, a loading/error line.
import type { ComponentChildren } from 'preact'
import { ApiError, csvHref, NETWORK, type Query } from '../api.ts'
import { failureText } from '../errors.ts'
import { useDashboard } from '../context.ts'
import { percent } from '../period.ts'

/** Red (0.5 and below) through amber to green (1): a rate shown as its colour too. */
export function rateColour (rate: number | null): string {
  if (rate === null) return 'transparent'
  const hue = Math.round(Math.max(0, Math.min(1, (rate - 0.5) / 0.5)) * 120)
  return `hsl(${hue} 70% 85%)`
}

/** A counter as citizens know it: its name when it says its number already, else "Quầy N · name". */
export function counterLabel (prefix: string, number: number, name: string | undefined): string {
  if (name === undefined) return `${prefix} ${number}`
  return name.includes(String(number)) ? name : `${prefix} ${number} · ${name}`
}

export function RateCell ({ rate, title }: { rate: number | null; title?: string }) {
  const { lang } = useDashboard()
  return (
    <td class='num rate' style={{ background: rateColour(rate) }} title={title}>
      {percent(lang, rate)}
    </td>
  )
}

export function CsvLink ({ kind, query }: { kind: string; query: Query }) {
  const { lang, t } = useDashboard()
  return (
    <a class='csv' href={csvHref(kind, query, lang)} download>
      {t('csv')}
    </a>
  )
}

export function Section ({
  title,
  actions,
  children,
  class: extra
}: {
  title: string
  actions?: ComponentChildren
  children: ComponentChildren
  class?: string
}) {
  return (
    <section class={`panel ${extra ?? ''}`} aria-label={title}>
      <header class='panel-head'>
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  )
}

export function Status ({ loading, error }: { loading: boolean; error: Error | null }) {
  const { lang, t } = useDashboard()
  // Without an answer from the server the one connection banner (Layout) speaks for every panel.
  if (error instanceof ApiError && error.code === NETWORK) return <p class='muted'>{t('offlineRetrying')}</p>
  if (error !== null) {
    return (
      <p class='error' role='alert'>
        {failureText(lang, error)}
      </p>
    )
  }
  return loading ? <p class='muted'>{t('loading')}</p> : null
}
