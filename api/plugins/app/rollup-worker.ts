// Decorates `app.rollups`, the catch-up worker adding committed ratings to the rollups (analytics/rollup-worker.ts), and starts it.
import fp from 'fastify-plugin'
import { RollupWorker } from '../../../analytics/rollup-worker.ts'

declare module 'fastify' {
  interface FastifyInstance {
    rollups: RollupWorker
  }
}

export default fp(async (app) => {
  const worker = new RollupWorker(app.db, {
    onError: (error) => app.log.error({ err: error }, 'rollup worker run failed; retrying on the next tick')
  })
  app.decorate('rollups', worker)
  app.addHook('onReady', async () => { worker.start() })
  // The run in progress finishes; ratings still pending (figures count them meanwhile) wait for the next start.
  app.addHook('preClose', async () => { await worker.stop() })
}, { name: 'rollups', dependencies: ['db'] })
