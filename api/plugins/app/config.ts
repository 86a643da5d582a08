// Decorates `app.config` with the configuration validated at boot.
import fp from 'fastify-plugin'
import type { Config } from '../../config.ts'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

export default fp<{ config: Config }>(async (app, options) => {
  app.decorate('config', options.config)
}, { name: 'config' })
