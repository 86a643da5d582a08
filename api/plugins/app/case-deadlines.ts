// Watches follow-up cases' due times: an open case past its due time raises an alert once, on whichever process sees it first;
// and erases call-back numbers their unit's retention after resolution (Decree 13/2023/NĐ-CP), once, whichever process does it.
import fp from 'fastify-plugin'
import { erasePhones, raiseOverdueAlerts } from '../../repositories/cases.ts'
import { findAlert, rowToAlert } from '../../repositories/alerts.ts'
import { alertEvent } from '../../services/alerts.ts'

/** How often open cases are checked against their due time. */
const SWEEP_MS = 30_000

export interface CaseDeadlines {
  /** Raises the alerts of cases that fell due since the last sweep (what the timer does); answers their ids. */
  sweep: () => Promise<string[]>
  /** Erases the call-back numbers past their retention (the timer does it with each sweep); answers the cases' ids. */
  erasePhones: () => Promise<string[]>
}

declare module 'fastify' {
  interface FastifyInstance {
    caseDeadlines: CaseDeadlines
  }
}

export default fp(async (app) => {
  let running: Promise<string[]> | null = null
  async function sweepOnce (): Promise<string[]> {
    const ids = await raiseOverdueAlerts(app.db)
    for (const id of ids) {
      const row = await findAlert(app.db, id)
      if (row === undefined) continue
      const alert = rowToAlert(row)
      app.log.info({ alertId: alert.id, caseId: alert.details.caseId, unitId: alert.unitId }, 'case overdue')
      await app.live.publish(alert.unitId, null, alertEvent(alert))
        .catch((error: unknown) => app.log.warn({ err: error }, 'overdue alert event failed'))
    }
    return ids
  }
  const sweep = (): Promise<string[]> => {
    running ??= sweepOnce().finally(() => { running = null })
    return running
  }
  let erasing: Promise<string[]> | null = null
  const erase = (): Promise<string[]> => {
    erasing ??= erasePhones(app.db).then((ids) => {
      // Ids only: the number never reaches a log line.
      if (ids.length > 0) app.log.info({ cases: ids.length }, 'call-back numbers erased')
      return ids
    }).finally(() => { erasing = null })
    return erasing
  }
  app.decorate('caseDeadlines', { sweep, erasePhones: erase })
  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      sweep().catch((error: unknown) => app.log.error({ err: error }, 'case deadline sweep failed'))
      erase().catch((error: unknown) => app.log.error({ err: error }, 'call-back number erasure failed'))
    }, SWEEP_MS)
    timer.unref()
  })
  app.addHook('preClose', async () => {
    clearInterval(timer)
    await Promise.all([running?.catch(() => {}), erasing?.catch(() => {})])
  })
}, { name: 'case-deadlines', dependencies: ['db', 'live'] })
