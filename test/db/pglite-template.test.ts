// The first start copies a migrated PGlite template (made by `npm run build`) instead of running initdb and every migration.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { openDatabase } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import { buildTemplate } from '../../db/pglite-template.ts'

t.test('an empty data folder starts from the template, already migrated; a template of another PGlite version is not used', async (t) => {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'hl-template-'))
  t.teardown(() => rm(scratch, { recursive: true, force: true }))
  const templateDir = path.join(scratch, 'template')
  const built = await buildTemplate(templateDir)
  const files = await readdir(new URL('../../migrations/', import.meta.url))
  const migrations = files.filter((file) => file !== 'index.ts' && file.endsWith('.ts')).length
  t.equal(built.length, migrations, 'the template holds every migration')

  const dataDir = path.join(scratch, 'data')
  const db = await openDatabase({ databaseUrl: null, dataDir, templateDir })
  t.same(await migrateToLatest(db), [], 'opened from the template: nothing left to migrate')
  await db.insertInto('units').values({ kind: 'province', code: 'TPL', name: 'Tỉnh Mẫu' }).execute()
  await db.destroy()
  const again = await openDatabase({ databaseUrl: null, dataDir, templateDir })
  t.equal(
    (await again.selectFrom('units').select('name').where('code', '=', 'TPL').executeTakeFirst())?.name,
    'Tỉnh Mẫu',
    'a folder with data is never replaced by the template'
  )
  await again.destroy()

  await writeFile(path.join(templateDir, 'hai-long-template.json'), JSON.stringify({ pglite: '0.0.1', migrations: built }))
  const other = await openDatabase({ databaseUrl: null, dataDir: path.join(scratch, 'other'), templateDir })
  t.equal(
    (await migrateToLatest(other)).length,
    migrations,
    'a template from another PGlite version is ignored: initdb and migrations as before'
  )
  await other.destroy()
})
