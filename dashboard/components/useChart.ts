// The one way the dashboard draws a chart: chart.js on a canvas ref, rebuilt when the config changes, destroyed on cleanup.
import { useEffect, useRef } from 'preact/hooks'
import { useDashboard } from '../context.ts'
import { locale } from '../i18n.ts'
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration
} from 'chart.js'

// Only what the dashboard draws (lines and bars), so the rest of chart.js is shaken out of the bundle.
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend)

export function useChart (config: ChartConfiguration) {
  const canvas = useRef<HTMLCanvasElement>(null)
  // Numbers on axes and tooltips follow the app's language, not the browser's (vi: 7.000, not 7,000).
  const { lang } = useDashboard()
  useEffect(() => {
    if (canvas.current === null) return
    const chart = new Chart(canvas.current, {
      ...config,
      options: { responsive: true, maintainAspectRatio: false, animation: false, locale: locale(lang), ...config.options }
    })
    // What the picture says, as text beside it: each axis's drawn labels and the series' names (read by screen readers and tests).
    canvas.current.dataset.axes = JSON.stringify(
      Object.fromEntries(Object.entries(chart.scales).map(([id, scale]) => [id, scale.ticks.map((tick) => String(tick.label))]))
    )
    canvas.current.dataset.series = JSON.stringify(chart.data.datasets.map((dataset) => dataset.label ?? ''))
    return () => chart.destroy()
  }, [lang, JSON.stringify(config.data), JSON.stringify(config.options ?? {})])
  return canvas
}
