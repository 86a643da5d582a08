// The boundaries of docs/architecture.md, read from the source: routes hold no SQL; the browser apps and the bridge
// reach the server only through the contract (types) and HTTP.
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'

const root = new URL('../', import.meta.url)

function sources (dir: string): Array<{ file: string, text: string }> {
  return readdirSync(new URL(dir, root), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => ({ file: `${dir}/${file}`, text: readFileSync(new URL(`${dir}/${file}`, root), 'utf8') }))
}

/** Each relative import of a file (static, re-export, dynamic), as a path from the project root, with `type` when type-only. */
function imports (file: string, text: string): Array<{ path: string, typeOnly: boolean }> {
  const found = text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?\bfrom\s+'(\.[^']+)'|\bimport\s*\(\s*'(\.[^']+)'/gm)
  return [...found].map((match) => ({
    path: new URL(match[3] ?? match[4]!, new URL(file, root)).href.slice(root.href.length),
    typeOnly: match[2] !== undefined
  }))
}

const SQL = /\b(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|with(?:Recursive)?)\s*\(|\bsql\s*`/

t.test('no route builds SQL: queries live in repositories (api/repositories) and services', async (t) => {
  const routes = sources('api/routes')
  t.ok(routes.length > 15, `${routes.length} route files read`)
  for (const { file, text } of routes) t.notOk(SQL.test(text), `${file} has no query builder or sql\`…\``)
})

t.test('the check sees SQL', async (t) => {
  t.ok(SQL.test("await db.selectFrom('units')"))
  t.ok(SQL.test('await sql`select 1`.execute(db)'))
})

t.test('the browser apps import nothing of the server: only web/, their own files and contract/ types', async (t) => {
  // phone/ (the page at /r/<code>) also draws the terminal's faces and criterion icons (terminal/components).
  for (const dir of ['terminal', 'dashboard', 'web', 'phone']) {
    for (const { file, text } of sources(dir)) {
      if (file.endsWith('vite.config.ts')) continue
      for (const { path, typeOnly } of imports(file, text)) {
        const own = ['terminal/', 'dashboard/', 'web/', 'phone/'].some((part) => path.startsWith(part))
        const allowed = own || (path.startsWith('contract/') && typeOnly)
        t.ok(allowed, `${file} → ${path}${typeOnly ? ' (type)' : ''}`)
      }
    }
  }
})

t.test('the bridge takes the API shapes from the contract, as types, and no server code', async (t) => {
  for (const { file, text } of sources('hardware')) {
    for (const { path, typeOnly } of imports(file, text)) {
      const allowed = path.startsWith('hardware/') || (path.startsWith('contract/') && typeOnly)
      t.ok(allowed, `${file} → ${path}${typeOnly ? ' (type)' : ''}`)
    }
  }
})

t.test('the import reader sees type-only and value imports', async (t) => {
  t.same(imports('web/x.ts', "import type { A } from '../contract/a.ts'\nimport { b } from './b.ts'"), [
    { path: 'contract/a.ts', typeOnly: true },
    { path: 'web/b.ts', typeOnly: false }
  ])
})
