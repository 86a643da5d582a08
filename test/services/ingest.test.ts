// The group-commit queue itself: requests arriving as a commit finishes are never stranded.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { Kysely } from 'kysely'
import { RatingIngest, type IngestHooks, type IngestTerminal } from '../../api/services/ingest.ts'
import type { Database } from '../../db/schema.ts'
import { testConfig, migratedDatabase, type TestContext } from '../helper.ts'
import { ingestTerminalOf, seedCentre, type SeededCentre } from '../fixtures.ts'

/** A fresh migrated database with one centre, and an ingest whose misuse rules never flag these tests' ratings. */
async function ingestOnFreshCentre (
  t: TestContext, hooks: IngestHooks = {}
): Promise<{ db: Kysely<Database>; centre: SeededCentre; terminal: IngestTerminal; ingest: RatingIngest }> {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const centre = await seedCentre(db)
  const ingest = new RatingIngest(db, testConfig({ misuse: { cooldownSeconds: 0, burstCount: 10000, burstWindowSeconds: 1 } }), hooks)
  return { db, centre, terminal: ingestTerminalOf(centre), ingest }
}

t.test('every request is answered, however its arrival meets the end of a commit', async (t) => {
  const { db, terminal, ingest } = await ingestOnFreshCentre(t)
  let answered = 0
  for (let round = 0; round < 40; round++) {
    // Some submits start now, some as the previous round's commit resolves: the window where a request was once stranded.
    const submits = Array.from({ length: 5 }, (_, i) =>
      (i % 2 === 0 ? Promise.resolve() : new Promise((resolve) => setImmediate(resolve))).then(() =>
        ingest.submit(terminal, [{ id: randomUUID(), level: 3, ratedAt: new Date(Date.now() - 60_000 + round * 100 + i).toISOString() }])
      )
    )
    const results = await Promise.race([
      Promise.all(submits),
      new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`round ${round} was not answered in 20 s`)), 20_000))
    ])
    answered += results.filter((result) => result[0]!.status === 'created').length
  }
  await ingest.drain()
  t.equal(answered, 200, 'all 200 ratings answered created')
  const stored = await db
    .selectFrom('ratings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  t.equal(stored.n, 200)
})

t.test("concurrent commits never judge one terminal's presses out of order", async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const first = await seedCentre(db)
  const second = await seedCentre(db)
  const terminals = [first, second].map(ingestTerminalOf)
  // Cooldown 3 s, presses 1 s apart: judged in order, every press but each terminal's first is misuse.
  const ingest = new RatingIngest(db, testConfig({ misuse: { cooldownSeconds: 3, burstCount: 10000, burstWindowSeconds: 1 } }), {}, 4)
  const start = Date.now() - 3600_000
  const submits = []
  for (let i = 0; i < 30; i++) {
    for (const terminal of terminals) {
      submits.push(ingest.submit(terminal, [{ id: randomUUID(), level: 3, ratedAt: new Date(start + i * 1000).toISOString() }]))
    }
  }
  const results = await Promise.all(submits)
  await ingest.drain()
  t.equal(results.filter((result) => result[0]!.status === 'created').length, 60, 'all 60 stored')
  const rows = await db.selectFrom('ratings').select(['terminal_id', 'misuse']).execute()
  for (const terminal of terminals) {
    const mine = rows.filter((row) => row.terminal_id === terminal.id)
    t.equal(mine.filter((row) => row.misuse).length, 29, 'each terminal: the first press counts, the 29 within the cooldown are misuse')
  }
})

t.test('a stored rating keeps its criteria, times and officer exactly, and joins the rollup queue', async (t) => {
  const { db, centre, terminal, ingest } = await ingestOnFreshCentre(t)
  // Sub-second times, a criterion answered false, a device officer that is not on shift (kept as the device's).
  const items = [
    { id: randomUUID(), level: 4, ratedAt: '2026-11-20T02:03:04.567Z', criteria: { xin_chao: true, xin_loi: false } },
    { id: randomUUID(), level: 1, ratedAt: '2026-11-20T02:03:09.001Z', officerId: centre.officers[0]!.id }
  ]
  const results = await ingest.submit(terminal, items)
  t.same(results.map((result) => result.status), ['created', 'created'])
  const rows = await db.selectFrom('ratings').select(['id', 'rated_at', 'counted_at', 'criteria', 'device_officer_id', 'category'])
    .orderBy('rated_at').execute()
  t.same(rows.map((row) => [row.id, row.rated_at.toISOString(), row.counted_at.toISOString(), row.criteria, row.device_officer_id]), [
    [items[0]!.id, '2026-11-20T02:03:04.567Z', '2026-11-20T02:03:04.567Z', { xin_chao: true, xin_loi: false }, null],
    [items[1]!.id, '2026-11-20T02:03:09.001Z', '2026-11-20T02:03:09.001Z', {}, centre.officers[0]!.id]
  ])
  const queued = await db.selectFrom('rollup_queue').select(['unit_id', 'rating_id']).execute()
  t.same(new Set(queued.map((row) => `${row.unit_id}/${row.rating_id}`)), new Set(items.map((item) => `${centre.centreId}/${item.id}`)),
    'both queued for the rollup worker under their unit')
})

t.test('under steady load the waiting ratings are committed together; a lone rating at a quiet centre at once', async (t) => {
  const commits: number[] = []
  const { terminal, ingest } = await ingestOnFreshCentre(t, { afterCommit: (created) => commits.push(created.length) })
  const rate = async (at: number): Promise<string> => {
    const rating = { id: randomUUID(), level: 3, ratedAt: new Date(Date.now() - 3600_000 + at).toISOString() }
    return (await ingest.submit(terminal, [rating]))[0]!.status
  }

  // 24 tablets each send their next rating as soon as the last one is answered, 8 times over.
  const clients = Array.from({ length: 24 }, async (_, client) => {
    const statuses: string[] = []
    for (let round = 0; round < 8; round++) statuses.push(await rate(round * 100 + client))
    return statuses
  })
  const statuses = (await Promise.all(clients)).flat()
  t.equal(statuses.filter((status) => status === 'created').length, 192, 'all 192 stored')
  // Without gathering, each round split into a commit of the first rating back and one of the other 23 (16 commits).
  t.ok(commits.length <= 12, `192 ratings in ${commits.length} commits (${commits.join(', ')}), not one alone then the rest`)

  // Right after the load, a rating waits a moment for others; after a quiet second it is committed at once.
  const gathered = rate(10_000)
  t.equal(ingest.committing, 0, 'under load a lone rating waits for others to join its commit')
  t.equal(await gathered, 'created', 'and is stored within the gathering time')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const lone = rate(20_000)
  t.equal(ingest.committing, 1, 'at a quiet centre its commit starts at once')
  t.equal(await lone, 'created')
})
