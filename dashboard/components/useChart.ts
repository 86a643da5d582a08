// The one way the dashboard draws a chart: chart.js on a canvas ref, rebuilt when the config changes, destroyed on cleanup.
import { useEffect, useRef } from 'preact/hooks'
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration
} from 'chart.js'

// Only what the dashboard draws (lines and bars), so the rest of chart.js is shaken out of the bundle.
Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend)

export function useChart (config: ChartConfiguration) {
  const canvas = useRef<HTMLCanvasElement>(null)
  useEffect(() => {
    if (canvas.current === null) return
    const chart = new Chart(canvas.current, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } })
    return () => chart.destroy()
  }, [JSON.stringify(config.data), JSON.stringify(config.options ?? {})])
  return canvas
}
