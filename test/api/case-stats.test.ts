// What the province sees of the follow-up loop (GET /api/v1/stats/cases): opened, resolved, on time, time to resolve,
// open and overdue now, per child unit and in total, as JSON and as a CSV for people, in scope.
import t from 'tap'
import { build } from '../helper.ts'
import { parseCsv } from '../csv.ts'
import { seedCase as seedCaseIn, seedCentre, seedUser, signIn, type SeededCaseOptions, type SeededCentre } from '../fixtures.ts'

const app = await build(t)
const a = await seedCentre(app.db)
const b = await seedCentre(app.db, { parentId: a.provinceId })
const elsewhere = await seedCentre(app.db)

/** A case opened (and rated) at `openedAt`, as the ingest opens it, then resolved by the test's times. */
const seedCase = (centre: SeededCentre, openedAt: string, options: Omit<SeededCaseOptions, 'ratedAt' | 'openedAt'> = {}) =>
  seedCaseIn(app.db, centre, { ratedAt: openedAt, openedAt, ...options })

// Centre A: resolved in 3 hours (on time), resolved after 7 days (late), opened in October and resolved on 1 November in
// 2 days (on time: Friday → Saturday, Monday), and one open since 20 November (overdue). Centre B: one open, due in 2099.
// Reasons as citizens chose them: "wait" three times in the period, "attitude" once; the October one is not the period's.
await seedCase(a, '2026-11-02T02:00:00.000Z', { resolvedAt: '2026-11-02T05:00:00.000Z', reason: 'wait' })
await seedCase(a, '2026-11-03T02:00:00.000Z', { resolvedAt: '2026-11-10T02:00:00.000Z', officer: 1, reason: 'attitude' })
await seedCase(a, '2026-10-30T02:00:00.000Z', { resolvedAt: '2026-11-01T02:00:00.000Z', reason: 'guidance' })
await seedCase(a, '2026-11-20T02:00:00.000Z', { reason: 'wait' })
await seedCase(b, '2026-11-25T02:00:00.000Z', { dueAt: '2099-01-01T00:00:00.000Z', reason: 'wait' })
// Outside the period altogether, and outside the province.
await seedCase(a, '2026-10-01T02:00:00.000Z', { resolvedAt: '2026-10-02T02:00:00.000Z' })
await seedCase(elsewhere, '2026-11-05T02:00:00.000Z')

const period = 'from=2026-11-01&to=2026-11-30'
const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', a.provinceId))

t.test('per child unit and in total: opened, resolved, on time, median and p90 time to resolve, open and overdue now', async (t) => {
  const response = await app.inject({ url: `/api/v1/stats/cases?unitId=${a.provinceId}&${period}`, cookies: supervisor })
  t.equal(response.statusCode, 200)
  const { total, rows } = response.json()
  t.same(total, {
    opened: 4,
    resolved: 3,
    resolvedWithinSla: 2,
    withinSlaRate: 2 / 3,
    medianResolveSeconds: 2 * 86400,
    // percentile_cont over 3 h, 2 days and 7 days: 2 days + 0.8 × 5 days.
    p90ResolveSeconds: 6 * 86400,
    openNow: 2,
    overdueNow: 1,
    topReasons: [
      { code: 'wait', labelVi: 'Chờ lâu', labelEn: 'Long wait', count: 3 },
      { code: 'attitude', labelVi: 'Thái độ', labelEn: 'Attitude', count: 1 }
    ]
  })
  t.same(rows.map((row: { unitId: string }) => row.unitId), [a.provinceId, a.communeId, b.communeId], 'the root, then its children by code')
  t.match(rows[1], { opened: 3, resolved: 3, resolvedWithinSla: 2, openNow: 1, overdueNow: 1 })
  t.same(rows[1].topReasons.map((reason: { code: string, count: number }) => [reason.code, reason.count]), [['wait', 2], ['attitude', 1]])
  t.match(rows[2], { opened: 1, resolved: 0, withinSlaRate: null, medianResolveSeconds: null, openNow: 1, overdueNow: 0 })
  t.match(rows[0], { opened: 0, resolved: 0, openNow: 0 })

  const centre = await app.inject({ url: `/api/v1/stats/cases?unitId=${a.centreId}&${period}&officerId=${a.officers[1]!.id}`, cookies: supervisor })
  t.match(centre.json().total, { opened: 1, resolved: 1, resolvedWithinSla: 0, openNow: 0 }, "one officer's cases")
})

t.test('the CSV for people: Vietnamese by default, hours with one decimal, the total last; English on request', async (t) => {
  const vi = await app.inject({ url: `/api/v1/stats/cases?unitId=${a.provinceId}&${period}&format=csv`, cookies: supervisor })
  t.equal(vi.statusCode, 200)
  t.match(vi.headers['content-type'], /^text\/csv/)
  const table = parseCsv(vi.body.replace(/^\uFEFF/, ''), ';')
  t.match(table[0]![0], /^Đơn vị: /)
  t.equal(table[0]![1], 'Kỳ: 01/11/2026 – 30/11/2026')
  t.same(table[2]!.slice(0, 10), [
    'Mã đơn vị', 'Tên đơn vị', 'Số phản ánh mới', 'Số phản ánh đã xử lý', 'Xử lý đúng hạn', 'Tỷ lệ đúng hạn (%)',
    'Thời gian xử lý – trung vị (giờ)', 'Thời gian xử lý – 90 % (giờ)', 'Đang mở', 'Quá hạn'
  ])
  const totalLine = table.at(-1)!
  t.same(totalLine.slice(1, 11), ['Tổng cộng', '4', '3', '2', '66,7', '48,0', '144,0', '2', '1', 'Chờ lâu (3), Thái độ (1)'])

  const en = await app.inject({ url: `/api/v1/stats/cases?unitId=${a.provinceId}&${period}&format=csv&lang=en`, cookies: supervisor })
  const english = parseCsv(en.body.replace(/^\uFEFF/, ''), ',')
  t.same(english.at(-1)!.slice(1, 11), ['Total', '4', '3', '2', '66.7', '48.0', '144.0', '2', '1', 'Long wait (3), Attitude (1)'])
})

t.test('in scope only: another province is not found; a centre supervisor sees the centre', async (t) => {
  const outside = await app.inject({ url: `/api/v1/stats/cases?unitId=${elsewhere.provinceId}&${period}`, cookies: supervisor })
  t.equal(outside.statusCode, 404)
  t.equal(outside.json().code, 'UNIT_NOT_FOUND')
  const centreSupervisor = await signIn(app, await seedUser(app.db, 'supervisor', b.centreId))
  const own = await app.inject({ url: `/api/v1/stats/cases?${period}`, cookies: centreSupervisor })
  t.equal(own.statusCode, 200)
  t.match(own.json().total, { opened: 1, openNow: 1 }, "the default scope: the supervisor's centre")
  const bad = await app.inject({ url: '/api/v1/stats/cases?from=2026-11-30&to=2026-11-01', cookies: supervisor })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'RANGE_INVALID')
})
