// Every dashboard load asks for /favicon.ico: it answers the app's icon, not a 404.
import t from 'tap'
import { build } from '../helper.ts'

t.test('/favicon.ico is the app\'s icon', async (t) => {
  const app = await build(t)
  const response = await app.inject({ method: 'GET', url: '/favicon.ico' })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'image/png')
  t.same([...response.rawPayload.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG image')
  t.ok(response.rawPayload.length > 500, `${response.rawPayload.length} bytes`)
})
