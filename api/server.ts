// Starts Hài Lòng: reads config, opens and migrates the database, listens, and shuts down gracefully.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import net from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import closeWithGrace from 'close-with-grace'
import pino from 'pino'
import { ConfigError, configWarnings, loadConfig } from './config.ts'
import { announcePort, openDatabase, describeDatabase } from '../db/database.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { buildApp } from './app.ts'
import { ensureAdmin } from './services/admin-bootstrap.ts'
import { loadPairingKey } from './lib/secrets.ts'

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
for (const warning of configWarnings()) logger.warn(warning)
const started = performance.now()
const databaseOptions = { databaseUrl: config.databaseUrl, dataDir: config.dataDir, owner: 'the Hài Lòng server' }

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
// The replica (DATABASE_READ_URL) is opened after the migrations: it replays them from the primary, never runs them.
let readDb
if (config.databaseReadUrl !== null) {
  const readOptions = { databaseUrl: config.databaseReadUrl, dataDir: null }
  try {
    readDb = await openDatabase(readOptions)
  } catch (error) {
    await db.destroy().catch(() => {})
    fail(`start failed: the read replica (DATABASE_READ_URL): ${error instanceof Error ? error.message : String(error)}`)
  }
  logger.info(`figures, exports and lists read from ${describeDatabase(readOptions)}`)
}
// A first start hashes the admin's password (scrypt, on libuv's thread pool) while the app is built, not before it;
// it is awaited before listening, so no request can come before the admin exists.
const adminReady = ensureAdmin(db, config.adminUsername, config.adminPassword, logger)
adminReady.catch(() => {})

// The pairing codes' HMAC key lives outside the database (PAIRING_SECRET or DATA_DIR/pairing.key).
let pairingSecret
try {
  pairingSecret = await loadPairingKey(config)
} catch (error) {
  await adminReady.catch(() => {})
  await db.destroy().catch(() => {})
  await readDb?.destroy().catch(() => {})
  fail(`start failed: ${error instanceof Error ? error.message : String(error)}`)
}
const app = await buildApp({ config: { ...config, pairingSecret }, db, readDb }, logger)
await adminReady

/**
 * Lets HTTP clients go without a reset. server.close() alone closes idle keep-alive connections at once, and
 * a request a client is just sending on one is then reset (measured: test/reliability). Instead `release`
 * stops listening (a new connection is refused, cleanly), answers every request on the open connections with
 * `Connection: close`, gives active clients `graceMs` to get one last answer, then closes the idle rest and
 * waits for the requests in progress, which are counted from the start.
 */
function trackRequests (server: Server): { release: (graceMs: number, timeoutMs: number) => Promise<void> } {
  let releasing = false
  let inFlight = 0
  let allAnswered: (() => void) | null = null
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    if (releasing) response.setHeader('connection', 'close')
    inFlight++
    response.once('close', () => {
      if (--inFlight === 0) allAnswered?.()
    })
  })
  return {
    async release (graceMs, timeoutMs) {
      releasing = true
      const started = Date.now()
      // net.Server's close: stops accepting, without http.Server's immediate closeIdleConnections().
      if (server.listening) net.Server.prototype.close.call(server)
      await sleep(graceMs)
      server.closeIdleConnections()
      if (inFlight === 0) return
      await Promise.race([
        new Promise<void>((resolve) => {
          allAnswered = resolve
        }),
        sleep(Math.max(0, timeoutMs - (Date.now() - started)))
      ])
    }
  }
}
const requests = trackRequests(app.server)

closeWithGrace({ delay: 10000 }, async ({ signal, err }) => {
  if (err !== undefined) app.log.error({ err }, 'shutting down after an error')
  else app.log.info(`${signal ?? 'shutdown'} received, finishing in-flight requests`)
  await requests.release(1000, 6000)
  // app.close waits for queued ratings to commit, closes live sockets, then the db plugin closes the database.
  await app.close()
})

try {
  await app.listen({ port: config.port, host: config.host })
  const address = app.server.address()
  if (address !== null && typeof address !== 'string') announcePort(db, address.port)
  app.log.info(`Hài Lòng ready on ${describeDatabase(databaseOptions)} in ${Math.round(performance.now() - started)} ms`)
} catch (error) {
  await app.close().catch(() => {})
  fail(`start failed: cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}`)
}
