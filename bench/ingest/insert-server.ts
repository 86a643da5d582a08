// A second yardstick for the ingest benchmark: a plain Fastify POST that stores each request's ratings with one
// INSERT of its own (durable, idempotent by id), without group commit, officers, misuse, cases, live or rollups.
import Fastify from 'fastify'
import pg from 'pg'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
await pool.query('create table if not exists bench_inserts (id uuid primary key, body jsonb not null, received_at timestamptz not null default now())')

const app = Fastify({ logger: false })
app.get('/ping', async () => ({ ok: true }))
app.post('/ratings', async (request) => {
  const body = request.body as { ratings: Array<{ id: string }> }
  const results = []
  for (const rating of body.ratings) {
    const stored = await pool.query('insert into bench_inserts (id, body) values ($1, $2) on conflict do nothing', [rating.id, rating])
    results.push({ id: rating.id, status: stored.rowCount === 1 ? 'created' : 'duplicate' })
  }
  return { results }
})
await app.listen({ port: Number(process.env.PORT ?? 3002), host: '127.0.0.1' })
process.on('SIGTERM', () => { void app.close().then(() => pool.end()).then(() => process.exit(0)) })
