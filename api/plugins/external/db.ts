// Decorates `app.db` with the Kysely<Database> the server opened, and destroys it when the app closes.
import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/schema.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>
  }
}

export interface DbPluginOptions {
  db: Kysely<Database>
}

export default fp<DbPluginOptions>(async (app, options) => {
  app.decorate('db', options.db)
  app.addHook('onClose', async () => {
    await options.db.destroy()
  })
}, { name: 'db' })
