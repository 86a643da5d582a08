// `npm run build` (so also `npm install`) ends with this: the migrated PGlite template a first start copies (db/pglite-template.ts).
import path from 'node:path'
import { buildTemplate, defaultTemplateDir } from '../../db/pglite-template.ts'

const started = Date.now()
const applied = await buildTemplate()
console.log(`PGlite template with ${applied.length} migration(s) in ${path.relative(process.cwd(), defaultTemplateDir)} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
