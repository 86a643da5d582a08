// A streaming replica (DATABASE_READ_URL): figures, exports and lists answer from it, equal to the primary's once replayed
// and as of its replay point while replay is paused; a change read back right after it answers from the primary.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../api/app.ts'
import { Kysely, type DatabaseConnection } from 'kysely'
import { PGlite } from '@electric-sql/pglite'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { openDatabase, postgresDialect } from '../../db/database.ts'
import type { Database } from '../../db/schema.ts'
import { migratedDatabase, serverUrl, testConfig } from '../helper.ts'
import { rateOnTerminal, seedAssignment, seedCentre, seedUser, signIn } from '../fixtures.ts'
import { pauseReplay, replicaDatabase, replicaServerUrl, resumeReplay, sameDatabaseOn, waitForReplay, withDriver } from '../replica.ts'

if (serverUrl === null) {
  t.comment('a replica needs a PostgreSQL server (DATABASE_URL and DATABASE_READ_URL): .ci/run runs those tests with one')
}
t.test('without DATABASE_READ_URL every read goes to the one database', async (t) => {
  const { db, drop } = await migratedDatabase()
  const app = await buildApp({ config: testConfig(), db })
  t.teardown(async () => {
    await app.close()
    await drop()
  })
  t.equal(app.readDb, app.db, 'the reader is the primary')
  const centre = await seedCentre(db)
  const cookies = await signIn(app, await seedUser(db, 'supervisor', centre.centreId))
  await rateOnTerminal(app, centre.terminal.token, [{ level: 1, secondsAgo: 60 }])
  const cases = await app.inject({ url: `/api/v1/cases?unitId=${centre.centreId}`, cookies })
  t.equal(cases.json().items.length, 1, 'a list reads the write at once')
})

t.test('closing the server waits for a replica probe under way: no query runs on a closed database', async (t) => {
  const { db, url, drop } = await migratedDatabase()
  // The reader only answers the probe's `select 1`: an empty PGlite, or a second pool on the test's database. Its
  // connections wait while `held` is set, so the probe (every 2 s) is caught in flight.
  const pglite = url === null ? await PGlite.create() : null
  const inner = pglite === null ? postgresDialect(url!, 2) : new PGliteDialect(pglite)
  const events: string[] = []
  let held: Promise<void> | null = null
  let release = (): void => {}
  let probeWaiting = (): void => {}
  const probeCaught = new Promise<void>((resolve) => { probeWaiting = resolve })
  const dialect = withDriver(inner, (driver) => {
    const acquire = driver.acquireConnection.bind(driver)
    const destroy = driver.destroy.bind(driver)
    driver.acquireConnection = async (): Promise<DatabaseConnection> => {
      if (held !== null) {
        events.push('probe waits')
        probeWaiting()
        await held
      }
      const connection = await acquire()
      events.push('probe connected')
      return connection
    }
    driver.destroy = async () => {
      events.push('reader closed')
      await destroy()
    }
  })
  const readDb = new Kysely<Database>({ dialect })
  const app = await buildApp({ config: testConfig(), db, readDb })
  t.teardown(async () => {
    release()
    await app.close()
    if (pglite !== null && !pglite.closed) await pglite.close()
    await drop()
  })
  held = new Promise<void>((resolve) => { release = resolve })
  await probeCaught
  let closed = false
  const closing = app.close().then(() => { closed = true })
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.notOk(closed, 'the server is not closed while its probe waits for a connection')
  t.notOk(events.includes('reader closed'), 'nor is the reader')
  release()
  await closing
  t.same(events.slice(events.indexOf('probe waits')), ['probe waits', 'probe connected', 'reader closed'],
    'the probe ends, then the reader closes')
})

if (serverUrl !== null) {
  t.test('a replica that does not answer: figures and lists read the primary, not a 5xx', async (t) => {
    const { db, drop } = await migratedDatabase()
    // Nothing listens on this port: the replica is down from the start (as if it stopped after the server started).
    const readDb = new Kysely<Database>({ dialect: postgresDialect(`postgres://postgres@127.0.0.1:${await freePort()}/gone`, 2) })
    const app = await buildApp({ config: testConfig(), db, readDb })
    t.teardown(async () => {
      await app.close()
      await drop()
    })
    const centre = await seedCentre(db)
    const cookies = await signIn(app, await seedUser(db, 'supervisor', centre.centreId))
    await rateOnTerminal(app, centre.terminal.token, [4, 1, 3].map((level, index) => ({ level, secondsAgo: (3 - index) * 70 })))
    const summary = await app.inject({ url: `/api/v1/stats/summary?unitId=${centre.centreId}`, cookies })
    t.equal(summary.statusCode, 200)
    t.equal(summary.json().total, 3, 'the figures, from the primary')
    const cases = await app.inject({ url: `/api/v1/cases?unitId=${centre.centreId}`, cookies })
    t.equal(cases.statusCode, 200)
    t.equal(cases.json().items.length, 1, 'the unsatisfied rating\'s case, from the primary')
    const csv = await app.inject({ url: `/api/v1/stats/officers?unitId=${centre.centreId}&format=csv`, cookies })
    t.equal(csv.statusCode, 200)
    const metrics = await app.inject({ url: '/metrics' })
    t.match(metrics.body, /^hailong_read_replica_up 0$/m, 'the metrics say the replica is down')
  })
}

if (replicaServerUrl !== null) {
  // One parent test holds the set-up: tap ends a file's root test once its queued tests are done, which could be
  // while top-level set-up was still awaiting (its teardown then closed the app under it).
  const replicaServer = replicaServerUrl
  t.test('on a streaming replica (DATABASE_READ_URL)', async (t) => {
    const { db, url, drop } = await migratedDatabase()
    const primaryUrl = url!
    const replicaUrl = sameDatabaseOn(replicaServer, primaryUrl)
    const replicaDb = await replicaDatabase(primaryUrl, replicaServer)
    // `app` reads figures and lists from the replica; `primaryApp` (same database) reads everything from the primary.
    const app = await buildApp({ config: testConfig(), db, readDb: replicaDb })
    const primaryDb = await openDatabase({ databaseUrl: primaryUrl, dataDir: null, poolSize: 5 })
    const primaryApp = await buildApp({ config: testConfig(), db: primaryDb })
    t.teardown(async () => {
      // Never leave the shared replica paused, whatever failed.
      const control = await openDatabase({ databaseUrl: replicaUrl, dataDir: null, poolSize: 1 })
      await resumeReplay(control).catch(() => {})
      await control.destroy()
      await app.close()
      await primaryApp.close()
      await drop()
    })

    const centre = await seedCentre(db, { counters: 2, officers: 2 })
    await seedAssignment(db, centre.counterIds[0]!, centre.officers[0]!.id)
    const supervisor = await signIn(app, await seedUser(db, 'supervisor', centre.centreId))
    // A second supervisor of the centre, who changes nothing: their reads show the replica's replay point.
    const colleague = await signIn(app, await seedUser(db, 'supervisor', centre.centreId))

    let secondsAgo = 4000
    /** Presses on the centre's terminal, 70 s apart (no cooldown, no burst), through the ingest of `app`. */
    async function press (levels: number[]): Promise<void> {
      await rateOnTerminal(app, centre.terminal.token, levels.map((level) => ({
        level,
        criteria: { xin_chao: level > 2, luon_lang_nghe: level !== 1 },
        secondsAgo: (secondsAgo -= 70)
      })))
    }

    const unit = `unitId=${centre.centreId}`
    const figureUrls = [
      `/api/v1/stats/summary?${unit}`,
      `/api/v1/stats/officers?${unit}`,
      `/api/v1/stats/counters?${unit}`,
      `/api/v1/stats/units?${unit}`,
      `/api/v1/stats/timeseries?${unit}&interval=day`,
      `/api/v1/stats/timeseries?${unit}&interval=hour&from=${new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)}`,
      `/api/v1/stats/heatmap?${unit}`,
      `/api/v1/stats/officers?${unit}&format=csv`,
      `/api/v1/stats/counters?${unit}&format=csv&lang=en`
    ]
    const listUrls = [
      `/api/v1/ratings?${unit}`,
      `/api/v1/cases?unitId=${centre.centreId}`,
      `/api/v1/officers?unitId=${centre.centreId}`,
      `/api/v1/counters?unitId=${centre.centreId}`
    ]

    async function get (instance: FastifyInstance, path: string, cookies: Record<string, string> = supervisor) {
      const response = await instance.inject({ url: path, cookies })
      // A case's age counts seconds up to the answer: two answers a second apart differ there and nowhere else.
      const body = response.body.replace(/"ageSeconds":\d+/g, '"ageSeconds":0')
      return { status: response.statusCode, body, type: String(response.headers['content-type']) }
    }

    const total = async (instance: FastifyInstance, cookies = supervisor): Promise<number> =>
      JSON.parse((await get(instance, `/api/v1/stats/summary?${unit}`, cookies)).body).total

    async function caseList (cookies: Record<string, string>): Promise<Array<{ id: string, status: string }>> {
      return JSON.parse((await get(app, `/api/v1/cases?unitId=${centre.centreId}`, cookies)).body).items
    }

    t.test('figures, exports and lists from the replica equal the primary\'s once it has replayed', async (t) => {
      await press([4, 3, 1, 2, 4, 1, 3, 4])
      await waitForReplay(primaryUrl, replicaUrl)
      for (const path of [...figureUrls, ...listUrls]) {
        const [fromReplica, fromPrimary] = [await get(app, path), await get(primaryApp, path)]
        t.equal(fromReplica.status, 200, `${path}: 200 from the replica`)
        t.equal(fromReplica.type, fromPrimary.type, `${path}: same type`)
        t.equal(fromReplica.body, fromPrimary.body, `${path}: same answer`)
      }
      t.equal(await total(app), 8, 'the eight ratings counted')
      t.match((await app.inject({ url: '/metrics' })).body, /^hailong_read_replica_up 1$/m, 'the metrics say the replica answers')
      t.notMatch((await primaryApp.inject({ url: '/metrics' })).body, /hailong_read_replica_up/, 'no replica, no such metric')
      const report = await app.inject({ url: `/api/v1/reports/monthly?${unit}`, cookies: supervisor })
      t.equal(report.statusCode, 200, 'the monthly report is made from the replica')
      t.equal(report.rawPayload.subarray(0, 5).toString(), '%PDF-')
    })

    t.test('replay paused: figures stay at the replay point; a supervisor reads their own resolution from the primary', async (t) => {
      await waitForReplay(primaryUrl, replicaUrl)
      const before = await total(app)
      const cases = await caseList(supervisor)
      t.ok(cases.length >= 2, 'open cases to resolve')
      const caseId = cases.find((item) => item.status === 'open')!.id

      await pauseReplay(replicaDb)
      await press([1, 4, 4])
      const resolve = await app.inject({
        method: 'PATCH',
        url: `/api/v1/cases/${caseId}`,
        cookies: supervisor,
        payload: { status: 'resolved', note: 'Đã gọi điện xin lỗi công dân' }
      })
      t.equal(resolve.statusCode, 200)
      const written = resolve.cookies.find((cookie) => cookie.name === 'hl_written')
      t.ok(written !== undefined, 'the change leaves its WAL position with the client')
      const mine = { ...supervisor, hl_written: written!.value }

      // Read back at once, by the supervisor who resolved it: the case, and the list they reload.
      const one = JSON.parse((await get(app, `/api/v1/cases/${caseId}`, mine)).body)
      t.equal(one.status, 'resolved', 'the case itself reads the primary')
      const myList = await caseList(mine)
      t.equal(myList.find((item) => item.id === caseId)?.status, 'resolved', 'the list they reload shows their resolution')
      t.equal(await total(app, mine), before + 3, 'their figures too, from the primary, until the replica has replayed their change')

      // Another supervisor (no change of their own) reads the replica: as of its replay point, exactly.
      const theirList = await caseList(colleague)
      t.equal(theirList.find((item) => item.id === caseId)?.status, 'open', 'the colleague\'s list is the replica\'s: not resolved yet')
      t.equal(await total(app, colleague), before, 'the replica\'s figures: the ratings replayed so far, none of the three new')
      t.equal(await total(primaryApp, colleague), before + 3, 'the primary has the three new ratings')
      const pausedOfficers = await get(app, `/api/v1/stats/officers?${unit}`, colleague)

      await resumeReplay(replicaDb)
      await waitForReplay(primaryUrl, replicaUrl)
      t.equal(await total(app, colleague), before + 3, 'replayed: the replica counts them')
      const after = await caseList(colleague)
      t.equal(after.find((item) => item.id === caseId)?.status, 'resolved', 'replayed: the colleague sees the resolution')
      for (const path of figureUrls) {
        t.equal((await get(app, path, colleague)).body, (await get(primaryApp, path, colleague)).body, `${path}: same answer once replayed`)
      }
      t.not((await get(app, `/api/v1/stats/officers?${unit}`, colleague)).body, pausedOfficers.body, 'the paused answer was the older one')
      // Once replayed, the writer's own reads go back to the replica (nothing of theirs is missing there).
      t.equal(await total(app, mine), before + 3)
    })

    t.test('a bad hl_written cookie is ignored, not a 5xx', async (t) => {
      const cookies = { ...supervisor, hl_written: "0/0'; drop table ratings; --" }
      const response = await app.inject({ url: `/api/v1/stats/summary?${unit}`, cookies })
      t.equal(response.statusCode, 200)
      t.equal(response.json().total, await total(primaryApp))
    })

    t.test('the server opens the replica named by DATABASE_READ_URL, and refuses to start without it', async (t) => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hl-replica-'))
      t.teardown(() => rm(dataDir, { recursive: true, force: true }))
      const env = {
        DATABASE_URL: primaryUrl, DATA_DIR: dataDir, ADMIN_PASSWORD: 'replica-root-secret-2026', PAIRING_SECRET: 'x'.repeat(32)
      }

      const unreachable = `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`
      const refused = startServer({ ...env, DATABASE_READ_URL: unreachable, PORT: String(await freePort()) })
      t.equal(await refused.exited, 1)
      t.match(refused.output(), /^start failed: the read replica \(DATABASE_READ_URL\): cannot open the database at postgres:\/\/127\.0\.0\.1:\d+\/nowhere/m)

      const port = await freePort()
      const server = startServer({ ...env, DATABASE_READ_URL: replicaUrl, PORT: String(port) })
      t.teardown(() => { server.child.kill('SIGKILL') })
      const replicaAddress = `postgres://${new URL(replicaUrl).host}${new URL(replicaUrl).pathname}`
      let ready = false
      for (let i = 0; i < 600 && !ready && server.child.exitCode === null; i++) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.ok, () => false)
        if (!ready) await new Promise((resolve) => setTimeout(resolve, 100))
      }
      t.ok(ready, `ready: ${server.output().slice(-500)}`)
      t.ok(server.output().includes(`figures, exports and lists read from ${replicaAddress}`), 'it says where figures come from')
      const login = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'replica-root-secret-2026' })
      })
      t.equal(login.status, 200)
      await waitForReplay(primaryUrl, replicaUrl)
      const summary = await fetch(`http://127.0.0.1:${port}/api/v1/stats/summary?${unit}`, {
        headers: { cookie: login.headers.get('set-cookie')!.split(';')[0]! }
      })
      t.equal(summary.status, 200)
      t.equal(((await summary.json()) as { total: number }).total, await total(primaryApp), 'the figures, from the replica')
      server.child.kill('SIGTERM')
      t.equal(await server.exited, 0, 'SIGTERM: a clean exit, both databases closed')
    })
  })
}

const root = fileURLToPath(new URL('../../', import.meta.url))

async function freePort (): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** The server from source, as `npm run dev` runs it. */
function startServer (env: Record<string, string>) {
  let output = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stdout.on('data', (chunk) => { output += String(chunk) })
  child.stderr.on('data', (chunk) => { output += String(chunk) })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => output, exited }
}
