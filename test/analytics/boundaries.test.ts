// Analytics is a module of its own: no file under analytics/ imports the API (it reads the schema from db/, error codes from contract/).
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'

const root = new URL('../../', import.meta.url)
const files = readdirSync(new URL('analytics', root), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'))

/** Every module specifier of a file: static imports and re-exports, and dynamic import() calls. */
function specifiers (text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'([^']+)'/gm)].map((match) => match[1]!)
}

t.ok(files.includes('queries.ts') && files.includes('rollup-worker.ts'), 'the analytics sources are read')

t.test('no file under analytics/ imports from api/', async (t) => {
  for (const file of files) {
    const text = readFileSync(new URL(`analytics/${file}`, root), 'utf8')
    const outside = specifiers(text).filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => new URL(specifier, new URL(`analytics/${file}`, root)).href.slice(root.href.length))
      .filter((path) => !path.startsWith('analytics/') && !path.startsWith('db/') && !path.startsWith('contract/'))
    t.same(outside, [], `analytics/${file} imports only analytics/, db/ and contract/`)
  }
})

t.test('the check sees an import of the API', async (t) => {
  t.same(specifiers("import { x } from '../api/app.ts'\nexport { y } from './z.ts'"), ['../api/app.ts', './z.ts'])
})
