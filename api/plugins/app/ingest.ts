// Decorates `app.ingest` (group-commit rating ingest) and wires what follows a commit: metrics and live events.
import fp from 'fastify-plugin'
import type { LiveRating } from '../../../contract/live.ts'
import { RatingIngest, type StoredRating } from '../../services/ingest.ts'

declare module 'fastify' {
  interface FastifyInstance {
    ingest: RatingIngest
    /** Calls `listener` with every batch of newly stored ratings, after its commit (alert rules, for one). */
    onRatingsStored: (listener: RatingsStoredListener) => void
  }
}

export type RatingsStoredListener = (ratings: readonly StoredRating[]) => void | Promise<void>

function ratingEvent (rating: StoredRating): LiveRating {
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

export default fp(
  async (app) => {
    const listeners: RatingsStoredListener[] = []
    const ingest = new RatingIngest(
      app.db,
      app.config,
      {
        // The ratings' commit is all a request waits for; the rollup worker counts them just after (exactly once).
        afterCommit (created) {
          app.rollups.nudge()
          for (const rating of created) {
            app.metrics.ratingsStored.inc({ source: rating.source, category: rating.category })
            const event = ratingEvent(rating)
            const deliveries = [app.live.publish(rating.unitId, rating.officerId, { type: 'rating', rating: event })]
            if (rating.caseId !== null) {
              // A neutral rating with a follow-up answer opens a case too, but raises no unsatisfied alert.
              if (rating.category === 'unsatisfied') {
                deliveries.push(
                  app.live.publish(rating.unitId, rating.officerId, {
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
                )
              }
              deliveries.push(
                app.live.publish(rating.unitId, rating.officerId, {
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
              )
            }
            // The queue's call it carried is rated: every terminal at the counter (a tablet and a box) stops showing it.
            if (rating.ticket !== null) deliveries.push(app.live.refreshCounter(rating.counterId))
            Promise.all(deliveries).catch((error: unknown) => app.log.warn({ err: error }, 'live delivery failed'))
          }
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
    app.decorate('onRatingsStored', (listener: RatingsStoredListener) => {
      listeners.push(listener)
    })
    // Graceful shutdown: ratings already queued are committed and answered before the database closes.
    app.addHook('preClose', async () => {
      await ingest.drain()
    })
  },
  { name: 'ingest', dependencies: ['db', 'config', 'metrics', 'live', 'rollups'] }
)
