// Decorates `app.ingest` (group-commit rating ingest) and wires what follows a commit: metrics and live events.
import fp from 'fastify-plugin'
import { sql, type Kysely } from 'kysely'
import type { LiveRating, ScopedLiveEvent as LiveEvent } from '../../../contract/live.ts'
import type { Database } from '../../../db/schema.ts'
import { openGenericPlanPool } from '../../../db/database.ts'
import { arrayLiteral } from '../../../db/array-literal.ts'
import { RatingIngest, type StoredRating } from '../../services/ingest.ts'

declare module 'fastify' {
  interface FastifyInstance {
    ingest: RatingIngest
    /** Calls `listener` with every batch of newly stored ratings, after its commit (alert rules, for one). */
    onRatingsStored: (listener: RatingsStoredListener) => void
  }
}

export type RatingsStoredListener = (ratings: readonly StoredRating[]) => void | Promise<void>

/** What a rating's live events need of it. */
type RatingForEvents = Pick<StoredRating, 'id' | 'unitId' | 'counterId' | 'terminalId' | 'officerId' | 'level' | 'category' |
  'criteria' | 'ratedAt' | 'receivedAt' | 'countedAt' | 'source' | 'misuse' | 'ticket' | 'dossierCode' | 'caseId'>

function ratingEvent (rating: RatingForEvents): LiveRating {
  return {
    id: rating.id,
    unitId: rating.unitId,
    counterId: rating.counterId,
    terminalId: rating.terminalId,
    officerId: rating.officerId,
    level: rating.level,
    category: rating.category,
    criteria: rating.criteria,
    ratedAt: rating.ratedAt.toISOString(),
    receivedAt: rating.receivedAt.toISOString(),
    countedAt: rating.countedAt.toISOString(),
    source: rating.source,
    misuse: rating.misuse,
    ticket: rating.ticket,
    dossierCode: rating.dossierCode
  }
}

/** A stored rating's live events: the rating, and for an unsatisfied one its alert and case (a case alone for a neutral one). */
function liveEventsOf (rating: RatingForEvents): LiveEvent[] {
  const event = ratingEvent(rating)
  const events: LiveEvent[] = [{ type: 'rating', rating: event }]
  if (rating.caseId === null) return events
  // A neutral rating with a follow-up answer opens a case too, but raises no unsatisfied alert.
  if (rating.category === 'unsatisfied') {
    events.push({
      type: 'alert',
      alert: {
        kind: 'unsatisfied',
        ratingId: rating.id,
        caseId: rating.caseId,
        unitId: rating.unitId,
        counterId: rating.counterId,
        officerId: rating.officerId,
        level: rating.level,
        at: event.countedAt
      }
    })
  }
  events.push({
    type: 'case',
    case: {
      id: rating.caseId,
      status: 'open',
      unitId: rating.unitId,
      ratingId: rating.id,
      counterId: rating.counterId,
      officerId: rating.officerId,
      openedAt: event.receivedAt
    }
  })
  return events
}

/**
 * Ratings by key (their units and ids, by the primary key), with the case each opened, in the order stored. Without
 * `unitIds` (a change from a process of an earlier release, during a rolling upgrade) they are read by id alone, which
 * no index serves since `ratings_id_idx` went.
 */
async function storedRatings (db: Kysely<Database>, ids: string[], unitIds: string[] | undefined): Promise<RatingForEvents[]> {
  if (ids.length === 0) return []
  const keyed = unitIds !== undefined && unitIds.length === ids.length
  const rows = await db.selectFrom('ratings as r')
    .leftJoin('cases as c', (join) => join.onRef('c.unit_id', '=', 'r.unit_id').onRef('c.rating_id', '=', 'r.id'))
    .select(['r.id', 'r.unit_id', 'r.counter_id', 'r.terminal_id', 'r.officer_id', 'r.level', 'r.category', 'r.criteria', 'r.rated_at',
      'r.received_at', 'r.counted_at', 'r.source', 'r.misuse', 'r.ticket', 'r.dossier_code', 'c.id as case_id'])
    .where(keyed
      ? sql<boolean>`(r.unit_id, r.id) in (select * from unnest(${arrayLiteral(unitIds)}::uuid[], ${arrayLiteral(ids)}::uuid[]))`
      : sql<boolean>`r.id = any(${arrayLiteral(ids)}::uuid[])`)
    .execute()
  const byId = new Map(rows.map((row) => [row.id, row]))
  return ids.flatMap((id) => {
    const row = byId.get(id)
    return row === undefined
      ? []
      : [{
          id: row.id,
          unitId: row.unit_id,
          counterId: row.counter_id,
          terminalId: row.terminal_id,
          officerId: row.officer_id,
          level: row.level,
          category: row.category,
          criteria: row.criteria,
          ratedAt: row.rated_at,
          receivedAt: row.received_at,
          countedAt: row.counted_at,
          source: row.source,
          misuse: row.misuse,
          ticket: row.ticket,
          dossierCode: row.dossier_code,
          caseId: row.case_id
        }]
  })
}

/**
 * A commit's rating ids wait this long for the next commits' before going to the other processes in one NOTIFY: under
 * load one notification per commit was a transaction of its own and woke every listening backend each time.
 */
const CROSS_PROCESS_GATHER_MS = 20

/** Ratings per `ratings` change: each change stays well within one NOTIFY payload (~80 bytes a rating: unit and id). */
const RATINGS_PER_CHANGE = 75

export default fp(
  async (app) => {
    const listeners: RatingsStoredListener[] = []
    /** Keys of ratings stored here that the other processes have not been told of yet: ids, and the unit of each. */
    let crossing: string[] = []
    let crossingUnits: string[] = []
    let crossingTimer: NodeJS.Timeout | null = null
    const sendCrossing = (): void => {
      if (crossingTimer !== null) clearTimeout(crossingTimer)
      crossingTimer = null
      const ids = crossing
      const unitIds = crossingUnits
      crossing = []
      crossingUnits = []
      for (let from = 0; from < ids.length; from += RATINGS_PER_CHANGE) {
        const to = from + RATINGS_PER_CHANGE
        void app.changes.share({ kind: 'ratings', ids: ids.slice(from, to), unitIds: unitIds.slice(from, to) })
      }
    }
    // The commits run on connections of their own where the store statement is planned once per connection, not once
    // a commit (a custom plan each time was a third of its time in PostgreSQL; docs/ingest.md, sixth pass).
    const commitDb = openGenericPlanPool(app.db, app.config.ingestCommits) ?? app.db
    const ingest = new RatingIngest(
      commitDb,
      app.config,
      {
        // The ratings' commit is all a request waits for; the rollup worker counts them just after (exactly once).
        afterCommit (created) {
          app.rollups.nudge()
          const deliveries: Array<Promise<void>> = []
          // With no user's socket open here, no event is built (three dates formatted and ~4 objects per rating).
          const watched = app.live.hasUsers()
          for (const rating of created) {
            app.metrics.ratingsStored.inc({ source: rating.source, category: rating.category })
            if (watched) for (const event of liveEventsOf(rating)) deliveries.push(app.live.deliver(rating.unitId, rating.officerId, event))
            // The queue's call it carried is rated: every terminal at the counter (a tablet and a box) stops showing it.
            if (rating.ticket !== null) deliveries.push(app.live.refreshCounter(rating.counterId))
          }
          // The other processes are told the ids (those with live sockets read the ratings and send the same events),
          // gathered over CROSS_PROCESS_GATHER_MS: one NOTIFY for several commits.
          if (app.changes.shared) {
            for (const rating of created) {
              crossing.push(rating.id)
              crossingUnits.push(rating.unitId)
            }
            crossingTimer ??= setTimeout(sendCrossing, CROSS_PROCESS_GATHER_MS)
          }
          Promise.all(deliveries).catch((error: unknown) => app.log.warn({ err: error }, 'live delivery failed'))
          for (const listener of listeners) {
            Promise.resolve()
              .then(() => listener(created))
              .catch((error: unknown) => app.log.error({ err: error }, 'ratings-stored listener failed'))
          }
        }
      },
      app.config.ingestCommits
    )
    app.decorate('ingest', ingest)
    // Ratings another process stored: read (from the primary, where they are) and sent to this process's sockets.
    app.changes.subscribe((change) => {
      if (change.kind !== 'ratings' || !app.live.hasUsers()) return
      storedRatings(app.db, change.ids, change.unitIds)
        .then(async (ratings) => {
          const deliveries: Array<Promise<void>> = []
          for (const rating of ratings) {
            for (const event of liveEventsOf(rating)) deliveries.push(app.live.deliver(rating.unitId, rating.officerId, event))
          }
          await Promise.all(deliveries)
        })
        .catch((error: unknown) => app.log.warn({ err: error }, 'live delivery failed'))
    })
    app.decorate('onRatingsStored', (listener: RatingsStoredListener) => {
      listeners.push(listener)
    })
    // Graceful shutdown: ratings already queued are committed and answered before the database closes.
    app.addHook('preClose', async () => {
      await ingest.drain()
      sendCrossing()
    })
    app.addHook('onClose', async () => {
      if (commitDb !== app.db) await commitDb.destroy()
    })
  },
  { name: 'ingest', dependencies: ['db', 'config', 'metrics', 'live', 'rollups'] }
)
