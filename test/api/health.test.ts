// The skeleton a monitor and a client see: health, readiness, metrics, OpenAPI, pages and the error shape.
import t from 'tap'
import { build } from '../helper.ts'

t.test('health, readiness and metrics', async (t) => {
  const app = await build(t)
  const health = await app.inject({ url: '/healthz' })
  t.equal(health.statusCode, 200)
  t.same(health.json(), { status: 'ok' })

  const ready = await app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ready' })

  const metrics = await app.inject({ url: '/metrics' })
  t.equal(metrics.statusCode, 200)
  t.match(metrics.headers['content-type'], /^text\/plain/)
  t.match(metrics.body, /# TYPE hailong_process_cpu_user_seconds_total counter/)
  // The readyz request above was timed under its route template.
  t.match(metrics.body, /hailong_http_request_duration_seconds_count\{method="GET",route="\/readyz",status="200"\} 1/)
})

t.test('metrics are for the local network, or for whoever holds METRICS_TOKEN', async (t) => {
  const open = await build(t)
  for (const address of ['127.0.0.1', '::1', '10.1.2.3', '172.20.0.5', '192.168.1.10', '::ffff:192.168.1.10', 'fd00::5']) {
    const local = await open.inject({ url: '/metrics', remoteAddress: address })
    t.equal(local.statusCode, 200, `${address} reads the metrics`)
  }
  for (const address of ['203.0.113.7', '172.32.0.1', '8.8.8.8', '2001:db8::1', '::ffff:203.0.113.7']) {
    const outside = await open.inject({ url: '/metrics', remoteAddress: address })
    t.equal(outside.statusCode, 403, `${address} is refused`)
    t.equal(outside.json().code, 'METRICS_PRIVATE')
    t.notMatch(outside.body, /hailong_/)
  }

  // Behind a trusted proxy the client's forwarded address counts, not the proxy's.
  const proxied = await build(t, { trustProxy: 1 })
  const forwarded = await proxied.inject({ url: '/metrics', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.7' } })
  t.equal(forwarded.statusCode, 403)

  const token = 'scrape-token-0123456789'
  const guarded = await build(t, { metricsToken: token })
  const none = await guarded.inject({ url: '/metrics', remoteAddress: '127.0.0.1' })
  t.equal(none.statusCode, 401, 'with a token set, even loopback must send it')
  t.equal(none.json().code, 'METRICS_TOKEN_REQUIRED')
  const wrong = await guarded.inject({
    url: '/metrics',
    remoteAddress: '203.0.113.7',
    headers: { authorization: 'Bearer scrape-token-0123456780' }
  })
  t.equal(wrong.statusCode, 401)
  const right = await guarded.inject({ url: '/metrics', remoteAddress: '203.0.113.7', headers: { authorization: `Bearer ${token}` } })
  t.equal(right.statusCode, 200)
  t.match(right.body, /# TYPE hailong_process_cpu_user_seconds_total counter/)
})

t.test('OpenAPI document and Swagger UI', async (t) => {
  const app = await build(t)
  const spec = await app.inject({ url: '/docs/json' })
  t.equal(spec.statusCode, 200)
  const document = spec.json()
  t.equal(document.openapi, '3.1.0')
  t.equal(document.info.title, 'Hài Lòng API')
  t.ok(document.paths['/readyz'], 'routes are documented from their schemas')
  const ui = await app.inject({ url: '/docs/' })
  t.equal(ui.statusCode, 200)
  t.match(ui.headers['content-type'], /text\/html/)
})

t.test('errors have one JSON shape with a stable code', async (t) => {
  const app = await build(t)
  const unknown = await app.inject({ url: '/api/v1/nothing-here' })
  t.equal(unknown.statusCode, 404)
  t.same(unknown.json(), {
    statusCode: 404,
    error: 'Not Found',
    message: 'Route GET /api/v1/nothing-here not found',
    code: 'ROUTE_NOT_FOUND'
  })

  const malformed = await app.inject({
    method: 'POST',
    url: '/healthz',
    headers: { 'content-type': 'application/json' },
    payload: '{"level": 4,'
  })
  t.equal(malformed.statusCode, 400)
  const body = malformed.json()
  t.equal(body.code, 'INVALID_JSON')
  t.equal(body.error, 'Bad Request')
  t.type(body.message, 'string')
  t.notMatch(malformed.body, /at .*\.ts:\d+/, 'no stack trace')

  const tooLarge = await app.inject({
    method: 'POST',
    url: '/healthz',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ pad: 'x'.repeat(300 * 1024) })
  })
  t.equal(tooLarge.statusCode, 413)
  t.equal(tooLarge.json().code, 'BODY_TOO_LARGE')
})

t.test('the built pages are served, and deep links fall back to them', async (t) => {
  const app = await build(t)
  const dashboard = await app.inject({ url: '/' })
  t.equal(dashboard.statusCode, 200)
  t.match(dashboard.body, /<html lang="vi">/)
  t.match(dashboard.body, /Bảng điều khiển/)

  const terminal = await app.inject({ url: '/terminal/' })
  t.equal(terminal.statusCode, 200)
  t.match(terminal.body, /Hài Lòng — Đánh giá/)

  const bare = await app.inject({ url: '/terminal' })
  t.equal(bare.statusCode, 302)
  t.equal(bare.headers.location, '/terminal/')

  const deepLink = await app.inject({ url: '/officers/123', headers: { accept: 'text/html' } })
  t.equal(deepLink.statusCode, 200)
  t.match(deepLink.body, /Bảng điều khiển/)

  const missingAsset = await app.inject({ url: '/assets/missing.js' })
  t.equal(missingAsset.statusCode, 404)
  t.equal(missingAsset.json().code, 'ROUTE_NOT_FOUND')
})

t.test('pages carry security headers and a same-origin CSP', async (t) => {
  const app = await build(t)
  const page = await app.inject({ url: '/terminal/' })
  const csp = String(page.headers['content-security-policy'])
  t.match(csp, /script-src 'self'/)
  t.match(csp, /frame-ancestors 'none'/)
  t.match(csp, /object-src 'none'/)
  t.equal(page.headers['x-content-type-options'], 'nosniff')
  t.equal(page.headers['x-frame-options'], 'SAMEORIGIN')
  t.notOk('x-powered-by' in page.headers)
})
