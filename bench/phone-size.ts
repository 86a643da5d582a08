// Prints the gzipped size of the phone page's JavaScript in dist/phone (budget: 15 KB); exits 1 over budget.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { terminalScriptSizes, type ScriptSize } from './terminal-size.ts'

export const PHONE_JS_BUDGET = 15 * 1024
export const phoneDist = fileURLToPath(new URL('../dist/phone/', import.meta.url))

/** Every .js file the built phone page ships, raw and gzipped at level 9. */
export const phoneScriptSizes = (dir = phoneDist): ScriptSize[] => terminalScriptSizes(dir)

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  let sizes: ScriptSize[]
  try {
    sizes = phoneScriptSizes()
  } catch {
    console.error(`No build in ${phoneDist}: run npm run build first.`)
    process.exit(1)
  }
  const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`
  for (const size of sizes) console.log(`${size.file.padEnd(36)} ${kb(size.bytes).padStart(9)}  gzip ${kb(size.gzipped).padStart(8)}`)
  const total = sizes.reduce((sum, size) => sum + size.gzipped, 0)
  console.log(`phone page JavaScript, gzipped: ${kb(total)} of ${kb(PHONE_JS_BUDGET)} budget`)
  if (total > PHONE_JS_BUDGET || sizes.length === 0) process.exit(1)
}
