// `npm run db:migrate`: applies pending migrations to the configured database and exits.
import { loadConfig, ConfigError } from '../config.ts'
import { openDatabase } from '../db/database.ts'
import { migrateToLatest } from '../db/migrate.ts'

try {
  const config = loadConfig()
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    const applied = await migrateToLatest(db)
    console.log(applied.length === 0 ? 'database is up to date' : `applied ${applied.length} migration(s): ${applied.join(', ')}`)
  } finally {
    await db.destroy()
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error)
  console.error(error instanceof ConfigError ? `configuration error: ${message}` : `db:migrate failed: ${message}`)
  process.exitCode = 1
}
