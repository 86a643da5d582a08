// Opens the one Kysely<Database>: over PGlite on disk when no DATABASE_URL is set, over `pg` when it is.
import fs from 'node:fs/promises'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PostgresDialect, sql } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import pg from 'pg'
import { DataDirLock } from './data-dir-lock.ts'
import { seedFromTemplate } from './pglite-template.ts'
import { PreparingClient } from './prepared.ts'
import type { Database } from './schema.ts'

const INT8 = 20
const NUMERIC = 1700

export class DatabaseUnreachableError extends Error {
  constructor (where: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`cannot open the database at ${where}: ${reason}`)
    this.name = 'DatabaseUnreachableError'
  }
}

export interface DatabaseOptions {
  /** PostgreSQL server URL, or null for PGlite. */
  databaseUrl: string | null
  /** PGlite data folder; null keeps PGlite in memory (tests). */
  dataDir: string | null
  /** pg pool size. */
  poolSize?: number
  /** Who opens it ("npm start", "npm run demo", …), named to a second opener of the same PGlite data folder. */
  owner?: string
  /** A migrated PGlite folder copied into an empty data folder (default: the one `npm run build` makes); null: none. */
  templateDir?: string | null
}

/** The data-folder lock of each database opened on PGlite in a folder. */
const locks = new WeakMap<Kysely<Database>, DataDirLock>()

/** Tells a later opener of the same data folder which port the server holding it listens on. */
export function announcePort (db: Kysely<Database>, port: number): void {
  locks.get(db)?.announcePort(port)
}

/** The database's address without its password, for logs and errors. */
export function describeDatabase (options: DatabaseOptions): string {
  if (options.databaseUrl !== null) {
    try {
      const url = new URL(options.databaseUrl)
      return `postgres://${url.hostname}:${url.port || '5432'}${url.pathname}`
    } catch {
      return 'DATABASE_URL'
    }
  }
  return options.dataDir === null ? 'PGlite in memory' : `PGlite in ${options.dataDir}`
}

/** Kysely over an already open PGlite (tests clone a migrated template this way). */
export function pgliteDatabase (pglite: PGlite): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
}

export const pgliteParsers = { [INT8]: (value: string) => Number(value), [NUMERIC]: (value: string) => Number(value) }

function commandName (): string {
  const event = process.env.npm_lifecycle_event
  if (event === 'start') return 'npm start'
  if (event !== undefined && event !== '') return `npm run ${event}`
  return path.basename(process.argv[1] ?? 'node')
}

/** The dialect over a `pg` pool to a PostgreSQL server, as openDatabase opens it (a test wraps it to wait for a replica). */
export function postgresDialect (databaseUrl: string, poolSize: number, settings: Record<string, string> = {}): PostgresDialect {
  // Both drivers answer counts and sums as numbers, so queries read the same on both.
  const types = new pg.TypeOverrides()
  types.setTypeParser(INT8, (value: string) => Number(value))
  types.setTypeParser(NUMERIC, (value: string) => Number(value))
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    types,
    Client: PreparingClient,
    // Session settings of every connection of this pool (`-c name=value`, sent at connect).
    ...(Object.keys(settings).length === 0
      ? {}
      : { options: Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`).join(' ') })
  })
  // An idle client losing its server (a PostgreSQL restart) must not crash the process.
  pool.on('error', () => {})
  // Nor a checked-out one between two queries of a transaction, which the pool's listener no longer covers
  // (found by test/reliability: PostgreSQL restarted under load); its transaction fails, the pool drops it.
  pool.on('connect', (client) => { client.on('error', () => {}) })
  return new PostgresDialect({ pool })
}

/** The server each database opened by openDatabase on PostgreSQL lives on: a second pool may open beside it. */
const servers = new WeakMap<Kysely<Database>, string>()

/**
 * A second, small pool on the same server as `db` whose connections plan each named statement once
 * (`plan_cache_mode = force_generic_plan`), for a hot statement whose custom plan costs more than it saves: the
 * ingest's store statement took ~1 ms of planning a commit (docs/ingest.md, sixth pass). Every statement with
 * parameters gets a generic plan there (one that cannot use the values, say to prune a partition), so keep to it
 * the statements it is for. Null on PGlite (one connection) or for a database openDatabase did not open: the
 * caller then uses `db`.
 */
export function openGenericPlanPool (db: Kysely<Database>, poolSize: number): Kysely<Database> | null {
  const databaseUrl = servers.get(db)
  if (databaseUrl === undefined) return null
  return new Kysely<Database>({ dialect: postgresDialect(databaseUrl, poolSize, GENERIC_PLAN_SETTINGS) })
}

/**
 * The session settings of the generic-plan pool. A plan made once is kept for the connection's life (until an
 * ANALYZE or a schema change invalidates it), and it may be made while the tables are small: a fresh database, or
 * a new centre's first minute. The planner then found a sequential scan, or a bitmap scan and a sort, cheaper than
 * an index probe for a terminal's latest rating or a ticket's earlier ones, and every later commit read the
 * terminal's whole history, or the whole table (bench/ingest: the store statement at 119–151 µs a rating against
 * 48–60 µs in runs of the same code; docs/ingest.md, seventh pass). Every read of the statements on this pool is a
 * key probe, so they are told not to plan scans of whole tables or bitmaps; where no index serves (the ingest's
 * small catalogue reads), PostgreSQL still scans: the settings only price scans out. That price lifts such a plan's
 * cost over the JIT thresholds, and LLVM then compiled an 8-row read of `criteria` for ~48 ms each time, so JIT is
 * off on these connections too.
 */
export const GENERIC_PLAN_SETTINGS: Readonly<Record<string, string>> = {
  plan_cache_mode: 'force_generic_plan',
  enable_seqscan: 'off',
  enable_bitmapscan: 'off',
  jit: 'off'
}

/** Opens the database and checks it answers; throws DatabaseUnreachableError with a one-line reason. */
export async function openDatabase (options: DatabaseOptions): Promise<Kysely<Database>> {
  const where = describeDatabase(options)
  let db: Kysely<Database>
  if (options.databaseUrl !== null) {
    db = new Kysely<Database>({ dialect: postgresDialect(options.databaseUrl, options.poolSize ?? 10) })
    servers.set(db, options.databaseUrl)
  } else {
    const parsers = pgliteParsers
    let pglite: PGlite
    // Taken before PGlite reads a byte; a second opener is refused here (DataDirInUseError names the holder).
    const lock = options.dataDir === null ? null : DataDirLock.acquire(options.dataDir, options.owner ?? commandName())
    try {
      if (options.dataDir !== null) {
        const dir = path.join(options.dataDir, 'pglite')
        // A first start copies the migrated template instead of running initdb and every migration.
        if (options.templateDir !== null) await seedFromTemplate(dir, options.templateDir)
        await fs.mkdir(dir, { recursive: true })
        pglite = await PGlite.create(dir, { parsers })
      } else {
        pglite = await PGlite.create({ parsers })
      }
    } catch (error) {
      lock?.release()
      throw new DatabaseUnreachableError(where, error)
    }
    if (lock !== null) {
      // Released once PGlite has closed its files (Kysely's destroy closes it), or by the kernel if the process dies.
      const close = pglite.close.bind(pglite)
      pglite.close = async () => {
        try {
          await close()
        } finally {
          lock.release()
        }
      }
    }
    db = pgliteDatabase(pglite)
    if (lock !== null) locks.set(db, lock)
  }
  try {
    await sql`select 1`.execute(db)
  } catch (error) {
    await db.destroy().catch(() => {})
    throw new DatabaseUnreachableError(where, error)
  }
  return db
}
