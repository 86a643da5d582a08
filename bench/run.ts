// `npm run bench -- NAME`: runs bench/NAME/run.ts (ingest, analytics, …) and prints its figures.
import { readdirSync, existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const available = readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${here}${entry.name}/run.ts`)).map((entry) => entry.name)
const name = process.argv[2]
if (name === undefined || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}>`)
  process.exit(2)
}
// The bench's own flags follow its name (`npm run bench -- analytics --sizes 100000`): it parses them without the name.
process.argv.splice(2, 1)
await import(pathToFileURL(`${here}${name}/run.ts`).href)
