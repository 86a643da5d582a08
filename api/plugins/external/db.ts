// Decorates `app.db` (the primary) and `app.readDb` (a streaming replica, or the primary again), and destroys both on close.
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { sql, type Kysely } from 'kysely'
import { Gauge } from 'prom-client'
import type { Database } from '../../../db/schema.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The primary: every write, the ingest, sessions, the live hub, and any read of a write just made. */
    db: Kysely<Database>
    /**
     * Where figures, exports and lists read (DATABASE_READ_URL): a hot standby, exact as of its replay point.
     * Without a replica it IS `db`. Routes reach it through `readerFor(request)`, never directly.
     */
    readDb: Kysely<Database>
    /**
     * The database a read-only route uses for this request: the replica, unless this client changed something
     * the replica has not replayed yet (its `hl_written` cookie), then the primary: a supervisor who resolves a
     * case and reloads the list sees it resolved.
     */
    readerFor: (request: FastifyRequest) => Promise<Kysely<Database>>
  }
}

export interface DbPluginOptions {
  db: Kysely<Database>
  /** The replica; absent or the same object as `db`: reads use the primary. */
  readDb?: Kysely<Database>
}

/** The cookie holding the primary's WAL position after this client's last change (read-your-writes across processes). */
export const WRITTEN_COOKIE = 'hl_written'
/** How long a change pins the client's reads to the primary at most; replay here takes milliseconds. */
const WRITTEN_MAX_AGE_SECONDS = 300
const LSN = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
/** How often the replica is asked whether it answers. */
const REPLICA_PROBE_MS = 2000

export default fp<DbPluginOptions>(async (app, options) => {
  const primary = options.db
  const replica = options.readDb ?? primary
  app.decorate('db', primary)
  app.decorate('readDb', replica)
  // Set once the replica is probed: the probes stop, and a probe under way ends, before the databases close.
  let stopProbes = async (): Promise<void> => {}
  app.addHook('onClose', async () => {
    await stopProbes()
    await primary.destroy()
    if (replica !== primary) await replica.destroy()
  })

  if (replica === primary) {
    app.decorate('readerFor', async () => primary)
    return
  }

  // A replica that stops answering must not take the figures down with it: probed every few seconds, and while it
  // does not answer, its reads go to the primary (which has every row the replica has, and more).
  let replicaUp = true
  let probing: Promise<void> | null = null
  let closing = false
  function replicaAnswers (up: boolean, error?: unknown): void {
    if (closing || up === replicaUp) return
    replicaUp = up
    if (up) app.log.info('the read replica answers again: figures, exports and lists read from it')
    else app.log.warn({ err: error }, 'the read replica does not answer: figures, exports and lists read the primary until it does')
  }
  async function probe (): Promise<void> {
    probing ??= (async () => {
      try {
        await sql`select 1`.execute(replica)
        replicaAnswers(true)
      } catch (error) {
        replicaAnswers(false, error)
      } finally {
        probing = null
      }
    })()
    return probing
  }
  await probe()
  // `hailong_read_replica_up` on /metrics (the metrics plugin registers after this one): 1 while the replica answers.
  app.addHook('onReady', async () => {
    if (!app.hasDecorator('metrics')) return
    // eslint-disable-next-line no-new -- registered into the app's registry, read by its collect()
    new Gauge({
      name: 'hailong_read_replica_up',
      help: 'Whether the read replica (DATABASE_READ_URL) answers: 1 yes, 0 no (its reads go to the primary meanwhile)',
      registers: [app.metrics.registry],
      collect () { this.set(replicaUp ? 1 : 0) }
    })
  })
  const probes = setInterval(() => { void probe() }, REPLICA_PROBE_MS)
  probes.unref()
  stopProbes = async () => {
    closing = true
    clearInterval(probes)
    await probing
  }

  app.decorate('readerFor', async (request: FastifyRequest) => {
    if (!replicaUp) return primary
    const written = request.cookies?.[WRITTEN_COOKIE]
    if (written === undefined || !LSN.test(written)) return replica
    try {
      // Null on a server that is not in recovery (DATABASE_READ_URL naming a primary): it has every write.
      const result = await sql<{ replayed: boolean | null }>`select pg_last_wal_replay_lsn() >= ${written}::pg_lsn as replayed`
        .execute(replica)
      return result.rows[0]?.replayed === false ? primary : replica
    } catch (error) {
      replicaAnswers(false, error)
      return primary
    }
  })

  // After a user's change, remember where the primary's WAL stood (one short query, only with a replica and only for
  // users: terminals' ingest and API tokens never read back what they wrote through this client).
  app.addHook('onSend', async (request, reply, payload) => {
    if (SAFE_METHODS.has(request.method) || reply.statusCode >= 400 || request.actor?.kind !== 'user') return payload
    let lsn: string | undefined
    try {
      lsn = (await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(primary)).rows[0]?.lsn
    } catch (error) {
      // The change is made: its answer stands; without the cookie this client may read the replica a moment early.
      request.log.warn({ err: error }, 'reading the primary\'s WAL position after a change failed')
    }
    if (lsn !== undefined) {
      reply.setCookie(WRITTEN_COOKIE, lsn, {
        path: '/api/',
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        maxAge: WRITTEN_MAX_AGE_SECONDS
      })
    }
    return payload
  })
}, { name: 'db' })
