// Overview: tiles against the previous period, the trend, the level distribution, the weekday × hour heat map, the counters.
import { get, type BucketRow, type CaseStats, type CounterRow, type Figures, type HeatmapRow, type Rows } from '../../api.ts'
import { Heatmap, LevelChart, TrendChart } from '../../components/Charts.tsx'
import { CounterTable } from '../../components/ComparisonTables.tsx'
import { CsvLink, Section, Status } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { useLoad, type Loaded } from '../../components/useLoad.ts'
import { targetOf, useDashboard, useSelection } from '../../context.ts'
import { CompareTrends } from '../../components/Compare.tsx'
import { CaseTiles } from '../../components/CaseFigures.tsx'
import { ChannelTable, VisitCounterTable, VisitTiles } from '../../components/VisitFigures.tsx'
import type { ChannelRow, VisitStats } from '../../api.ts'
import { useState } from 'preact/hooks'
import { fill, scaleWeights, type MessageKey } from '../../i18n.ts'
import { decimal, integer, intervalFor, percent, previousPeriod } from '../../period.ts'

type TileKey = 'total' | 'satisfactionRate' | 'rate766' | 'scoreIndex'
const tiles: Array<{ key: TileKey; label: MessageKey; explain?: MessageKey }> = [
  { key: 'total', label: 'ratings' },
  { key: 'satisfactionRate', label: 'satisfactionRate', explain: 'explainSatisfaction' },
  { key: 'rate766', label: 'rate766', explain: 'explain766' },
  { key: 'scoreIndex', label: 'scoreIndex', explain: 'explainScore' }
]

/** The "?" beside a headline figure: how it is computed, in one or two sentences. */
function Explain ({ label, text }: { label: string; text: string }) {
  const { t } = useDashboard()
  const [open, setOpen] = useState(false)
  return (
    <>
      <button
        type='button'
        class='explain'
        aria-label={`${t('explain')}: ${label}`}
        aria-expanded={open}
        title={text}
        onClick={() => setOpen(!open)}
      >
        ?
      </button>
      {open && (
        <span class='explain-text' role='note'>
          {text}
        </span>
      )}
    </>
  )
}

export function Tiles ({ current, previous }: { current: Figures; previous: Figures | null }) {
  const { lang, t } = useDashboard()
  const show = (key: TileKey, figures: Figures): string => {
    const value = figures[key]
    return key === 'total' ? integer(lang, value as number) : key === 'scoreIndex' ? decimal(lang, value) : percent(lang, value)
  }
  return (
    <div class='tiles'>
      {tiles.map(({ key, label, explain }) => {
        const now = current[key]
        const before = previous?.[key] ?? null
        const difference = now === null || before === null ? null : now - before
        const delta =
          difference === null
            ? '–'
            : key === 'total'
              ? `${difference >= 0 ? '+' : ''}${integer(lang, difference)}`
              : key === 'scoreIndex'
                ? `${difference >= 0 ? '+' : ''}${decimal(lang, difference)}`
                : `${difference >= 0 ? '+' : ''}${decimal(lang, difference * 100)} pp`
        return (
          <div key={key} class='tile' data-figure={key} role='group' aria-label={t(label)}>
            <span class='tile-label'>
              {t(label)}
              {explain !== undefined && (
                <Explain
                  label={t(label)}
                  text={fill(t(explain), { weights: scaleWeights(lang) }) + (key === 'rate766' ? ` ${t('explain766Dossier')}` : '')}
                />
              )}
            </span>
            <strong class='tile-value'>{show(key, current)}</strong>
            {key === 'rate766' && (
              <span class='tile-basis muted' data-basis={current.rate766Basis}>
                {t(current.rate766Basis === 'dossier' ? 'basisDossier' : 'basisRating')}
              </span>
            )}
            <span
              class={`delta ${difference === null || difference === 0 ? '' : difference > 0 ? 'up' : 'down'}`}
              title={previous === null ? '' : show(key, previous)}
            >
              {difference !== null && difference > 0 ? '▲ ' : difference !== null && difference < 0 ? '▼ ' : ''}
              {delta} <span class='muted'>{t('previousPeriod')}</span>
            </span>
          </div>
        )
      })}
    </div>
  )
}

export function Overview () {
  const { t, units, user } = useDashboard()
  const selection = useSelection()
  const interval = intervalFor(selection.period)
  const key = [selection.search]
  const summary = useLoad(async () => {
    const before = previousPeriod(selection.period)
    const [current, previous] = await Promise.all([
      get<Figures>('/stats/summary', selection.stats),
      get<Figures>('/stats/summary', { ...selection.stats, ...before }).catch(() => null)
    ])
    return { current, previous }
  }, key)
  const trend = useLoad(() => get<Rows<BucketRow>>('/stats/timeseries', { ...selection.stats, interval }), key)
  // The heat map allows at most a year.
  const heatmap = useLoad(() => get<Rows<HeatmapRow>>('/stats/heatmap', selection.stats), key)
  const counters = useLoad(() => get<Rows<CounterRow>>('/stats/counters', selection.stats), key)
  // Officer users see only their own figures; the loop's figures are for those who follow cases up.
  const cases = useLoad(() => user.role === 'officer' ? Promise.resolve(null) : get<CaseStats>('/stats/cases', selection.stats), key)
  // The share of visits rated is per counter (not for officer users); at most a year, like the heat map.
  const visits = useLoad(() => user.role === 'officer' ? Promise.resolve(null) : get<VisitStats>('/stats/visits', selection.stats), key)
  const channels = useLoad(() => get<Rows<ChannelRow>>('/stats/channels', selection.stats), key)
  return (
    <Layout>
      <h1 class='visually-hidden'>{t('navOverview')}</h1>
      <Status loading={summary.loading && summary.value === null} error={summary.error} />
      {summary.value !== null && <Tiles current={summary.value.current} previous={summary.value.previous} />}
      <div class='columns'>
        <Section title={t('trend')} class='wide' actions={<CsvLink kind='timeseries' query={{ ...selection.stats, interval }} />}>
          {trend.value !== null
            ? (
              <TrendChart rows={trend.value.rows} interval={interval} target={targetOf(units, selection.unitId || user.unitId)} />
              )
            : (
              <Status loading={trend.loading} error={trend.error} />
              )}
        </Section>
        <Section title={t('levels')}>{summary.value !== null && <LevelChart figures={summary.value.current} />}</Section>
      </div>
      <div class='columns even'>
        <Section title={t('heatmap')} actions={<CsvLink kind='heatmap' query={selection.stats} />}>
          {heatmap.value !== null ? <Heatmap rows={heatmap.value.rows} /> : <Status loading={heatmap.loading} error={heatmap.error} />}
        </Section>
        <Section title={t('counters')} actions={<CsvLink kind='counters' query={selection.stats} />}>
          {counters.value !== null
            ? (
              <CounterTable rows={counters.value.rows} />
              )
            : (
              <Status loading={counters.loading} error={counters.error} />
              )}
        </Section>
      </div>
      {cases.value !== null && <CaseTiles stats={cases as Loaded<CaseStats>} />}
      <div class='columns even'>
        {user.role !== 'officer' && (
          <Section title={t('visitsTitle')} actions={<CsvLink kind='visits' query={selection.stats} />}>
            {visits.value !== null
              ? (
                <>
                  <VisitTiles stats={visits.value} />
                  <VisitCounterTable rows={visits.value.counters} />
                </>
                )
              : (
                <Status loading={visits.loading} error={visits.error} />
                )}
          </Section>
        )}
        <Section title={t('channelsTitle')} actions={<CsvLink kind='channels' query={selection.stats} />}>
          {channels.value !== null
            ? <ChannelTable rows={channels.value.rows} />
            : <Status loading={channels.loading} error={channels.error} />}
        </Section>
      </div>
      <CompareTrends />
    </Layout>
  )
}
