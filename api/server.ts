// Starts Hài Lòng: reads config, opens and migrates the database, listens, and shuts down gracefully.
import closeWithGrace from 'close-with-grace'
import pino from 'pino'
import { ConfigError, loadConfig } from './config.ts'
import { openDatabase, describeDatabase } from './db/database.ts'
import { migrateToLatest } from './db/migrate.ts'
import { buildApp } from './app.ts'
import { ensureAdmin } from './services/admin-bootstrap.ts'

function fail (message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(1)
}

let config
try {
  config = loadConfig()
} catch (error) {
  if (error instanceof ConfigError) fail(`configuration error: ${error.message}`)
  throw error
}

const logger = pino({ level: config.logLevel })
const started = performance.now()
const databaseOptions = { databaseUrl: config.databaseUrl, dataDir: config.dataDir }

let db
try {
  db = await openDatabase(databaseOptions)
} catch (error) {
  fail(`start failed: ${error instanceof Error ? error.message : String(error)}`)
}
try {
  const applied = await migrateToLatest(db)
  if (applied.length > 0) logger.info({ applied }, `applied ${applied.length} migration(s)`)
} catch (error) {
  await db.destroy().catch(() => {})
  fail(`start failed: ${error instanceof Error ? error.message : String(error)}`)
}
await ensureAdmin(db, config.adminUsername, config.adminPassword, logger)

const app = await buildApp({ config, db }, logger)

closeWithGrace({ delay: 10000 }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
  else app.log.info(`${signal ?? 'shutdown'} received, finishing in-flight requests`)
  // app.close stops accepting, waits for in-flight requests, then the db plugin closes the database.
  await app.close()
})

try {
  await app.listen({ port: config.port, host: config.host })
  app.log.info(`Hài Lòng ready on ${describeDatabase(databaseOptions)} in ${Math.round(performance.now() - started)} ms`)
} catch (error) {
  await app.close().catch(() => {})
  fail(`start failed: cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}`)
}
