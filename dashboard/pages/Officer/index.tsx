// One officer: tiles against the previous period, the trend and the "4 xin, 4 luôn" criteria as a chart.
import { useRoute } from 'preact-iso'
import { get, type BucketRow, type Figures, type Rows } from '../../api.ts'
import { TrendChart } from '../../components/Charts.tsx'
import { Section, Status } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { useChart } from '../../components/useChart.ts'
import { useLoad } from '../../components/useLoad.ts'
import { useDashboard, useSelection } from '../../context.ts'
import { criterionLabel } from '../../i18n.ts'
import { intervalFor, previousPeriod } from '../../period.ts'
import { Tiles } from '../Overview/index.tsx'

function CriteriaChart ({ figures }: { figures: Figures }) {
  const { lang, t } = useDashboard()
  const canvas = useChart({
    type: 'bar',
    data: {
      labels: figures.criteria.map((criterion) => criterionLabel(lang, criterion.code)),
      datasets: [{ label: t('criteria'), data: figures.criteria.map((criterion) => criterion.rate === null ? null : Math.round(criterion.rate * 1000) / 10), backgroundColor: '#0b5cad', maxBarThickness: 40 }]
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 100 } } }
  })
  return <div class="chart"><canvas ref={canvas} role="img" aria-label={t('criteria')} /></div>
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
      <h1 class="page-title"><a href={`/officers${selection.search}`}>{t('navOfficers')}</a> › {officer === undefined ? '' : `${officer.fullName} (${officer.staffCode})`}</h1>
      <Status loading={summary.loading && summary.value === null} error={summary.error} />
      {summary.value !== null && <Tiles current={summary.value.current} previous={summary.value.previous} />}
      <div class="columns even">
        <Section title={t('trend')}>
          {trend.value !== null ? <TrendChart rows={trend.value.rows} interval={interval} /> : <Status loading={trend.loading} error={trend.error} />}
        </Section>
        <Section title={t('criteria')}>
          {summary.value !== null && <CriteriaChart figures={summary.value.current} />}
        </Section>
      </div>
    </Layout>
  )
}
