// Province: the child units of the chosen unit compared, as a table and a chart, with CSV export.
import { get, type CaseStats, type Rows, type UnitRow } from '../../api.ts'
import { CaseUnitTable } from '../../components/CaseFigures.tsx'
import { UnitTable } from '../../components/ComparisonTables.tsx'
import { CsvLink, Section, Status } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { useChart } from '../../components/useChart.ts'
import { useLoad } from '../../components/useLoad.ts'
import type { ChartDataset } from 'chart.js'
import { percentTick, targetDataset } from '../../components/Charts.tsx'
import { targetOf, useDashboard, useSelection } from '../../context.ts'
import { locale } from '../../i18n.ts'
import { percent } from '../../period.ts'

function UnitChart ({ rows, target }: { rows: UnitRow[]; target: number }) {
  const { lang, t } = useDashboard()
  const canvas = useChart({
    type: 'bar',
    data: {
      labels: rows.map((row) => row.name),
      datasets: [
        {
          label: t('satisfactionRate'),
          data: rows.map((row) => (row.satisfactionRate === null ? null : Math.round(row.satisfactionRate * 1000) / 10)),
          backgroundColor: '#1a7f37',
          maxBarThickness: 48
        },
        {
          label: t('rate766'),
          data: rows.map((row) => (row.rate766 === null ? null : Math.round(row.rate766 * 1000) / 10)),
          backgroundColor: '#9bb8d8',
          maxBarThickness: 48
        },
        targetDataset(`${t('target')} ${percent(lang, target)}`, target, rows.length)
      ] as ChartDataset[]
    },
    options: {
      locale: locale(lang),
      plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label ?? ''}: ${percentTick(lang)(Number(item.raw))}` } } },
      scales: { y: { min: 0, max: 100, ticks: { callback: percentTick(lang) } } }
    }
  })
  return (
    <div class='chart'>
      <canvas ref={canvas} role='img' aria-label={t('provinceTitle')} />
    </div>
  )
}

export function Province () {
  const { t, units: scope, user } = useDashboard()
  const selection = useSelection()
  const units = useLoad(() => get<Rows<UnitRow>>('/stats/units', selection.stats), [selection.search])
  const cases = useLoad(() => get<CaseStats>('/stats/cases', selection.stats), [selection.search])
  return (
    <Layout>
      <Section title={t('provinceTitle')} actions={<CsvLink kind='units' query={selection.stats} />}>
        <Status loading={units.loading && units.value === null} error={units.error} />
        {units.value !== null && (
          <>
            <UnitChart rows={units.value.rows} target={targetOf(scope, selection.unitId || user.unitId)} />
            <UnitTable rows={units.value.rows} />
          </>
        )}
      </Section>
      <Section title={t('casesFigures')} actions={<CsvLink kind='cases' query={selection.stats} />}>
        <Status loading={cases.loading && cases.value === null} error={cases.error} />
        {cases.value !== null && <CaseUnitTable stats={cases.value} />}
      </Section>
    </Layout>
  )
}
