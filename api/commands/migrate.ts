// `npm run db:migrate`: applies pending migrations to the configured database and exits.
import { migrateToLatest } from '../db/migrate.ts'
import { runCommand } from './command.ts'

await runCommand('db:migrate', async (db) => {
  const applied = await migrateToLatest(db)
  console.log(applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s): ${applied.join(', ')}`)
})
