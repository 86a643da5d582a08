// `npm start` and the operator's `npm run` commands run their build, dist/server/NAME.mjs (`npm run build`, so also
// `npm install`, makes it), instead of compiling TypeScript at every start; without a build, one line says what to do.
import { existsSync } from 'node:fs'

const name = process.argv[2] ?? 'server'
const entry = new URL(`../../dist/server/${name}.mjs`, import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write(`${name === 'server' ? 'start' : name} failed: dist/server/${name}.mjs is not built: run npm run build ` +
    '(npm install runs it), or npm run dev to run the server from source\n')
  process.exit(1)
}
// The entry reads its own arguments from argv[2] on, as when it is run directly.
process.argv.splice(2, 1)
await import(entry.href)
