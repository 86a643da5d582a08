// One officer: tiles against the previous period, the trend, the "4 xin, 4 luôn" criteria as a chart and a table (with the
// "not applicable" answers), recent ratings and shifts.
import { useEffect, useRef, useState } from 'preact/hooks'
import { useRoute } from 'preact-iso'
import { get, type BucketRow, type Figures, type Items, type RatingListItem, type RatingPage, type Rows, type Shift } from '../../api.ts'
import { percentTick, TrendChart } from '../../components/Charts.tsx'
import { counterLabel, Section, Status } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { useChart } from '../../components/useChart.ts'
import { useLoad } from '../../components/useLoad.ts'
import { useDashboard, useSelection } from '../../context.ts'
import { criterionLabel, levelLabel } from '../../i18n.ts'
import { dateTime, integer, intervalFor, percent, previousPeriod } from '../../period.ts'
import { Tiles } from '../Overview/index.tsx'

function CriteriaChart ({ figures }: { figures: Figures }) {
  const { lang, t } = useDashboard()
  const canvas = useChart({
    type: 'bar',
    data: {
      labels: figures.criteria.map((criterion) => criterionLabel(lang, criterion.code)),
      datasets: [
        {
          label: t('criteria'),
          data: figures.criteria.map((criterion) => (criterion.rate === null ? null : Math.round(criterion.rate * 1000) / 10)),
          backgroundColor: '#0b5cad',
          maxBarThickness: 40
        }
      ]
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 100, ticks: { callback: percentTick(lang) } } } }
  })
  return (
    <div class='chart'>
      <canvas ref={canvas} role='img' aria-label={t('criteria')} />
    </div>
  )
}

/**
 * Each criterion's counts under the chart: met of the yes/no answers, the rate, and how many citizens answered "not
 * applicable" (no mishap to apologise for): those are outside the rate, so a supervisor sees what the rate rests on.
 */
function CriteriaTable ({ figures }: { figures: Figures }) {
  const { lang, t } = useDashboard()
  return (
    <table class='grid criteria-counts'>
      <thead>
        <tr>
          <th>{t('criterion')}</th>
          <th class='num'>{t('metOfAnswered')}</th>
          <th class='num'>{t('criterionRate')}</th>
          <th class='num'>{t('notApplicable')}</th>
        </tr>
      </thead>
      <tbody>
        {figures.criteria.map((criterion) => (
          <tr key={criterion.code} data-criterion={criterion.code}>
            <th>{criterionLabel(lang, criterion.code)}</th>
            <td class='num'>{integer(lang, criterion.met)}/{integer(lang, criterion.answered)}</td>
            <td class='num'>{percent(lang, criterion.rate)}</td>
            <td class='num not-applicable'>{integer(lang, criterion.notApplicable)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** The officer's ratings in the unit and period, newest first, 20 at a time. */
function RecentRatings ({ officerId }: { officerId: string }) {
  const { lang, t, counters } = useDashboard()
  const selection = useSelection()
  const [items, setItems] = useState<RatingListItem[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const [loading, setLoading] = useState(true)
  const load = async (after: string | null, current: { live: boolean }): Promise<void> => {
    setLoading(true)
    try {
      const page = await get<RatingPage>('/ratings', { ...selection.stats, officerId, limit: 20, cursor: after })
      if (!current.live) return
      setItems((list) => (after === null ? page.items : [...list, ...page.items]))
      setCursor(page.nextCursor)
      setError(null)
    } catch (failure) {
      if (current.live) setError(failure instanceof Error ? failure : new Error(String(failure)))
    } finally {
      if (current.live) setLoading(false)
    }
  }
  // A page answered after the unit or period changed is dropped.
  const round = useRef({ live: true })
  useEffect(() => {
    const current = { live: true }
    round.current = current
    void load(null, current)
    return () => {
      current.live = false
    }
  }, [selection.search, officerId])
  return (
    <Section title={t('recentRatings')} class='recent-ratings'>
      <Status loading={loading && items.length === 0} error={error} />
      {!loading && error === null && items.length === 0 && <p class='muted'>{t('noRatings')}</p>}
      {items.length > 0 && (
        <table class='grid'>
          <thead>
            <tr>
              <th>{t('ratedAt')}</th>
              <th>{t('level')}</th>
              <th>{t('counter')}</th>
              <th>{t('criteriaMet')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((rating) => {
              const answers = Object.entries(rating.criteria)
              // "Không áp dụng" answers are listed, but counted neither as met nor among the answers.
              const yesNo = answers.filter(([, answer]) => answer !== 'na')
              const mark = (code: string, answer: boolean | 'na'): string => answer === 'na'
                ? `– ${criterionLabel(lang, code)} (${t('notApplicable')})`
                : `${answer ? '✓' : '✗'} ${criterionLabel(lang, code)}`
              return (
                <tr key={rating.id} data-rating={rating.id} class={rating.category}>
                  <td>{dateTime(lang, rating.countedAt)}</td>
                  <td>
                    <span class={`level-mark ${rating.category}`} />
                    {levelLabel(lang, rating.level)}
                  </td>
                  <td>{counterLabel(t('counter'), rating.counterNumber, counters.get(rating.counterId)?.name)}</td>
                  <td title={answers.map(([code, answer]) => mark(code, answer)).join('\n')}>
                    {yesNo.length === 0 ? '–' : `${yesNo.filter(([, answer]) => answer === true).length}/${yesNo.length}`}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      )}
      {cursor !== null && (
        <button
          type='button'
          disabled={loading}
          onClick={() => {
            void load(cursor, round.current)
          }}
        >
          {t('loadMore')}
        </button>
      )}
    </Section>
  )
}

function Shifts ({ officerId }: { officerId: string }) {
  const { lang, t } = useDashboard()
  const shifts = useLoad(() => get<Items<Shift>>(`/officers/${officerId}/assignments`, { limit: 20 }), [officerId])
  return (
    <Section title={t('shifts')} class='shifts'>
      <Status loading={shifts.loading && shifts.value === null} error={shifts.error} />
      {shifts.value?.items.length === 0 && <p class='muted'>{t('noShifts')}</p>}
      {(shifts.value?.items.length ?? 0) > 0 && (
        <table class='grid'>
          <thead>
            <tr>
              <th>{t('counter')}</th>
              <th>{t('shiftStart')}</th>
              <th>{t('shiftEnd')}</th>
            </tr>
          </thead>
          <tbody>
            {shifts.value!.items.map((shift) => (
              <tr key={shift.id} data-shift={shift.id}>
                <td>{counterLabel(t('counter'), shift.counterNumber, shift.counterName)}</td>
                <td>{dateTime(lang, shift.startedAt)}</td>
                <td>{shift.endedAt === null ? <strong>{t('shiftOpen')}</strong> : dateTime(lang, shift.endedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  )
}

export function OfficerPage () {
  const { t, officers } = useDashboard()
  const { params } = useRoute()
  const officerId = params.id ?? ''
  const selection = useSelection()
  const interval = intervalFor(selection.period)
  const query = { ...selection.stats, officerId }
  const summary = useLoad(async () => {
    const [current, previous] = await Promise.all([
      get<Figures>('/stats/summary', query),
      get<Figures>('/stats/summary', { ...query, ...previousPeriod(selection.period) }).catch(() => null)
    ])
    return { current, previous }
  }, [selection.search, officerId])
  const trend = useLoad(() => get<Rows<BucketRow>>('/stats/timeseries', { ...query, interval }), [selection.search, officerId])
  const officer = officers.get(officerId)
  return (
    <Layout>
      <h1 class='page-title'>
        <a href={`/officers${selection.search}`}>{t('navOfficers')}</a> ›{' '}
        {officer === undefined ? '' : `${officer.fullName} (${officer.staffCode})`}
      </h1>
      <Status loading={summary.loading && summary.value === null} error={summary.error} />
      {summary.value !== null && <Tiles current={summary.value.current} previous={summary.value.previous} />}
      <div class='columns even'>
        <Section title={t('trend')}>
          {trend.value !== null
            ? (
              <TrendChart rows={trend.value.rows} interval={interval} />
              )
            : (
              <Status loading={trend.loading} error={trend.error} />
              )}
        </Section>
        <Section title={t('criteria')}>
          {summary.value !== null && <CriteriaChart figures={summary.value.current} />}
          {summary.value !== null && <CriteriaTable figures={summary.value.current} />}
        </Section>
      </div>
      <div class='columns'>
        <RecentRatings officerId={officerId} />
        <Shifts officerId={officerId} />
      </div>
    </Layout>
  )
}
