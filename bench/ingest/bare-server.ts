// The ceiling for the ingest benchmark: a bare Fastify POST route that parses the same body and answers 200.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/ping', async () => ({ ok: true }))
app.post('/ratings', async (request) => {
  const body = request.body as { ratings: Array<{ id: string }> }
  return { results: body.ratings.map((rating) => ({ id: rating.id, status: 'created' })) }
})
await app.listen({ port: Number(process.env.PORT ?? 3001), host: '127.0.0.1' })
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
