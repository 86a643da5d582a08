// The citizen's visit on the overview (issue 17): share of visits rated and dossiers rated (tiles and a table per counter),
// and satisfaction by channel (counter terminal, button box, phone later).
import type { ChannelRow, CounterVisits, VisitStats } from '../api.ts'
import { useDashboard } from '../context.ts'
import type { MessageKey } from '../i18n.ts'
import { integer, percent } from '../period.ts'
import { counterLabel, RateCell } from './Figures.tsx'

/** Tiles: share of visits rated, tickets called, ratings with a ticket, dossiers rated. */
export function VisitTiles ({ stats }: { stats: VisitStats }) {
  const { lang, t } = useDashboard()
  const tiles: Array<{ key: keyof VisitStats['total'], label: MessageKey, value: string }> = [
    { key: 'shareRated', label: 'shareRated', value: percent(lang, stats.total.shareRated) },
    { key: 'ticketsCalled', label: 'ticketsCalled', value: integer(lang, stats.total.ticketsCalled) },
    { key: 'ratingsWithTicket', label: 'ratingsWithTicket', value: integer(lang, stats.total.ratingsWithTicket) },
    { key: 'dossiersRated', label: 'dossiersRated', value: integer(lang, stats.total.dossiersRated) }
  ]
  return (
    <div class='tiles visits'>
      {tiles.map(({ key, label, value }) => (
        <div key={key} class='tile' data-figure={key} role='group' aria-label={t(label)}>
          <span class='tile-label'>{t(label)}</span>
          <strong class='tile-value'>{value}</strong>
        </div>
      ))}
    </div>
  )
}

/** One row per counter over the period: tickets called, ratings with a ticket, their share, dossiers rated. */
export function VisitCounterTable ({ rows }: { rows: CounterVisits[] }) {
  const { lang, t } = useDashboard()
  if (rows.length === 0) return <p class='muted'>{t('visitsNone')}</p>
  return (
    <table class='grid visits'>
      <thead>
        <tr>
          <th>{t('counter')}</th>
          <th class='num'>{t('ticketsCalled')}</th>
          <th class='num'>{t('ratingsWithTicket')}</th>
          <th class='num'>{t('shareRated')}</th>
          <th class='num'>{t('dossiersRated')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.counterId}>
            <td>{counterLabel(t('counter'), row.number, row.name)}</td>
            <td class='num'>{integer(lang, row.ticketsCalled)}</td>
            <td class='num'>{integer(lang, row.ratingsWithTicket)}</td>
            <RateCell rate={row.shareRated === null ? null : Math.min(1, row.shareRated)} />
            <td class='num'>{integer(lang, row.dossiersRated)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** Satisfaction by channel: ratings, satisfaction rate and the 766 rate of each channel. */
export function ChannelTable ({ rows }: { rows: ChannelRow[] }) {
  const { lang, t } = useDashboard()
  return (
    <table class='grid channels'>
      <thead>
        <tr>
          <th>{t('channel')}</th>
          <th class='num'>{t('ratings')}</th>
          <th class='num'>{t('satisfactionRate')}</th>
          <th class='num'>{t('rate766')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.channel} data-channel={row.channel}>
            <td>{t(`channel_${row.channel}`)}</td>
            <td class='num'>{integer(lang, row.total)}</td>
            <RateCell rate={row.satisfactionRate} />
            <RateCell rate={row.rate766} title={t(row.rate766Basis === 'dossier' ? 'basisDossier' : 'basisRating')} />
          </tr>
        ))}
      </tbody>
    </table>
  )
}
