// `npm run rollups:rebuild`: recomputes every rollup table from the ratings (after a rolling deploy that added a
// rollup table, or to recover) and exits. The ingest waits while it runs; figures are exact before and after.
import { loadConfig, ConfigError } from '../config.ts'
import { openDatabase } from '../db/database.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { rebuildRollups } from '../../analytics/rollups.ts'

try {
  const config = loadConfig()
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    await migrateToLatest(db)
    const started = Date.now()
    await rebuildRollups(db)
    const { count } = await db.selectFrom('ratings').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
    console.log(`rollups rebuilt from ${Number(count)} rating(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  } finally {
    await db.destroy()
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error)
  console.error(error instanceof ConfigError ? `configuration error: ${message}` : `rollups:rebuild failed: ${message}`)
  process.exitCode = 1
}
