// The visit's figures (issue 17): Decision 766 per dossier in every figures object, satisfaction by channel, and the share
// of visits rated (tickets called by the queue ÷ ratings with a ticket) with dossiers rated, as JSON and CSV.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build } from '../helper.ts'
import { postRatings, seedCentre, seedUser, signIn } from '../fixtures.ts'
import { parseCsv } from '../csv.ts'
import { toLocalDate } from '../../analytics/calendar.ts'
import { addRatings } from '../analytics/ratings.ts'

const MINUTE = 60_000

const rating = (at: number, level: number, extra: Record<string, unknown> = {}) =>
  ({ id: randomUUID(), level, ratedAt: new Date(at).toISOString(), ...extra })

/** Noon yesterday in Asia/Ho_Chi_Minh (05:00Z): up to 11 hours later is the same local day. */
const localNoonYesterday = (): number => Date.parse(`${toLocalDate(new Date(Date.now() - 86400_000))}T05:00:00Z`)

const csvOf = (body: Buffer | string): string[][] => parseCsv(Buffer.from(body).subarray(3).toString('utf8'), ';').slice(2)

t.test('rate766 counts each dossier once, unsatisfied if any of its ratings is; ratings without a code one each', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const cookies = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const noon = localNoonYesterday()
  const day = toLocalDate(new Date(noon))
  const twoDaysAgo = toLocalDate(new Date(noon - 86400_000))
  const sent = [
    rating(noon, 4, { dossierCode: 'H56-0001' }),
    rating(noon + 10 * MINUTE, 1, { dossierCode: 'H56-0001' }),
    rating(noon + 20 * MINUTE, 4, { dossierCode: 'H56-0002' }),
    rating(noon + 30 * MINUTE, 4),
    rating(noon + 40 * MINUTE, 2),
    // The day before: no code at all.
    rating(noon - 86400_000, 1),
    rating(noon - 86400_000 + MINUTE, 4)
  ]
  t.equal((await postRatings(app, centre.terminal.token, sent)).statusCode, 200)
  const summary = await app.inject({ url: `/api/v1/stats/summary?unitId=${centre.centreId}&from=${day}&to=${day}`, cookies })
  t.match(summary.json(), { total: 5, unsatisfied: 1, dossiers: 2, rate766Basis: 'dossier' })
  // Visits: dossier 1 (unsatisfied), dossier 2, and the two ratings without a code: 3 of 4, not 4 of 5.
  t.equal(summary.json().rate766, 3 / 4, 'rate766 over dossiers')
  const before = await app.inject({ url: `/api/v1/stats/summary?unitId=${centre.centreId}&from=${twoDaysAgo}&to=${twoDaysAgo}`, cookies })
  t.match(before.json(), { total: 2, dossiers: 0, rate766Basis: 'rating', rate766: 1 / 2 }, 'without codes: per rating as before')
  await app.rollups.drain()
  const both = await app.inject({ url: `/api/v1/stats/summary?unitId=${centre.centreId}&from=${twoDaysAgo}&to=${day}`, cookies })
  t.match(both.json(), { total: 7, dossiers: 2, rate766Basis: 'dossier', rate766: 4 / 6 }, 'once rolled up, the same')
  const counters = await app.inject({ url: `/api/v1/stats/counters?unitId=${centre.centreId}&from=${day}&to=${day}`, cookies })
  t.match(counters.json().rows, [{ counterId: centre.counterIds[0], dossiers: 2, rate766: 3 / 4, rate766Basis: 'dossier' }])
  const series = await app.inject({ url: `/api/v1/stats/timeseries?unitId=${centre.centreId}&from=${twoDaysAgo}&to=${day}`, cookies })
  t.match(series.json().rows, [
    { dossiers: 0, rate766Basis: 'rating', rate766: 1 / 2 },
    { dossiers: 2, rate766Basis: 'dossier', rate766: 3 / 4 }
  ])
  const units = await app.inject({ url: `/api/v1/stats/units?unitId=${centre.centreId}&from=${day}&to=${day}`, cookies })
  t.match(units.json().rows, [{ unitId: centre.centreId, dossiers: 2, rate766: 3 / 4 }])
  const csv = await app.inject({ url: `/api/v1/stats/summary?unitId=${centre.centreId}&from=${day}&to=${day}&format=csv`, cookies })
  const [header, row] = csvOf(csv.rawPayload)
  t.equal(row![header!.indexOf('Tỷ lệ theo QĐ 766 (%)')], '75,0')
  t.equal(row![header!.indexOf('Cách tính QĐ 766')], 'theo hồ sơ')
  t.equal(row![header!.indexOf('Số hồ sơ được đánh giá')], '2')
})

t.test('misuse ratings are left out of the dossiers as everywhere, and the same code at two centres is two dossiers', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const neighbour = await seedCentre(app.db, { parentId: centre.provinceId })
  const cookies = await signIn(app, await seedUser(app.db, 'analyst', centre.provinceId))
  const noon = localNoonYesterday()
  const day = toLocalDate(new Date(noon))
  const place = (seeded: typeof centre) => ({ unitId: seeded.centreId, counterId: seeded.counterIds[0]!, terminalId: seeded.terminal.id })
  await addRatings(app.db, [
    { ...place(centre), level: 4, at: new Date(noon), dossierCode: 'HS-7' },
    { ...place(centre), level: 1, at: new Date(noon + MINUTE), dossierCode: 'HS-7', misuse: true },
    { ...place(neighbour), level: 1, at: new Date(noon), dossierCode: 'HS-7' }
  ])
  const url = `/api/v1/stats/summary?unitId=${centre.provinceId}&from=${day}&to=${day}`
  t.match((await app.inject({ url, cookies })).json(), { total: 2, dossiers: 2, rate766: 1 / 2, rate766Basis: 'dossier' })
  t.match((await app.inject({ url: `${url}&includeMisuse=true`, cookies })).json(), { total: 3, dossiers: 2, rate766: 0 })
})

t.test('satisfaction by channel: counter terminal, button box, phone later', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const cookies = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const noon = localNoonYesterday()
  const day = toLocalDate(new Date(noon))
  const place = { unitId: centre.centreId, counterId: centre.counterIds[0]!, terminalId: centre.terminal.id }
  await postRatings(app, centre.terminal.token, [rating(noon, 4), rating(noon + MINUTE, 3), rating(noon + 2 * MINUTE, 1)])
  await addRatings(app.db, [
    { ...place, level: 1, at: new Date(noon), source: 'button' },
    { ...place, level: 4, at: new Date(noon + MINUTE), source: 'phone', criteria: { xin_chao: true } }
  ])
  const url = `/api/v1/stats/channels?unitId=${centre.centreId}&from=${day}&to=${day}`
  const response = await app.inject({ url, cookies })
  t.equal(response.statusCode, 200)
  t.match(response.json().rows, [
    { channel: 'touch', total: 3, satisfied: 2, unsatisfied: 1, satisfactionRate: 2 / 3 },
    { channel: 'button', total: 1, satisfied: 0, unsatisfied: 1, satisfactionRate: 0 },
    { channel: 'phone', total: 1, satisfied: 1, satisfactionRate: 1 }
  ])
  const phone = response.json().rows[2]
  t.match(phone.criteria.find((criterion: { code: string }) => criterion.code === 'xin_chao'), { answered: 1, met: 1 })
  await app.rollups.drain()
  t.same((await app.inject({ url, cookies })).json(), response.json(), 'the same once the worker has rolled them up')
  const csv = csvOf((await app.inject({ url: `${url}&format=csv`, cookies })).rawPayload)
  t.same(csv.slice(1).map((row) => row[0]), ['Màn hình tại quầy', 'Hộp nút bấm', 'Điện thoại (đánh giá sau)'])
})

t.test('share of visits rated per counter and day, and dossiers rated', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db, { counters: 2 })
  const cookies = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const noon = localNoonYesterday()
  const day = toLocalDate(new Date(noon))
  const dayBefore = toLocalDate(new Date(noon - 86400_000))
  const [first, second] = centre.counterIds as [string, string]
  const call = (counterId: string, ticket: string, at: number, dossierCode: string | null = null) =>
    ({ unit_id: centre.centreId, counter_id: counterId, ticket, called_at: new Date(at), dossier_code: dossierCode })
  await app.db.insertInto('queue_calls').values([
    call(first, '1001', noon), call(first, '1001', noon + 5 * MINUTE), // called twice: one visit
    call(first, '1002', noon + 10 * MINUTE), call(first, '1003', noon + 20 * MINUTE), call(first, '1004', noon + 30 * MINUTE),
    call(second, '2001', noon), call(second, '2002', noon + MINUTE),
    call(first, '1001', noon - 86400_000) // the same number the day before: another visit
  ]).execute()
  const place = (counterId: string) => ({ unitId: centre.centreId, counterId, terminalId: centre.terminal.id })
  await addRatings(app.db, [
    { ...place(first), level: 4, at: new Date(noon + MINUTE), ticket: '1001', dossierCode: 'HS-1' },
    { ...place(first), level: 1, at: new Date(noon + 2 * MINUTE), ticket: '1001', misuse: true }, // the repeat
    { ...place(first), level: 3, at: new Date(noon + 11 * MINUTE), ticket: '1002', dossierCode: 'HS-2' },
    { ...place(first), level: 4, at: new Date(noon + 12 * MINUTE) }, // no ticket: not a called visit
    { ...place(second), level: 4, at: new Date(noon + 2 * MINUTE), ticket: '2001', dossierCode: 'HS-1' },
    { ...place(first), level: 4, at: new Date(noon - 86400_000 + MINUTE), ticket: '1001', dossierCode: 'HS-1' }
  ])
  const url = `/api/v1/stats/visits?unitId=${centre.centreId}&from=${dayBefore}&to=${day}`
  const response = await app.inject({ url, cookies })
  t.equal(response.statusCode, 200)
  const body = response.json()
  t.match(body.rows, [
    { day: dayBefore, counterId: first, number: 1, ticketsCalled: 1, ratingsWithTicket: 1, shareRated: 1, dossiersRated: 1 },
    { day, counterId: first, number: 1, ticketsCalled: 4, ratingsWithTicket: 2, shareRated: 0.5, dossiersRated: 2 },
    { day, counterId: second, number: 2, ticketsCalled: 2, ratingsWithTicket: 1, shareRated: 0.5, dossiersRated: 1 }
  ])
  t.equal(body.rows.length, 3)
  t.match(body.counters, [
    { counterId: first, ticketsCalled: 5, ratingsWithTicket: 3, shareRated: 3 / 5, dossiersRated: 2 },
    { counterId: second, ticketsCalled: 2, ratingsWithTicket: 1, shareRated: 1 / 2, dossiersRated: 1 }
  ])
  // HS-1 was rated at both counters and on both days: one dossier of the centre.
  t.same(body.total, { ticketsCalled: 7, ratingsWithTicket: 4, shareRated: 4 / 7, dossiersRated: 2 })
  const withMisuse = (await app.inject({ url: `${url}&includeMisuse=true`, cookies })).json()
  t.equal(withMisuse.total.ratingsWithTicket, 5, 'the repeat counts only when misuse is asked for')
  const oneCounter = (await app.inject({ url: `${url}&counterId=${second}`, cookies })).json()
  t.same(oneCounter.total, { ticketsCalled: 2, ratingsWithTicket: 1, shareRated: 1 / 2, dossiersRated: 1 })

  const csv = csvOf((await app.inject({ url: `${url}&format=csv`, cookies })).rawPayload)
  t.same(csv[0]!.slice(0, 7), [
    'Ngày', 'Số quầy', 'Tên quầy', 'Số lượt gọi số', 'Số lượt đánh giá có số thứ tự',
    'Tỷ lệ lượt được đánh giá (%)', 'Số hồ sơ được đánh giá'
  ])
  t.same(csv[2]!.slice(0, 7), [day.split('-').reverse().join('/'), '1', csv[2]![2], '4', '2', '50,0', '2'])
  t.same(csv.at(-1)!.slice(0, 7), ['Cả kỳ', '', 'Tổng cộng', '7', '4', '57,1', '2'])

  const tooLong = await app.inject({ url: `/api/v1/stats/visits?unitId=${centre.centreId}&from=2025-01-01&to=2026-06-30`, cookies })
  t.equal(tooLong.statusCode, 400)
  t.equal(tooLong.json().code, 'RANGE_TOO_LONG')
  const officer = await seedUser(app.db, 'officer', centre.centreId, { officerId: centre.officers[0]!.id })
  const forbidden = await app.inject({ url, cookies: await signIn(app, officer) })
  t.equal(forbidden.statusCode, 403)
  t.equal(forbidden.json().code, 'FORBIDDEN')
  const empty = await app.inject({ url: `/api/v1/stats/visits?unitId=${centre.centreId}&from=2026-01-01&to=2026-01-31`, cookies })
  t.same(empty.json(), { total: { ticketsCalled: 0, ratingsWithTicket: 0, shareRated: null, dossiersRated: 0 }, counters: [], rows: [] })
})
