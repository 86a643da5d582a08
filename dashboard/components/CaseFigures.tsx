// The follow-up loop's figures (GET /stats/cases): tiles on the overview, a table per unit in the comparison.
import type { CaseFigures as Figures, CaseStats } from '../api.ts'
import { useDashboard, useSelection } from '../context.ts'
import type { MessageKey } from '../i18n.ts'
import { decimal, integer, percent } from '../period.ts'
import { CsvLink, Section, Status } from './Figures.tsx'
import type { Loaded } from './useLoad.ts'

/** A time to resolve in hours (one decimal) — or in days past two days, as supervisors speak of it. */
function duration (lang: 'vi' | 'en', t: (key: MessageKey) => string, seconds: number | null): string {
  if (seconds === null) return '–'
  return seconds >= 2 * 86400
    ? `${decimal(lang, seconds / 86400)} ${t('daysShort')}`
    : `${decimal(lang, seconds / 3600)} ${t('hoursShort')}`
}

const tiles: Array<{ key: Exclude<keyof Figures, 'topReasons'>, label: MessageKey }> = [
  { key: 'opened', label: 'caseOpened' },
  { key: 'resolved', label: 'caseResolved' },
  { key: 'withinSlaRate', label: 'caseOnTime' },
  { key: 'medianResolveSeconds', label: 'caseMedian' },
  { key: 'p90ResolveSeconds', label: 'caseP90' },
  { key: 'openNow', label: 'caseOpenNow' },
  { key: 'overdueNow', label: 'caseOverdueNow' }
]

/** The most frequent reasons as a line: `Chờ lâu (12) · Thái độ (5)`. */
function reasonsText (lang: 'vi' | 'en', figures: Figures): string {
  return figures.topReasons.map((reason) => `${lang === 'vi' ? reason.labelVi : reason.labelEn} (${integer(lang, reason.count)})`).join(' · ')
}

function show (lang: 'vi' | 'en', t: (key: MessageKey) => string, figures: Figures, key: Exclude<keyof Figures, 'topReasons'>): string {
  const value = figures[key]
  if (key === 'withinSlaRate') return percent(lang, value)
  if (key === 'medianResolveSeconds' || key === 'p90ResolveSeconds') return duration(lang, t, value)
  return integer(lang, value ?? 0)
}

/** The loop's tiles for the selection: opened and resolved in the period, on time, time to resolve, open and overdue now. */
export function CaseTiles ({ stats }: { stats: Loaded<CaseStats> }) {
  const { lang, t } = useDashboard()
  const selection = useSelection()
  return (
    <Section
      title={t('casesFigures')}
      actions={<><a href={`/cases${selection.search}`}>{t('casesList')}</a> <CsvLink kind='cases' query={selection.stats} /></>}
    >
      <Status loading={stats.loading && stats.value === null} error={stats.error} />
      {stats.value !== null && (
        <div class='tiles small' data-figures='cases'>
          {tiles.map(({ key, label }) => (
            <div
              key={key} class={`tile${key === 'overdueNow' && stats.value!.total.overdueNow > 0 ? ' alarm' : ''}`}
              data-figure={key} role='group' aria-label={t(label)}
            >
              <span class='tile-label'>{t(label)}</span>
              <strong class='tile-value'>{show(lang, t, stats.value!.total, key)}</strong>
            </div>
          ))}
        </div>
      )}
      {stats.value !== null && stats.value.total.topReasons.length > 0 && (
        <p class='reasons' data-figure='topReasons'>
          <span class='muted'>{t('caseTopReasons')}:</span> {reasonsText(lang, stats.value.total)}
        </p>
      )}
    </Section>
  )
}

/** The loop per child unit, as the comparison shows it. */
export function CaseUnitTable ({ stats }: { stats: CaseStats }) {
  const { lang, t } = useDashboard()
  return (
    <table class='grid cases-by-unit' data-figures='cases'>
      <thead>
        <tr>
          <th>{t('code')}</th>
          <th>{t('unit')}</th>
          {tiles.map(({ key, label }) => <th key={key} class='num'>{t(label)}</th>)}
          <th>{t('caseTopReasons')}</th>
        </tr>
      </thead>
      <tbody>
        {stats.rows.map((row) => (
          <tr key={row.unitId}>
            <td>{row.code}</td>
            <td>{row.name}</td>
            {tiles.map(({ key }) => <td key={key} class='num'>{show(lang, t, row, key)}</td>)}
            <td>{reasonsText(lang, row)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
