// The overview's pictures: the trend (ratings and satisfaction, with the target), several trends side by side, the level distribution and
// the weekday × hour heat map.
import type { ChartDataset } from 'chart.js'
import type { BucketRow, Figures, HeatmapRow } from '../api.ts'
import { useDashboard } from '../context.ts'
import { levelCategory, levelLabel, locale, type Lang } from '../i18n.ts'
import { bucketLabel, integer, percent } from '../period.ts'
import { rateColour } from './Figures.tsx'
import { useChart } from './useChart.ts'

/** A rate (0–1) as the chart's percent (0–100, one decimal), or a gap. */
const chartRate = (rate: number | null): number | null => (rate === null ? null : Math.round(rate * 1000) / 10)
/** Axis and tooltip of a percent scale, in the app's language ("95 %" / "95%"). */
export const percentTick =
  (lang: Lang) =>
    (value: number | string): string =>
      percent(lang, Number(value) / 100).replace(/[.,]0(?=\s?%)/, '')
/** Counts: whole numbers only, grouped in the app's language. */
export const countTicks = (lang: Lang) => ({
  precision: 0,
  callback: (value: number | string) => (Number.isInteger(Number(value)) ? integer(lang, Number(value)) : '')
})

/** The target as a dashed line across a chart (SIPAS 2030: 95 %). */
export function targetDataset (
  label: string, target: number, length: number, yAxisID?: string
): ChartDataset<'line', Array<number | null>> {
  return {
    type: 'line',
    label,
    data: Array.from({ length }, () => chartRate(target)),
    borderColor: '#8a4b00',
    backgroundColor: '#8a4b00',
    borderDash: [6, 4],
    borderWidth: 2,
    pointRadius: 0,
    pointHoverRadius: 0,
    ...(yAxisID === undefined ? {} : { yAxisID }),
    order: 0
  }
}

export function TrendChart ({ rows, interval, target }: { rows: BucketRow[]; interval: string; target?: number }) {
  const { lang, t } = useDashboard()
  const canvas = useChart({
    type: 'bar',
    data: {
      labels: rows.map((row) => bucketLabel(lang, row.bucket, interval)),
      datasets: [
        { type: 'bar', label: t('ratings'), data: rows.map((row) => row.total), backgroundColor: '#9bb8d8', yAxisID: 'count', order: 2 },
        {
          type: 'line',
          label: t('satisfactionRate'),
          data: rows.map((row) => chartRate(row.satisfactionRate)),
          borderColor: '#1a7f37',
          backgroundColor: '#1a7f37',
          yAxisID: 'rate',
          order: 1,
          spanGaps: true
        },
        ...(target === undefined ? [] : [targetDataset(`${t('target')} ${percent(lang, target)}`, target, rows.length, 'rate')])
      ] as ChartDataset[]
    },
    options: {
      locale: locale(lang),
      plugins: {
        tooltip: {
          callbacks: {
            label: (item) =>
              `${item.dataset.label ?? ''}: ${item.dataset.yAxisID === 'rate' ? percentTick(lang)(Number(item.raw)) : integer(lang, Number(item.raw))}`
          }
        }
      },
      scales: {
        count: { type: 'linear', position: 'left', beginAtZero: true, ticks: countTicks(lang) },
        rate: {
          type: 'linear',
          position: 'right',
          min: 0,
          max: 100,
          grid: { drawOnChartArea: false },
          ticks: { callback: percentTick(lang) }
        }
      }
    }
  })
  return (
    <div class='chart'>
      <canvas ref={canvas} role='img' aria-label={t('trend')} />
    </div>
  )
}

const seriesColours = ['#0b5cad', '#c2410c', '#1a7f37', '#7e22ce', '#b45309', '#0e7490', '#be123c', '#4d7c0f']

/** The satisfaction of several counters or officers over the same buckets, one line each, with the target. */
export function CompareChart ({
  series,
  interval,
  target
}: {
  series: Array<{ label: string; rows: BucketRow[] }>
  interval: string
  target: number
}) {
  const { lang, t } = useDashboard()
  const buckets = series[0]?.rows.map((row) => row.bucket) ?? []
  const canvas = useChart({
    type: 'line',
    data: {
      labels: buckets.map((bucket) => bucketLabel(lang, bucket, interval)),
      datasets: [
        ...series.map((one, index) => ({
          type: 'line' as const,
          label: one.label,
          data: one.rows.map((row) => chartRate(row.satisfactionRate)),
          borderColor: seriesColours[index % seriesColours.length],
          backgroundColor: seriesColours[index % seriesColours.length],
          spanGaps: true
        })),
        targetDataset(`${t('target')} ${percent(lang, target)}`, target, buckets.length)
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
      <canvas ref={canvas} role='img' aria-label={t('compareTitle')} />
    </div>
  )
}

const categoryColours: Record<string, string> = { satisfied: '#1a7f37', neutral: '#f2c744', unsatisfied: '#d93f3f' }

export function LevelChart ({ figures }: { figures: Figures }) {
  const { lang, t } = useDashboard()
  const levels = Object.keys(figures.byLevel).sort((a, b) => Number(b) - Number(a))
  const canvas = useChart({
    type: 'bar',
    data: {
      labels: levels.map((level) => levelLabel(lang, level)),
      datasets: [
        {
          label: t('ratings'),
          data: levels.map((level) => figures.byLevel[level] ?? 0),
          backgroundColor: levels.map((level) => categoryColours[levelCategory(level) ?? ''] ?? '#888')
        }
      ]
    },
    options: {
      locale: locale(lang),
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: countTicks(lang) } }
    }
  })
  return (
    <div>
      <div class='chart short'>
        <canvas ref={canvas} role='img' aria-label={t('levels')} />
      </div>
      <ul class='levels'>
        {levels.map((level) => (
          <li key={level} data-level={level}>
            {levelLabel(lang, level)}: <strong>{integer(lang, figures.byLevel[level] ?? 0)}</strong>
          </li>
        ))}
      </ul>
    </div>
  )
}

/** Satisfaction per weekday and hour as the cell's colour, the number of ratings in it, and a legend saying so. */
export function Heatmap ({ rows }: { rows: HeatmapRow[] }) {
  const { lang, t } = useDashboard()
  const cells = new Map(rows.map((row) => [`${row.weekday}-${row.hour}`, row]))
  const hours = rows.filter((row) => row.total > 0).map((row) => row.hour)
  const first = Math.min(7, ...hours)
  const last = Math.max(17, ...hours)
  const span = Array.from({ length: last - first + 1 }, (_, index) => first + index)
  const weekdays = t('weekdays').split(',')
  return (
    <div class='heatmap-wrap'>
      <table class='heatmap'>
        <thead>
          <tr>
            <th />
            {span.map((hour) => (
              <th key={hour} scope='col'>
                {hour}h
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weekdays.map((name, index) => (
            <tr key={name}>
              <th scope='row'>{name}</th>
              {span.map((hour) => {
                const cell = cells.get(`${index + 1}-${hour}`)
                const total = cell?.total ?? 0
                return (
                  <td
                    key={hour}
                    style={{ background: total === 0 ? '#f4f5f7' : rateColour(cell!.satisfactionRate) }}
                    title={total === 0 ? '' : `${name} ${hour}h: ${integer(lang, total)} · ${percent(lang, cell!.satisfactionRate)}`}
                  >
                    {total === 0 ? '' : integer(lang, total)}
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <figure class='heatmap-legend' aria-label={t('heatmapLegend')}>
        <div class='legend-scale'>
          <span>≤ {percent(lang, 0.5)}</span>
          <span
            class='legend-bar'
            style={{ background: `linear-gradient(to right, ${rateColour(0.5)}, ${rateColour(0.75)}, ${rateColour(1)})` }}
          />
          <span>{percent(lang, 1)}</span>
        </div>
        <figcaption>
          {t('heatmapLegend')} {t('heatmapNone')}
        </figcaption>
      </figure>
    </div>
  )
}
