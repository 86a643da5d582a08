// `npm run db:migrate`: applies pending migrations to the configured database, says which and how long it took, and exits.
import { describeDatabase } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import { runCommand } from './command.ts'

await runCommand('db:migrate', async (db, _config, options) => {
  const started = Date.now()
  const applied = await migrateToLatest(db)
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  console.log(applied.length === 0
    ? `${describeDatabase(options)} is up to date: no migration to apply (checked in ${seconds} s)`
    : `applied ${applied.length} migration(s) to ${describeDatabase(options)} in ${seconds} s: ${applied.join(', ')}`)
})
