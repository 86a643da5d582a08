// The citizen's visit on a rating (issue 17): the queue ticket and the dossier code are stored with the rating, shown in
// the list, and one ticket is rated once a day at its centre (a second rating is kept as misuse 'ticket_repeat').
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build } from '../helper.ts'
import { postRatings, seedCentre, seedUser, signIn } from '../fixtures.ts'
import { toLocalDate } from '../../analytics/calendar.ts'

const MINUTE = 60_000

const rating = (at: number, extra: Record<string, unknown> = {}, level = 4) =>
  ({ id: randomUUID(), level, ratedAt: new Date(at).toISOString(), ...extra })

/** Noon yesterday in Asia/Ho_Chi_Minh (05:00Z): `hours` later stays on the same local day up to 11 hours. */
const localNoonYesterday = (): number => Date.parse(`${toLocalDate(new Date(Date.now() - 86400_000))}T05:00:00Z`)

t.test('the ticket and the dossier code are stored with the rating and listed with it', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const cookies = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const sent = rating(Date.now() - MINUTE, { ticket: 'A-1023', dossierCode: '000.00.12.H56-261130-0042' })
  const response = await postRatings(app, centre.terminal.token, [sent])
  t.same(response.json().results, [{ id: sent.id, status: 'created' }])
  const list = await app.inject({ url: `/api/v1/ratings?unitId=${centre.centreId}`, cookies })
  t.equal(list.statusCode, 200)
  t.match(list.json().items, [
    { id: sent.id, ticket: 'A-1023', dossierCode: '000.00.12.H56-261130-0042', misuse: false, misuseReason: null }
  ])
  const without = rating(Date.now() - 30_000)
  await postRatings(app, centre.terminal.token, [without])
  const row = await app.db.selectFrom('ratings').select(['ticket', 'dossier_code']).where('id', '=', without.id).executeTakeFirstOrThrow()
  t.same(row, { ticket: null, dossier_code: null }, 'a rating without them stores neither')
})

t.test('a second rating for the same ticket on the same day is kept and flagged ticket_repeat', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const cookies = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const noon = localNoonYesterday()
  const first = rating(noon, { ticket: '1023' }, 1)
  const second = rating(noon + 90 * MINUTE, { ticket: '1023' }, 1)
  const other = rating(noon + 100 * MINUTE, { ticket: '1024' }, 4)
  t.equal((await postRatings(app, centre.terminal.token, [first])).statusCode, 200)
  const later = await postRatings(app, centre.terminal.token, [second, other])
  t.same(later.json().results.map((r: { status: string }) => r.status), ['created', 'created'], 'both are kept')
  const rows = await app.db.selectFrom('ratings').select(['id', 'misuse', 'misuse_reason']).execute()
  const byId = new Map(rows.map((row) => [row.id, row]))
  t.same(byId.get(first.id), { id: first.id, misuse: false, misuse_reason: null }, 'the first rating of the ticket counts')
  t.same(byId.get(second.id), { id: second.id, misuse: true, misuse_reason: 'ticket_repeat' }, 'the second is suspected misuse')
  t.same(byId.get(other.id), { id: other.id, misuse: false, misuse_reason: null }, 'another ticket is another visit')
  t.equal((await app.db.selectFrom('cases').select('id').execute()).length, 1, 'only the first unsatisfied rating opens a case')
  await app.rollups.drain()
  const day = toLocalDate(new Date(noon))
  const summary = await app.inject({ url: `/api/v1/stats/summary?unitId=${centre.centreId}&from=${day}&to=${day}`, cookies })
  t.equal(summary.json().total, 2, 'the figures count the visit once')
  const listed = await app.inject({ url: `/api/v1/ratings?unitId=${centre.centreId}&includeMisuse=true`, cookies })
  t.match(listed.json().items.find((item: { id: string }) => item.id === second.id), { misuse: true, misuseReason: 'ticket_repeat' })
})

t.test('within one request the earlier press of a ticket counts and the later one is the repeat', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const noon = localNoonYesterday()
  const early = rating(noon, { ticket: '77' })
  const late = rating(noon + 5 * MINUTE, { ticket: '77' })
  await postRatings(app, centre.terminal.token, [late, early])
  const rows = await app.db.selectFrom('ratings').select(['id', 'misuse_reason']).execute()
  t.same(new Map(rows.map((row) => [row.id, row.misuse_reason])), new Map([[early.id, null], [late.id, 'ticket_repeat']]))
})

t.test('the same ticket number on another day or at another centre is another visit', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const neighbour = await seedCentre(app.db)
  const noon = localNoonYesterday()
  const yesterday = rating(noon, { ticket: '5' })
  // 23:30 the day before, local time: the local day differs although fewer than 24 hours passed.
  const dayBefore = rating(noon - 12.5 * 60 * MINUTE, { ticket: '5' })
  const elsewhere = rating(noon + MINUTE, { ticket: '5' })
  await postRatings(app, centre.terminal.token, [dayBefore])
  await postRatings(app, centre.terminal.token, [yesterday])
  await postRatings(app, neighbour.terminal.token, [elsewhere])
  const rows = await app.db.selectFrom('ratings').select(['misuse']).execute()
  t.equal(rows.length, 3)
  t.ok(rows.every((row) => !row.misuse), 'none is a repeat')
})

t.test('a bad ticket or dossier code rejects that item alone and stores nothing for it', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const now = Date.now()
  const items = [
    rating(now - 5 * MINUTE, { ticket: '12345678901234567' }),
    rating(now - 4 * MINUTE, { ticket: '' }),
    rating(now - 3 * MINUTE, { dossierCode: 'HS 0042' }),
    rating(now - 2 * MINUTE, { dossierCode: 'x'.repeat(41) }),
    rating(now - MINUTE, { ticket: '9', dossierCode: 'H56/2026-0042' })
  ]
  const response = await postRatings(app, centre.terminal.token, items)
  t.equal(response.statusCode, 200)
  const results = response.json().results as Array<{ status: string; error?: { code: string } }>
  t.same(results.slice(0, 4).map((r) => r.error?.code), Array(4).fill('VALIDATION_FAILED'))
  t.equal(results[4]!.status, 'created')
  const rows = await app.db.selectFrom('ratings').select(['ticket', 'dossier_code']).execute()
  t.same(rows, [{ ticket: '9', dossier_code: 'H56/2026-0042' }], 'only the good item is stored')
})
