// Prints the gzipped size of the dashboard's JavaScript in dist/dashboard (budget: 150 KB); exits 1 over budget.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { terminalScriptSizes, type ScriptSize } from './terminal-size.ts'

export const DASHBOARD_JS_BUDGET = 150 * 1024
export const dashboardDist = fileURLToPath(new URL('../dist/dashboard/', import.meta.url))

/** Every .js file the built dashboard ships, raw and gzipped at level 9 (the same measure as the terminal's). */
export const dashboardScriptSizes = (dir = dashboardDist): ScriptSize[] => terminalScriptSizes(dir)

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  let sizes: ScriptSize[]
  try {
    sizes = dashboardScriptSizes()
  } catch {
    console.error(`No build in ${dashboardDist}: run npm run build first.`)
    process.exit(1)
  }
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`
  for (const size of sizes) console.log(`${size.file.padEnd(36)} ${kb(size.bytes).padStart(9)}  gzip ${kb(size.gzipped).padStart(8)}`)
  const total = sizes.reduce((sum, size) => sum + size.gzipped, 0)
  console.log(`dashboard JavaScript, gzipped: ${kb(total)} of ${kb(DASHBOARD_JS_BUDGET)} budget`)
  if (total > DASHBOARD_JS_BUDGET || sizes.length === 0) process.exit(1)
}
