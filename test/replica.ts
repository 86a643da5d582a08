// Tests on a streaming replica (DATABASE_READ_URL, made by .ci/replica): the replica's copy of a test database, waiting for replay.
import { setTimeout as sleep } from 'node:timers/promises'
import { CompiledQuery, Kysely, sql, type DatabaseConnection, type Dialect, type Driver } from 'kysely'
import pg from 'pg'
import { postgresDialect } from '../db/database.ts'
import type { Database } from '../db/schema.ts'

/** The replica's server URL, when the tests run with one (and on PostgreSQL: PGlite has no replica). */
export const replicaServerUrl = process.env.DATABASE_READ_URL === undefined || process.env.DATABASE_READ_URL === '' ||
  process.env.DATABASE_URL === undefined || process.env.DATABASE_URL === ''
  ? null
  : process.env.DATABASE_READ_URL

/** The URL of a database on another server of the same cluster: the primary's database `name` as the replica serves it. */
export function sameDatabaseOn (serverUrl: string, databaseUrl: string): string {
  const url = new URL(serverUrl)
  url.pathname = new URL(databaseUrl).pathname
  return url.toString()
}

/**
 * `fn` on a connection of its own, closed after. A server ending the connection (a test's database dropped WITH (FORCE)
 * at its teardown) fails the call under way; between calls `pg` would emit it as an 'error' no one listens to, and an
 * uncaught error ends the test process.
 */
export async function withClient<T> (url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {})
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => {})
  }
}

/** The primary's WAL position now: everything committed so far is at or before it. */
export async function primaryLsn (primaryUrl: string): Promise<string> {
  return withClient(primaryUrl, async (client) =>
    (await client.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0]!.lsn)
}

/** Waits until `replicated` (a query returning one boolean `replayed` for `lsn`) says the replica has replayed `lsn`. */
async function pollReplay (replayed: (lsn: string) => Promise<boolean>, lsn: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await replayed(lsn))) {
    if (Date.now() > deadline) throw new Error(`the replica has not replayed ${lsn} within ${timeoutMs} ms (is replay paused?)`)
    await sleep(5)
  }
}

const replayedSql = 'select coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, true) as replayed'

/** Waits until the replica at `replicaUrl` has replayed everything the primary at `primaryUrl` has committed so far. */
export async function waitForReplay (primaryUrl: string, replicaUrl: string, timeoutMs = 10_000): Promise<void> {
  const lsn = await primaryLsn(primaryUrl)
  await withClient(replicaUrl, (client) =>
    pollReplay(async (at) => (await client.query<{ replayed: boolean }>(replayedSql, [at])).rows[0]!.replayed, lsn, timeoutMs))
}

/**
 * The replica's copy of the primary database at `primaryUrl`, opened once the replica has it. With `waitEachRead`, every
 * connection taken from its pool first waits until the replica has replayed all the primary has committed: the figure
 * tests, written as "store, then read", then pass on a replica as on the primary, through the replica.
 */
export async function replicaDatabase (
  primaryUrl: string, replicaServer: string, options: { waitEachRead?: boolean } = {}
): Promise<Kysely<Database>> {
  const replicaUrl = sameDatabaseOn(replicaServer, primaryUrl)
  // The database itself was made on the primary a moment ago: the replica's `postgres` database answers meanwhile.
  const replicaPostgres = new URL(replicaServer)
  replicaPostgres.pathname = '/postgres'
  await waitForReplay(primaryUrl, replicaPostgres.toString())
  const inner = postgresDialect(replicaUrl, 5)
  if (options.waitEachRead !== true) return new Kysely<Database>({ dialect: inner })
  const dialect = withDriver(inner, (driver) => {
    const acquire = driver.acquireConnection.bind(driver)
    driver.acquireConnection = async (): Promise<DatabaseConnection> => {
      const lsn = await primaryLsn(primaryUrl)
      const connection = await acquire()
      const replayed = async (at: string): Promise<boolean> =>
        (await connection.executeQuery<{ replayed: boolean }>(CompiledQuery.raw(replayedSql, [at]))).rows[0]!.replayed
      await pollReplay(replayed, lsn, 10_000)
      return connection
    }
  })
  return new Kysely<Database>({ dialect })
}

/** `inner` with `change` applied to each driver it makes (a test's hold on connections, a wait for replay). */
export function withDriver (inner: Dialect, change: (driver: Driver) => void): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createDriver: () => {
      const driver = inner.createDriver()
      change(driver)
      return driver
    }
  }
}

/** Pauses the replica's replay (it keeps receiving WAL): reads there stay at this point until resumeReplay. */
export async function pauseReplay (replica: Kysely<Database>): Promise<void> {
  await sql`select pg_wal_replay_pause()`.execute(replica)
  for (let i = 0; i < 400; i++) {
    const state = await sql<{ state: string }>`select pg_get_wal_replay_pause_state() as state`.execute(replica)
    if (state.rows[0]?.state === 'paused') return
    await sleep(5)
  }
  throw new Error('the replica did not pause its replay')
}

export async function resumeReplay (replica: Kysely<Database>): Promise<void> {
  await sql`select pg_wal_replay_resume()`.execute(replica)
}
