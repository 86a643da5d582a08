// Prints the gzipped size of the terminal's JavaScript in dist/terminal (budget: 30 KB); exits 1 over budget.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

export const TERMINAL_JS_BUDGET = 30 * 1024
export const terminalDist = fileURLToPath(new URL('../dist/terminal/', import.meta.url))

export interface ScriptSize { file: string, bytes: number, gzipped: number }

/** Every .js file the built terminal ships (the service worker included), raw and gzipped at level 9. */
export function terminalScriptSizes (dir = terminalDist): ScriptSize[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js')).sort()
  return files.map((file) => {
    const content = readFileSync(path.join(dir, file))
    return { file, bytes: content.length, gzipped: gzipSync(content, { level: 9 }).length }
  })
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  let sizes: ScriptSize[]
  try {
    sizes = terminalScriptSizes()
  } catch {
    console.error(`No build in ${terminalDist}: run npm run build first.`)
    process.exit(1)
  }
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`
  for (const size of sizes) console.log(`${size.file.padEnd(36)} ${kb(size.bytes).padStart(9)}  gzip ${kb(size.gzipped).padStart(8)}`)
  const total = sizes.reduce((sum, size) => sum + size.gzipped, 0)
  console.log(`terminal JavaScript, gzipped: ${kb(total)} of ${kb(TERMINAL_JS_BUDGET)} budget`)
  if (total > TERMINAL_JS_BUDGET || sizes.length === 0) process.exit(1)
}
