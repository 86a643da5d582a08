// Decorates `app.alerts`: the alert rules evaluated on every committed batch of ratings, with no screen open.
import fp from 'fastify-plugin'
import { AlertEvaluator, alertEvent } from '../../services/alerts.ts'

declare module 'fastify' {
  interface FastifyInstance {
    alerts: AlertEvaluator
  }
}

export default fp(async (app) => {
  const evaluator = new AlertEvaluator(app.db, {
    async fired (alert) {
      app.log.info({ alertId: alert.id, ruleId: alert.ruleId, unitId: alert.unitId, counterId: alert.counterId }, 'alert fired')
      await app.live.publish(alert.unitId, null, alertEvent(alert))
    },
    error (error) {
      app.log.error({ err: error }, 'alert rule evaluation failed')
    }
  })
  app.decorate('alerts', evaluator)
  app.onRatingsStored((ratings) => evaluator.handle(ratings))
  // Rule changes and acknowledgements made through any API process (services/change-feed.ts).
  app.changes.subscribe((change) => {
    if (change.kind === 'alert-rules') evaluator.rulesChanged()
    if (change.kind === 'alert-acknowledged') evaluator.acknowledged(change)
  })
  // The ingest drains on preClose; what its last batches started finishes before the database closes (onClose).
  app.addHook('onClose', async () => { await evaluator.settled() })
}, { name: 'alerts', dependencies: ['db', 'live', 'ingest'] })
