// Test harness: the app on a fresh, migrated database — PGlite by default, PostgreSQL when DATABASE_URL is set.
import { randomBytes } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import type { FastifyInstance } from 'fastify'
import { sql, type Kysely } from 'kysely'
import pg from 'pg'
import { buildApp } from '../api/app.ts'
import { loadConfig, type Config } from '../api/config.ts'
import { openDatabase, pgliteDatabase, pgliteParsers } from '../db/database.ts'
import { migrateToLatest } from '../db/migrate.ts'
import type { Database } from '../db/schema.ts'
import { replicaDatabase, replicaServerUrl, withClient } from './replica.ts'

/** The tap test object, as far as the helper needs it. */
export interface TestContext {
  teardown: (fn: () => unknown) => void
}

export const serverUrl = process.env.DATABASE_URL === undefined || process.env.DATABASE_URL === '' ? null : process.env.DATABASE_URL
export const databaseKind = serverUrl === null ? 'pglite' : 'postgres'

let template: Promise<{ pglite: PGlite; dump: File | Blob }> | null = null
let clonesInUse = 0
let closeTimer: NodeJS.Timeout | null = null

/**
 * One migrated PGlite per test process, dumped once; each test loads the dump (~5× faster than migrating
 * anew). Not PGlite.clone(): it drops the parsers, and sums would come back as strings.
 */
async function pgliteTemplate (): Promise<{ pglite: PGlite; dump: File | Blob }> {
  if (closeTimer !== null) clearTimeout(closeTimer)
  closeTimer = null
  template ??= (async () => {
    const pglite = await PGlite.create({ parsers: pgliteParsers })
    await migrateToLatest(pgliteDatabase(pglite))
    return { pglite, dump: await pglite.dumpDataDir('none') }
  })()
  return template
}

/** An open PGlite keeps the process alive, so the template closes shortly after its last clone does. */
function releaseClone (): void {
  clonesInUse--
  if (clonesInUse > 0 || template === null) return
  const closing = template
  closeTimer = setTimeout(() => {
    template = null
    void closing.then(({ pglite }) => pglite.close())
  }, 300)
}

function databaseUrlFor (name: string): string {
  const url = new URL(serverUrl!)
  url.pathname = `/${name}`
  return url.toString()
}

async function onServer<T> (fn: (client: pg.Client) => Promise<T>): Promise<T> {
  return withClient(serverUrl!, fn)
}

export interface FreshDatabase {
  db: Kysely<Database>
  /** Set on PostgreSQL: the URL of this test's own database. */
  url: string | null
  /** Drops the database (PostgreSQL) once `db` is destroyed. */
  drop: () => Promise<void>
}

/** A fresh empty database (not migrated); dropped at teardown. */
export async function emptyDatabase (t: TestContext): Promise<FreshDatabase> {
  if (serverUrl === null) {
    const db = await openDatabase({ databaseUrl: null, dataDir: null })
    t.teardown(() => db.destroy())
    return { db, url: null, drop: async () => {} }
  }
  const name = `hl_test_${process.pid}_${randomBytes(4).toString('hex')}`
  await onServer((client) => client.query(`create database ${name}`))
  const url = databaseUrlFor(name)
  const db = await openDatabase({ databaseUrl: url, dataDir: null, poolSize: 5 })
  t.teardown(async () => {
    await db.destroy().catch(() => {})
    await onServer((client) => client.query(`drop database if exists ${name} with (force)`))
  })
  return { db, url, drop: async () => {} }
}

/** A fresh migrated database whose lifetime the caller manages: destroy `db`, then call `drop`. */
export async function migratedDatabase (): Promise<FreshDatabase> {
  if (serverUrl === null) {
    clonesInUse++
    const pglite = await PGlite.create({ loadDataDir: (await pgliteTemplate()).dump, parsers: pgliteParsers })
    const drop = async (): Promise<void> => {
      // Kysely closes PGlite only if it ever connected; a test that ran no query leaves it open.
      if (!pglite.closed) await pglite.close()
      releaseClone()
    }
    return { db: pgliteDatabase(pglite), url: null, drop }
  }
  const name = `hl_test_${process.pid}_${randomBytes(4).toString('hex')}`
  await onServer((client) => client.query(`create database ${name}`))
  const url = databaseUrlFor(name)
  const db = await openDatabase({ databaseUrl: url, dataDir: null, poolSize: 5 })
  await migrateToLatest(db)
  const drop = async (): Promise<void> => {
    await onServer((client) => client.query(`drop database if exists ${name} with (force)`))
  }
  return { db, url, drop }
}

export function testConfig (overrides: Partial<Config> = {}): Config {
  return loadConfig(
    { ADMIN_PASSWORD: 'kiem-thu-quan-tri-2026', LOG_LEVEL: 'silent', PAIRING_SECRET: 'test-pairing-key-not-a-secret-0123456789' },
    overrides
  )
}

/** The whole app on a fresh migrated database; closed (and the database dropped) at teardown. */
export async function build (t: TestContext, overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  const { db, url, drop } = await migratedDatabase()
  // With DATABASE_READ_URL (.ci/run's replica pass): figures, exports and lists read the replica, each read once it has
  // replayed what the test stored (test/replica.ts).
  const readDb = url === null || replicaServerUrl === null
    ? undefined
    : await replicaDatabase(url, replicaServerUrl, { waitEachRead: true })
  const app = await buildApp({ config: testConfig(overrides), db, ...(readDb === undefined ? {} : { readDb }) })
  t.teardown(async () => {
    await app.close()
    await drop()
  })
  return app
}

export { sql }
