// Prometheus metrics (prom-client): one registry per app, process metrics, and request durations by route.
import fp from 'fastify-plugin'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export interface AppMetrics {
  registry: Registry
  httpDuration: Histogram<'method' | 'route' | 'status'>
  ratingsStored: Counter<'source' | 'category'>
  ratingsDuplicate: Counter
  ratingsRejected: Counter<'code'>
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: AppMetrics
  }
}

export default fp(
  async (app) => {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry, prefix: 'hailong_' })
    const metrics: AppMetrics = {
      registry,
      httpDuration: new Histogram({
        name: 'hailong_http_request_duration_seconds',
        help: 'HTTP request durations by route template and status',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [registry]
      }),
      ratingsStored: new Counter({
        name: 'hailong_ratings_stored_total',
        help: 'Ratings stored',
        labelNames: ['source', 'category'],
        registers: [registry]
      }),
      ratingsDuplicate: new Counter({
        name: 'hailong_ratings_duplicate_total',
        help: 'Replayed ratings answered as duplicate',
        registers: [registry]
      }),
      ratingsRejected: new Counter({
        name: 'hailong_ratings_rejected_total',
        help: 'Rating items rejected, by error code',
        labelNames: ['code'],
        registers: [registry]
      })
    }
    app.decorate('metrics', metrics)
    app.addHook('onResponse', async (request, reply) => {
      // The route template, never the raw URL, keeps label cardinality bounded.
      const route = request.routeOptions.url ?? 'unknown'
      metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000)
    })
  },
  { name: 'metrics' }
)
