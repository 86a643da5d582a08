// The live sockets (issue 13 §1): a socket lives only as long as its session, access or terminal; the upgrade
// obeys the Origin rule; an over-size frame is a warning; sockets are capped; the ancestry cache follows the tree.
import t from 'tap'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import pino from 'pino'
import WebSocket from 'ws'
import { buildApp } from '../../api/app.ts'
import type { Config } from '../../api/config.ts'
import { build, migratedDatabase, testConfig } from '../helper.ts'
import { rateOnTerminal, seedCentre, seedUser, signIn, type SeededCentre } from '../fixtures.ts'

interface Live {
  socket: WebSocket
  messages: Array<{ type: string; rating?: { id: string } }>
  /** Resolves with the close code and when it came. */
  closed: Promise<{ code: number; at: number }>
}

async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `127.0.0.1:${(app.server.address() as { port: number }).port}`
}

/** Opens a socket; resolves once it is open and the first message (hello or state) has come, or rejects with the HTTP status. */
function openLive (
  host: string,
  path: string,
  options: { cookie?: Record<string, string>; origin?: string; protocols?: string[] } = {}
): Promise<Live> {
  const headers: Record<string, string> = {}
  if (options.cookie !== undefined) {
    headers.cookie = Object.entries(options.cookie)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ')
  }
  if (options.origin !== undefined) headers.origin = options.origin
  const socket = new WebSocket(`ws://${host}${path}`, options.protocols ?? [], { headers })
  const messages: Live['messages'] = []
  const closed = new Promise<{ code: number; at: number }>((resolve) => socket.on('close', (code) => resolve({ code, at: Date.now() })))
  return new Promise((resolve, reject) => {
    socket.on('unexpected-response', (_request, response) =>
      reject(Object.assign(new Error(`HTTP ${response.statusCode}`), { status: response.statusCode }))
    )
    socket.on('error', reject)
    socket.on('message', (data) => {
      const parsed = JSON.parse(String(data))
      for (const message of Array.isArray(parsed) ? parsed : [parsed]) messages.push(message)
      if (messages.length === 1) resolve({ socket, messages, closed })
    })
    closed.then(
      ({ code }) => reject(Object.assign(new Error(`closed ${code}`), { code })),
      () => {}
    )
  })
}

/** A rating from the centre's terminal; answers its id once stored (and published). */
async function unsatisfied (app: FastifyInstance, centre: SeededCentre): Promise<string> {
  const [id] = await rateOnTerminal(app, centre.terminal.token, [{ level: 1 }])
  return id!
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const ratingIds = (live: Live) => live.messages.filter((message) => message.type === 'rating').map((message) => message.rating!.id)

/** The close, or code 0 when the socket is still open after `ms` (so a failing run does not hang). */
const closedWithin = (live: Live, ms: number) =>
  Promise.race([live.closed, wait(ms).then(() => ({ code: 0, at: Number.POSITIVE_INFINITY }))])

/** Waits until `predicate` holds (up to 5 s under a loaded machine). */
async function eventually (predicate: () => boolean): Promise<boolean> {
  const started = Date.now()
  while (!predicate()) {
    if (Date.now() - started > 5000) return false
    await wait(20)
  }
  return true
}

t.test(
  "a supervisor's socket closes within 1 s of deactivation, logout, password change, session expiry and a change of unit, and gets nothing after",
  async (t) => {
    const app = await build(t)
    const host = await listen(app)
    const centre = await seedCentre(app.db)
    const other = await seedCentre(app.db)
    const admin = await signIn(app, await seedUser(app.db, 'admin', null))

    const cases: Array<{
      name: string
      code: number
      prepare?: (user: { id: string }) => Promise<void>
      end: (user: { id: string }, cookie: Record<string, string>) => Promise<void>
    }> = [
      {
        name: 'deactivated',
        code: 4401,
        end: async (user) => {
          await app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}`, cookies: admin, payload: { active: false } })
        }
      },
      {
        name: 'logged out',
        code: 4401,
        end: async (_user, cookie) => {
          await app.inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: cookie })
        }
      },
      {
        name: 'password changed',
        code: 4401,
        end: async (user) => {
          await app.inject({
            method: 'PATCH',
            url: `/api/v1/users/${user.id}`,
            cookies: admin,
            payload: { password: 'a new long password 2026' }
          })
        }
      },
      {
        // A session that reaches its expiry (sliding or absolute) while its socket is open.
        name: 'session expired',
        code: 4401,
        prepare: async (user) => {
          await app.db
            .updateTable('sessions')
            .set({ expires_at: new Date(Date.now() + 2000) })
            .where('user_id', '=', user.id)
            .execute()
        },
        end: async (user) => {
          const { expires_at: expiresAt } = await app.db
            .selectFrom('sessions')
            .select('expires_at')
            .where('user_id', '=', user.id)
            .executeTakeFirstOrThrow()
          await wait(expiresAt.getTime() - Date.now())
        }
      },
      {
        name: 'moved to another unit',
        code: 4409,
        end: async (user) => {
          await app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}`, cookies: admin, payload: { unitId: other.centreId } })
        }
      }
    ]
    for (const { name, code, prepare, end } of cases) {
      const user = await seedUser(app.db, 'supervisor', centre.provinceId)
      const cookie = await signIn(app, user)
      await prepare?.(user)
      const live = await openLive(host, '/api/v1/live', { cookie })
      t.teardown(() => live.socket.close())
      const before = await unsatisfied(app, centre)
      t.ok(await eventually(() => ratingIds(live).includes(before)), `${name}: events arrive while the session holds`)
      await end(user, cookie)
      const ended = Date.now()
      const after = await unsatisfied(app, centre)
      const { code: closeCode, at } = await closedWithin(live, 3000)
      t.equal(closeCode, code, `${name}: closed with ${code}`)
      t.ok(at - ended < 1000, `${name}: within 1 s (${at - ended} ms)`)
      t.notOk(ratingIds(live).includes(after), `${name}: the rating after it was not delivered`)
    }
  }
)

t.test(
  "a terminal's socket closes within 1 s when it is revoked, also when another process revoked it (straight in the database)",
  async (t) => {
    const app = await build(t)
    const host = await listen(app)
    const centre = await seedCentre(app.db)
    const live = await openLive(host, '/api/v1/terminal/live', {
      protocols: ['hailong.terminal.v1', `hailong.token.${centre.terminal.token}`]
    })
    t.equal(live.socket.protocol, 'hailong.terminal.v1', 'the server answers with the protocol name, never the token')
    t.equal(live.messages[0]!.type, 'state')
    await app.db.updateTable('terminals').set({ revoked_at: new Date() }).where('id', '=', centre.terminal.id).execute()
    const revoked = Date.now()
    t.teardown(() => live.socket.close())
    const { code, at } = await closedWithin(live, 3000)
    t.equal(code, 4401)
    t.ok(at - revoked < 1000, `closed ${at - revoked} ms after the revocation`)
  }
)

t.test(
  'the upgrade obeys the Origin rule of cookie writes: another port of the same host is refused, our own origin and TRUSTED_ORIGINS are not',
  async (t) => {
    const app = await build(t, { trustedOrigins: ['https://hailong.tinh.gov.vn'] })
    const host = await listen(app)
    const centre = await seedCentre(app.db)
    const cookie = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
    const port = Number(host.split(':')[1])
    for (const origin of [`http://127.0.0.1:${port + 1}`, `http://localhost:${port}`, 'null', 'https://hailong.tinh.gov.vn.evil.example']) {
      const refused = await openLive(host, '/api/v1/live', { cookie, origin }).then(
        () => 0,
        (error: { status?: number }) => error.status
      )
      t.equal(refused, 403, `Origin ${origin}: 403 at the handshake`)
      const terminal = await openLive(host, '/api/v1/terminal/live', {
        origin,
        protocols: ['hailong.terminal.v1', `hailong.token.${centre.terminal.token}`]
      }).then(
        () => 0,
        (error: { status?: number }) => error.status
      )
      t.equal(terminal, 403, `Origin ${origin}: the terminal socket too`)
    }
    for (const origin of [`http://${host}`, 'https://hailong.tinh.gov.vn', undefined]) {
      const live = await openLive(host, '/api/v1/live', { cookie, origin })
      t.equal(live.messages[0]!.type, 'hello', `Origin ${origin ?? '(none: not a browser)'}: open`)
      live.socket.close()
    }
  }
)

t.test('sockets are capped: 5 per session, and LIVE_SOCKETS_PER_ADDRESS per client address', async (t) => {
  const app = await build(t, { liveSocketsPerAddress: 7 })
  const host = await listen(app)
  const centre = await seedCentre(app.db)
  const user = await seedUser(app.db, 'supervisor', centre.centreId)
  const first = await signIn(app, user)
  const open: Live[] = []
  t.teardown(() => {
    for (const live of open) live.socket.close()
  })
  for (let i = 0; i < 5; i++) open.push(await openLive(host, '/api/v1/live', { cookie: first }))
  const sixth = await openLive(host, '/api/v1/live', { cookie: first }).then(
    () => 0,
    (error: { code?: number }) => error.code
  )
  t.equal(sixth, 4429, 'the sixth socket of one session is closed with 4429')
  const second = await signIn(app, user)
  open.push(await openLive(host, '/api/v1/live', { cookie: second }), await openLive(host, '/api/v1/live', { cookie: second }))
  const eighth = await openLive(host, '/api/v1/live', { cookie: second }).then(
    () => 0,
    (error: { code?: number }) => error.code
  )
  t.equal(eighth, 4429, 'the eighth socket from one address is closed, whatever the session')
  open.shift()!.socket.close()
  await wait(100)
  open.push(await openLive(host, '/api/v1/live', { cookie: second }))
  t.pass('a closed socket frees its place')
})

t.test('an over-size frame closes the socket with a warning in the log, not an error with a stack', async (t) => {
  const lines: Array<{ level: number; msg?: string; err?: { stack?: string } }> = []
  const stream = new Writable({
    write (chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push(JSON.parse(line))
      done()
    }
  })
  const { db, drop } = await migratedDatabase()
  const config: Config = testConfig()
  const app = await buildApp({ config, db }, pino({ level: 'info' }, stream))
  t.teardown(async () => {
    await app.close()
    await drop()
  })
  const host = await listen(app)
  const centre = await seedCentre(app.db)
  const cookie = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const live = await openLive(host, '/api/v1/live', { cookie })
  live.socket.send('x'.repeat(65 * 1024))
  const { code } = await closedWithin(live, 3000)
  t.ok(code === 1009 || code === 1006, `closed (${code})`)
  await wait(100)
  t.same(
    lines.filter((line) => line.level >= 50),
    [],
    'no error-level line'
  )
  const warning = lines.find((line) => line.level === 40 && /live socket/.test(line.msg ?? ''))
  t.ok(warning, 'one warning says what happened')
  t.notOk(warning?.err?.stack, 'without a stack')
})

t.test(
  "the ancestry cache follows the tree: a moved centre's events stop at once, and a change delivered from elsewhere clears it",
  async (t) => {
    const app = await build(t)
    const host = await listen(app)
    const centre = await seedCentre(app.db)
    const elsewhere = await seedCentre(app.db)
    // Stays in the supervisor's province: its ratings mark that everything published before them has been delivered.
    const stay = await seedCentre(app.db, { parentId: centre.provinceId })
    const delivered = async (): Promise<boolean> => {
      const marker = await unsatisfied(app, stay)
      return eventually(() => ratingIds(live).includes(marker))
    }
    const admin = await signIn(app, await seedUser(app.db, 'admin', null))
    const cookie = await signIn(app, await seedUser(app.db, 'supervisor', centre.provinceId))
    const live = await openLive(host, '/api/v1/live', { cookie })
    t.teardown(() => live.socket.close())
    const cached = await unsatisfied(app, centre)
    t.ok(await eventually(() => ratingIds(live).includes(cached)), "the centre's rating arrives (and its ancestry is cached)")

    // Moved by the API in this process: the route announces it.
    const moved = await app.inject({
      method: 'PATCH',
      url: `/api/v1/units/${centre.communeId}`,
      cookies: admin,
      payload: { parentId: elsewhere.provinceId }
    })
    t.equal(moved.statusCode, 200)
    const afterMove = await unsatisfied(app, centre)
    t.ok(await delivered(), 'a later rating of the province arrives')
    t.notOk(ratingIds(live).includes(afterMove), 'after the move the supervisor who lost the centre gets nothing of it')

    // Moved back by another process (straight in the database): the cache is stale until the change is delivered,
    // as a LISTEN/NOTIFY handler will deliver it.
    await app.db.updateTable('units').set({ parent_id: centre.provinceId }).where('id', '=', centre.communeId).execute()
    app.changes.deliver({ kind: 'units' })
    const afterDelivery = await unsatisfied(app, centre)
    t.ok(await eventually(() => ratingIds(live).includes(afterDelivery)), "after the delivered change the centre is the supervisor's again")
    await app.db.updateTable('units').set({ parent_id: elsewhere.provinceId }).where('id', '=', centre.communeId).execute()
    app.changes.deliver({ kind: 'units' })
    const gone = await unsatisfied(app, centre)
    t.ok(await delivered(), 'a later rating of the province arrives')
    t.notOk(ratingIds(live).includes(gone), 'and moved away again: nothing')
  }
)
