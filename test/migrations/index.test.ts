// migrations/index.ts, the list the migrate runner (and so the bundled server) applies, names every migration file exactly.
import { readdir } from 'node:fs/promises'
import t from 'tap'
import { migrations } from '../../migrations/index.ts'

t.test('migrations/index.ts lists exactly the migration files of migrations/, each with its up and down', async (t) => {
  const files = (await readdir(new URL('../../migrations/', import.meta.url))).filter((file) => file !== 'index.ts' && file.endsWith('.ts'))
  const names = files.map((file) => file.replace(/\.ts$/, '')).sort()
  t.same(Object.keys(migrations).sort(), names, 'a migration file missing from migrations/index.ts is never applied: add it there')
  for (const [name, migration] of Object.entries(migrations)) {
    t.equal(typeof migration.up, 'function', `${name} has up`)
    t.equal(typeof migration.down, 'function', `${name} has down`)
  }
})
