// No secret in a log line (issue 13 §3): a day of terminal and dashboard traffic, socket included, logged at
// trace level and searched for every token, password, session, PIN and pairing code it carried.
import t from 'tap'
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import pino from 'pino'
import WebSocket from 'ws'
import { buildApp } from '../../api/app.ts'
import { redactingLogger, redactUrl } from '../../api/logging.ts'
import { migratedDatabase, testConfig } from '../helper.ts'
import { seedCentre, seedUser } from '../fixtures.ts'

t.test('terminal routes, the terminal socket, sign-in and API tokens leave no secret in the log', async (t) => {
  let log = ''
  const stream = new Writable({
    write (chunk, _encoding, done) {
      log += String(chunk)
      done()
    }
  })
  const { db, drop } = await migratedDatabase()
  const app = await buildApp({ config: testConfig(), db }, pino({ level: 'trace' }, stream))
  t.teardown(async () => {
    await app.close()
    await drop()
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `127.0.0.1:${(app.server.address() as { port: number }).port}`
  const centre = await seedCentre(app.db)
  const officer = centre.officers[0]!
  const admin = await seedUser(app.db, 'admin', null, { password: 'mat-khau-quan-tri-2026' })
  const secrets: Record<string, string> = {
    'seeded terminal token': centre.terminal.token,
    'admin password': admin.password,
    'officer PIN': officer.pin
  }

  const login = await fetch(`http://${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: admin.username, password: admin.password })
  })
  t.equal(login.status, 200)
  const session = /hl_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1]!
  secrets['session cookie'] = session
  const cookie = { cookie: `hl_session=${session}`, 'content-type': 'application/json' }

  const created = (await (
    await fetch(`http://${base}/api/v1/terminals`, {
      method: 'POST',
      headers: cookie,
      body: JSON.stringify({ counterId: centre.counterIds[1], kind: 'touch' })
    })
  ).json()) as { pairingCode: string }
  secrets['pairing code'] = created.pairingCode
  const paired = (await (
    await fetch(`http://${base}/api/v1/terminals/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pairingCode: created.pairingCode })
    })
  ).json()) as { token: string }
  secrets['paired terminal token'] = paired.token
  const apiToken = (await (
    await fetch(`http://${base}/api/v1/api-tokens`, {
      method: 'POST',
      headers: cookie,
      body: JSON.stringify({ name: 'Cổng dữ liệu', unitId: centre.provinceId })
    })
  ).json()) as { token: string }
  secrets['API token'] = apiToken.token

  const bearer = { authorization: `Bearer ${centre.terminal.token}`, 'content-type': 'application/json' }
  t.equal((await fetch(`http://${base}/api/v1/terminal/state`, { headers: bearer })).status, 200)
  t.equal(
    (
      await fetch(`http://${base}/api/v1/terminal/officer`, {
        method: 'PUT',
        headers: bearer,
        body: JSON.stringify({ staffCode: officer.staffCode, pin: '9999' })
      })
    ).status,
    401
  )
  t.equal(
    (
      await fetch(`http://${base}/api/v1/terminal/officer`, {
        method: 'PUT',
        headers: bearer,
        body: JSON.stringify({ staffCode: officer.staffCode, pin: officer.pin })
      })
    ).status,
    200
  )
  t.equal(
    (
      await fetch(`http://${base}/api/v1/terminal/ratings`, {
        method: 'POST',
        headers: bearer,
        body: JSON.stringify({ ratings: [{ id: randomUUID(), level: 4, ratedAt: new Date().toISOString() }] })
      })
    ).status,
    200
  )
  t.equal((await fetch(`http://${base}/api/v1/stats/summary`, { headers: { authorization: `Bearer ${apiToken.token}` } })).status, 200)
  // Old clients still put the token in the URL: refused, and the URL is logged without it.
  t.equal((await fetch(`http://${base}/api/v1/terminal/state?token=${paired.token}`)).status, 401)
  t.equal((await fetch(`http://${base}/api/v1/terminal/live?token=${paired.token}&access_token=${paired.token}`)).status, 401)

  // The terminal's socket, as the terminal app opens it.
  const socket = new WebSocket(`ws://${base}/api/v1/terminal/live`, ['hailong.terminal.v1', `hailong.token.${paired.token}`])
  const first = await new Promise<{ type: string }>((resolve, reject) => {
    socket.once('message', (data) => resolve(JSON.parse(String(data))))
    socket.once('error', reject)
  })
  t.equal(first.type, 'state', 'the socket opens with the token as a subprotocol')
  socket.close()
  await fetch(`http://${base}/api/v1/auth/logout`, { method: 'POST', headers: { cookie: `hl_session=${session}` } })
  await new Promise((resolve) => setTimeout(resolve, 200))

  t.ok(log.split('\n').length > 20, `the run was logged (${log.split('\n').length} lines)`)
  t.match(log, /terminal\/state\?token=\[REDACTED\]/, 'the URL with a token is logged, its value redacted')
  for (const [what, secret] of Object.entries(secrets)) {
    // Digits-only secrets (PIN, pairing code) must not be read inside a longer number such as a timestamp.
    const pattern = /^\d+$/.test(secret)
      ? new RegExp(`(?<![\\d])${secret}(?![\\d])`)
      : new RegExp(secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    t.notMatch(log, pattern, `no ${what} in the log`)
  }
  t.notMatch(log, /hl[tas]_[A-Za-z0-9_-]{20,}/, 'no bearer token of any kind')
  t.notMatch(log, /"(authorization|cookie|set-cookie)"\s*:\s*"[^[]/i, 'no credential header')
})

t.test('redactUrl blanks the value of every credential-like query parameter and keeps the rest', async (t) => {
  t.equal(redactUrl('/api/v1/terminal/live?token=hlt_abc'), '/api/v1/terminal/live?token=[REDACTED]')
  t.equal(
    redactUrl('/api/v1/ratings?unitId=42&from=2026-01-01&access_token=x&PIN=1234&pairingCode=1&apiKey=k&session=s&password=p'),
    '/api/v1/ratings?unitId=42&from=2026-01-01&access_token=[REDACTED]&PIN=[REDACTED]&pairingCode=[REDACTED]&apiKey=[REDACTED]&session=[REDACTED]&password=[REDACTED]'
  )
  t.equal(redactUrl('/api/v1/units'), '/api/v1/units')
  t.equal(redactUrl('/x?%74oken=secret'), '/x?%74oken=[REDACTED]', 'an encoded name is read decoded')
})

t.test('credentials a caller logs by hand are blanked too', async (t) => {
  let out = ''
  const log = redactingLogger(
    pino(
      { level: 'info' },
      new Writable({
        write (chunk, _encoding, done) {
          out += String(chunk)
          done()
        }
      })
    ) as never
  )
  log.info(
    {
      headers: {
        authorization: 'Bearer hlt_secret1',
        cookie: 'hl_session=hls_secret2',
        'sec-websocket-protocol': 'hailong.token.hlt_secret3'
      },
      body: { pin: '4821', password: 'secret4', pairingCode: '12345678' }
    },
    'by hand'
  )
  t.match(out, /by hand/)
  t.notMatch(out, /secret\d|4821|12345678/, 'no value survives')
  t.equal((out.match(/\[REDACTED\]/g) ?? []).length, 6)
})
