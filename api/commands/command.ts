// What every `npm run` command shares: the configuration, the database opened and closed around the work, and a
// one-line error with exit code 1.
import { loadConfig, ConfigError, configWarnings, type Config } from '../config.ts'
import { DataDirInUseError } from '../../db/data-dir-lock.ts'
import { openDatabase, type DatabaseOptions } from '../../db/database.ts'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'

export async function runCommand (
  name: string,
  work: (db: Kysely<Database>, config: Config, options: DatabaseOptions) => Promise<void>
): Promise<void> {
  try {
    const config = loadConfig()
    for (const warning of configWarnings()) console.warn(`warning: ${warning}`)
    const options = { databaseUrl: config.databaseUrl, dataDir: config.dataDir, owner: `npm run ${name}` }
    const db = await openDatabase(options)
    try {
      await work(db, config, options)
    } finally {
      await db.destroy()
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    console.error(
      error instanceof ConfigError
        ? `configuration error: ${message}`
        : error instanceof DataDirInUseError
          ? `${name} refused: ${message}`
          : `${name} failed: ${message}`
    )
    process.exitCode = 1
  }
}
