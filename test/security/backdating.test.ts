// Backdated ratings (issue 13 §6): a rating dated before its terminal was paired, or rewinding its terminal's history, is kept but counted
// at receipt; in bulk it is suspected misuse.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build } from '../helper.ts'
import { postRatings, seedCentre, seedUser, signIn, type SeededCentre } from '../fixtures.ts'
import { toLocalDate } from '../../analytics/calendar.ts'

type App = Awaited<ReturnType<typeof build>>
const DAY = 86400_000

/** `count` unsatisfied presses from `start`, `spacingMs` apart. */
const presses = (start: number, count: number, spacingMs: number, level = 1) =>
  Array.from({ length: count }, (_, i) => ({ id: randomUUID(), level, ratedAt: new Date(start + i * spacingMs).toISOString() }))

/** The terminal was paired (and its counter made) `days` ago. */
async function pairedAgo (app: App, centre: SeededCentre, days: number): Promise<void> {
  const at = new Date(Date.now() - days * DAY)
  await app.db.updateTable('terminals').set({ paired_at: at }).where('id', '=', centre.terminal.id).execute()
  await app.db.updateTable('counters').set({ created_at: at }).where('id', '=', centre.terminal.counterId).execute()
}

async function dayTotal (app: App, cookies: Record<string, string>, unitId: string, at: number): Promise<number> {
  const day = toLocalDate(new Date(at))
  const response = await app.inject({ url: `/api/v1/stats/summary?unitId=${unitId}&from=${day}&to=${day}&includeMisuse=true`, cookies })
  return response.json().total
}

t.test('a terminal paired today posts 100 unsatisfied ratings dated 399 days ago, 15 s apart', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  await pairedAgo(app, centre, 0)
  const cookies = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const then = Date.now() - 399 * DAY
  const response = await postRatings(app, centre.terminal.token, presses(then, 100, 15_000))
  t.equal(response.statusCode, 200)
  t.ok(
    response.json().results.every((result: { status: string }) => result.status === 'created'),
    'all are stored: kept as evidence'
  )
  const rows = await app.db.selectFrom('ratings').selectAll().execute()
  t.equal(rows.length, 100)
  t.ok(
    rows.every((row) => row.clock_untrusted),
    'none is trusted'
  )
  t.ok(
    rows.every((row) => row.counted_at.getTime() === row.received_at.getTime()),
    'each is counted when it arrived'
  )
  t.ok(
    rows.every((row) => row.misuse && row.misuse_reason === 'backdated'),
    'rewriting history in bulk is suspected misuse'
  )
  t.equal((await app.db.selectFrom('cases').select('id').execute()).length, 0, 'no case is opened for them')
  await app.rollups.drain()
  t.equal(await dayTotal(app, cookies, centre.centreId, then), 0, 'the day 399 days ago shows nothing, even with misuse included')
  const today = await app.inject({
    url: `/api/v1/stats/summary?unitId=${centre.centreId}&from=${toLocalDate(new Date())}&to=${toLocalDate(new Date())}`,
    cookies
  })
  t.equal(today.json().total, 0, "today's figures leave the suspected misuse out")
})

t.test('one rating dated before the pairing is counted at receipt, like a clock too far ahead', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  await pairedAgo(app, centre, 2)
  const before = Date.now() - 3 * DAY
  const [backdated] = presses(before, 1, 0)
  const slowClock = { id: randomUUID(), level: 3, ratedAt: new Date(Date.now() - 2 * DAY - 60_000).toISOString() }
  t.equal((await postRatings(app, centre.terminal.token, [backdated, slowClock])).statusCode, 200)
  const row = await app.db.selectFrom('ratings').selectAll().where('id', '=', backdated!.id).executeTakeFirstOrThrow()
  t.equal(row.clock_untrusted, true)
  t.equal(row.counted_at.getTime(), row.received_at.getTime())
  t.equal(row.misuse, false, 'one alone is not misuse')
  t.equal((await app.db.selectFrom('cases').select('id').execute()).length, 1, 'and opens its case like any unsatisfied rating')
  const slow = await app.db.selectFrom('ratings').selectAll().where('id', '=', slowClock.id).executeTakeFirstOrThrow()
  t.equal(slow.clock_untrusted, false, 'a clock a minute slow at pairing time (within CLOCK_SKEW_SECONDS) is trusted')
  t.equal(slow.counted_at.toISOString(), slowClock.ratedAt)
})

t.test('a long-paired terminal rewinding its own history in bulk is flagged; an offline outbox is not', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  await pairedAgo(app, centre, 700)
  // The terminal has been sending: its latest rating is from a minute ago.
  const [recent] = presses(Date.now() - 60_000, 1, 0, 4)
  t.equal((await postRatings(app, centre.terminal.token, [recent])).json().results[0].status, 'created')
  const forged = presses(Date.now() - 300 * DAY, 20, 15_000)
  t.equal((await postRatings(app, centre.terminal.token, forged)).statusCode, 200)
  const rows = await app.db
    .selectFrom('ratings')
    .selectAll()
    .where(
      'id',
      'in',
      forged.map((rating) => rating.id)
    )
    .execute()
  t.equal(rows.length, 20, 'kept as evidence')
  t.ok(
    rows.every((row) => row.clock_untrusted && row.counted_at.getTime() === row.received_at.getTime()),
    'counted at receipt, not 300 days ago'
  )
  t.ok(
    rows.every((row) => row.misuse && row.misuse_reason === 'backdated'),
    'flagged as suspected misuse'
  )

  // Another terminal, offline for two days: its outbox arrives in tap order, after everything it sent before.
  const other = await seedCentre(app.db)
  await pairedAgo(app, other, 30)
  const [lastSent] = presses(Date.now() - 3 * DAY, 1, 0, 4)
  await postRatings(app, other.terminal.token, [lastSent])
  const outbox = presses(Date.now() - 2 * DAY, 100, 4 * 60_000, 3)
  t.equal((await postRatings(app, other.terminal.token, outbox)).statusCode, 200)
  const kept = await app.db
    .selectFrom('ratings')
    .selectAll()
    .where(
      'id',
      'in',
      outbox.map((rating) => rating.id)
    )
    .execute()
  t.equal(kept.length, 100)
  t.ok(
    kept.every((row) => !row.clock_untrusted && !row.misuse && row.counted_at.getTime() === row.rated_at.getTime()),
    'an honest outbox lands in its own past hours'
  )
})
