// The overview's pictures: the trend (ratings and satisfaction), the level distribution and the weekday × hour heat map.
import type { BucketRow, Figures, HeatmapRow } from '../api.ts'
import { useDashboard } from '../context.ts'
import { levelCategory, levelLabel } from '../i18n.ts'
import { integer, percent } from '../period.ts'
import { rateColour } from './Figures.tsx'
import { useChart } from './useChart.ts'

const bucketLabel = (bucket: string, interval: string): string =>
  interval === 'hour' ? bucket.slice(11, 16) : interval === 'month' ? bucket.slice(0, 7) : `${bucket.slice(8, 10)}/${bucket.slice(5, 7)}`

export function TrendChart ({ rows, interval }: { rows: BucketRow[], interval: string }) {
  const { t } = useDashboard()
  const canvas = useChart({
    type: 'bar',
    data: {
      labels: rows.map((row) => bucketLabel(row.bucket, interval)),
      datasets: [
        { type: 'bar', label: t('ratings'), data: rows.map((row) => row.total), backgroundColor: '#9bb8d8', yAxisID: 'count', order: 2 },
        { type: 'line', label: t('satisfactionRate'), data: rows.map((row) => row.satisfactionRate === null ? null : Math.round(row.satisfactionRate * 1000) / 10), borderColor: '#1a7f37', backgroundColor: '#1a7f37', yAxisID: 'rate', order: 1, spanGaps: true }
      ]
    },
    options: {
      scales: {
        count: { type: 'linear', position: 'left', beginAtZero: true },
        rate: { type: 'linear', position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, ticks: { callback: (value) => `${value}%` } }
      }
    }
  })
  return <div class="chart"><canvas ref={canvas} role="img" aria-label={t('trend')} /></div>
}

const categoryColours: Record<string, string> = { satisfied: '#1a7f37', neutral: '#f2c744', unsatisfied: '#d93f3f' }

export function LevelChart ({ figures }: { figures: Figures }) {
  const { lang, t } = useDashboard()
  const levels = Object.keys(figures.byLevel).sort((a, b) => Number(b) - Number(a))
  const canvas = useChart({
    type: 'bar',
    data: {
      labels: levels.map((level) => levelLabel(lang, level)),
      datasets: [{ label: t('ratings'), data: levels.map((level) => figures.byLevel[level] ?? 0), backgroundColor: levels.map((level) => categoryColours[levelCategory(level) ?? ''] ?? '#888') }]
    },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } }
  })
  return (
    <div>
      <div class="chart short"><canvas ref={canvas} role="img" aria-label={t('levels')} /></div>
      <ul class="levels">
        {levels.map((level) => <li key={level} data-level={level}>{levelLabel(lang, level)}: <strong>{integer(lang, figures.byLevel[level] ?? 0)}</strong></li>)}
      </ul>
    </div>
  )
}

/** Satisfaction per weekday and hour, coloured, with the number of ratings on hover. */
export function Heatmap ({ rows }: { rows: HeatmapRow[] }) {
  const { lang, t } = useDashboard()
  const cells = new Map(rows.map((row) => [`${row.weekday}-${row.hour}`, row]))
  const hours = rows.filter((row) => row.total > 0).map((row) => row.hour)
  const first = Math.min(7, ...hours)
  const last = Math.max(17, ...hours)
  const span = Array.from({ length: last - first + 1 }, (_, index) => first + index)
  const weekdays = t('weekdays').split(',')
  return (
    <table class="heatmap">
      <thead><tr><th />{span.map((hour) => <th key={hour} scope="col">{hour}h</th>)}</tr></thead>
      <tbody>
        {weekdays.map((name, index) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            {span.map((hour) => {
              const cell = cells.get(`${index + 1}-${hour}`)
              const total = cell?.total ?? 0
              return (
                <td key={hour} style={{ background: total === 0 ? '#f4f5f7' : rateColour(cell!.satisfactionRate) }}
                  title={total === 0 ? '' : `${name} ${hour}h: ${integer(lang, total)} · ${percent(lang, cell!.satisfactionRate)}`}>
                  {total === 0 ? '' : integer(lang, total)}
                </td>
              )
            })}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
