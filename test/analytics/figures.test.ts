// Figures on hand-made ratings: rates, criteria, local-day edges, misuse, subtrees, officers' small samples, heat map.
import t from 'tap'
import { byCounter, byOfficer, byUnit, heatmap, periodOf, summary, timeseries, AnalyticsInputError } from '../../analytics/queries.ts'
import { migratedDatabase, databaseKind } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'
import { addRatings } from './ratings.ts'

t.test(`figures on a small centre (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const centre = await seedCentre(db, { counters: 2, officers: 2 })
  const [hong, duc] = centre.officers
  const at = { unitId: centre.centreId, terminalId: centre.terminal.id }
  const counter1 = centre.counterIds[0]!
  const counter2 = centre.counterIds[1]!
  await addRatings(db, [
    // 23:30 local on 1 Nov (16:30 UTC) belongs to 1 Nov.
    {
      ...at,
      counterId: counter1,
      officerId: hong!.id,
      level: 4,
      criteria: { xin_chao: true, luon_mim_cuoi: true },
      at: '2026-11-01T23:30:00+07:00'
    },
    { ...at, counterId: counter1, officerId: hong!.id, level: 3, criteria: { xin_chao: false }, at: '2026-11-01T08:15:00+07:00' },
    // 00:30 local on 2 Nov (17:30 UTC on 1 Nov) belongs to 2 Nov.
    {
      ...at,
      counterId: counter2,
      officerId: duc!.id,
      level: 1,
      criteria: { xin_chao: true, xin_loi: false },
      at: '2026-11-02T00:30:00+07:00'
    },
    // Nothing went wrong, nothing needed permission: "not applicable" to both, outside their rates.
    {
      ...at,
      counterId: counter2,
      officerId: duc!.id,
      level: 2,
      criteria: { xin_loi: 'na', xin_phep: 'na' },
      at: '2026-11-02T09:00:00+07:00'
    },
    { ...at, counterId: counter2, officerId: null, level: 4, at: '2026-11-02T10:00:00+07:00' },
    // Misuse: left out unless asked.
    { ...at, counterId: counter1, officerId: hong!.id, level: 1, at: '2026-11-01T09:00:00+07:00', misuse: true },
    // Outside the period on both sides.
    { ...at, counterId: counter1, officerId: hong!.id, level: 1, at: '2026-10-31T23:59:00+07:00' },
    { ...at, counterId: counter1, officerId: hong!.id, level: 1, at: '2026-11-03T00:00:00+07:00' }
  ])
  const filter = { unitId: centre.provinceId, from: '2026-11-01', to: '2026-11-02' }

  const figures = await summary(db, filter)
  t.same(
    figures,
    {
      total: 5,
      byLevel: { 4: 2, 3: 1, 2: 1, 1: 1 },
      satisfied: 3,
      neutral: 1,
      unsatisfied: 1,
      satisfactionRate: 3 / 5,
      rate766: 4 / 5,
      rate766Basis: 'rating',
      dossiers: 0,
      scoreIndex: (100 + 75 + 0 + 40 + 100) / 5,
      criteria: [
        { code: 'xin_chao', answered: 3, met: 2, notApplicable: 0, rate: 2 / 3 },
        { code: 'xin_loi', answered: 1, met: 0, notApplicable: 1, rate: 0 },
        { code: 'xin_cam_on', answered: 0, met: 0, notApplicable: 0, rate: null },
        { code: 'xin_phep', answered: 0, met: 0, notApplicable: 1, rate: null },
        { code: 'luon_mim_cuoi', answered: 1, met: 1, notApplicable: 0, rate: 1 },
        { code: 'luon_nhe_nhang', answered: 0, met: 0, notApplicable: 0, rate: null },
        { code: 'luon_lang_nghe', answered: 0, met: 0, notApplicable: 0, rate: null },
        { code: 'luon_giup_do', answered: 0, met: 0, notApplicable: 0, rate: null }
      ]
    },
    'summary of the province over 1–2 Nov'
  )
  t.equal((await summary(db, { ...filter, includeMisuse: true })).total, 6, 'misuse counts only when asked')
  t.equal((await summary(db, { ...filter, from: '2026-11-02' })).total, 3, 'the 00:30 rating is on 2 Nov')
  t.equal((await summary(db, { ...filter, to: '2026-11-01' })).total, 2, 'the 23:30 rating is on 1 Nov')
  t.equal((await summary(db, { ...filter, counterId: counter2 })).total, 3)
  t.equal((await summary(db, { ...filter, officerId: hong!.id })).total, 2)
  const empty = await summary(db, { ...filter, from: '2027-01-01', to: '2027-01-31' })
  t.same(
    [empty.total, empty.satisfactionRate, empty.rate766, empty.scoreIndex, empty.byLevel],
    [0, null, null, null, { 4: 0, 3: 0, 2: 0, 1: 0 }],
    'nothing to divide: null rates'
  )

  const days = await timeseries(db, { ...filter, from: '2026-10-31', to: '2026-11-03', interval: 'day' })
  t.same(
    days.rows.map((row) => [row.bucket, row.total]),
    [
      ['2026-10-31T00:00:00+07:00', 1],
      ['2026-11-01T00:00:00+07:00', 2],
      ['2026-11-02T00:00:00+07:00', 3],
      ['2026-11-03T00:00:00+07:00', 1]
    ],
    'days are local days, empty ones included'
  )
  const months = await timeseries(db, { ...filter, from: '2026-10-15', to: '2026-12-31', interval: 'month' })
  t.same(
    months.rows.map((row) => [row.bucket, row.total]),
    [
      ['2026-10-01T00:00:00+07:00', 1],
      ['2026-11-01T00:00:00+07:00', 6],
      ['2026-12-01T00:00:00+07:00', 0]
    ]
  )
  const weeks = await timeseries(db, { ...filter, from: '2026-10-31', to: '2026-11-03', interval: 'week' })
  t.same(
    weeks.rows.map((row) => [row.bucket, row.total]),
    [
      ['2026-10-26T00:00:00+07:00', 3],
      ['2026-11-02T00:00:00+07:00', 4]
    ],
    'weeks start on Monday; 1 Nov 2026 is a Sunday'
  )
  const hours = await timeseries(db, { ...filter, from: '2026-11-02', to: '2026-11-02', interval: 'hour' })
  t.equal(hours.rows.length, 24)
  t.same(
    hours.rows.filter((row) => row.total > 0).map((row) => row.bucket),
    ['2026-11-02T00:00:00+07:00', '2026-11-02T09:00:00+07:00', '2026-11-02T10:00:00+07:00']
  )

  const heat = await heatmap(db, filter)
  t.equal(heat.rows.length, 7 * 24)
  t.same(
    heat.rows.filter((row) => row.total > 0).map((row) => [row.weekday, row.hour, row.total]),
    [
      [1, 0, 1],
      [1, 9, 1],
      [1, 10, 1],
      [7, 8, 1],
      [7, 23, 1]
    ],
    'Sunday 1 Nov 23:30 is (7, 23); Monday 00:30 is (1, 0)'
  )

  const officers = await byOfficer(db, filter, { minSample: 2 })
  t.same(
    officers.rows.map((row) => [row.fullName, row.total, row.smallSample, row.satisfactionRate]),
    [
      ['Nguyễn Thị Hồng', 2, false, 1],
      ['Trần Văn Đức', 2, false, 0],
      [null, 1, true, 1]
    ],
    'officers by name; ratings with nobody signed in last'
  )
  t.equal((await byOfficer(db, filter, { minSample: 3 })).rows[0]!.smallSample, true, 'fewer ratings than the minimum sample are marked')

  const counters = await byCounter(db, filter)
  t.same(
    counters.rows.map((row) => [row.number, row.name, row.total, row.rate766]),
    [
      [1, 'Quầy 1', 2, 1],
      [2, 'Quầy 2', 3, 2 / 3]
    ]
  )

  // A second commune under the same province, with its own centre.
  const other = await seedCentre(db, { parentId: centre.provinceId })
  await addRatings(db, [
    { unitId: other.centreId, counterId: other.counterIds[0]!, terminalId: other.terminal.id, level: 4, at: '2026-11-01T12:00:00+07:00' }
  ])
  const units = await byUnit(db, filter)
  t.same(
    units.rows.map((row) => [row.unitId, row.total]),
    [
      [centre.communeId, 5],
      [other.communeId, 1]
    ],
    'each child unit over its whole subtree'
  )
  t.same(
    (await byUnit(db, { ...filter, unitId: centre.centreId })).rows.map((row) => [row.unitId, row.total]),
    [[centre.centreId, 5]],
    'ratings on the root unit itself get their own row'
  )
  t.same(
    (await byUnit(db, { ...filter, unitId: centre.centreId, from: '2027-01-01', to: '2027-01-01' })).rows,
    [],
    'a unit with no children and no ratings: no rows'
  )
  t.equal((await summary(db, { ...filter, unitId: other.communeId })).total, 1, 'a subtree sees only its own ratings')
})

t.test('periods: whole local days, bad and long ranges', async (t) => {
  const period = periodOf('2026-11-01', '2026-11-30')
  t.equal(period.start.toISOString(), '2026-10-31T17:00:00.000Z')
  t.equal(period.end.toISOString(), '2026-11-30T17:00:00.000Z')
  t.equal(period.days, 30)
  t.throws(
    () => periodOf('2026-11-31', '2026-12-01'),
    new AnalyticsInputError('RANGE_INVALID', 'from must be a date YYYY-MM-DD, got "2026-11-31"')
  )
  t.throws(() => periodOf('2026-12-02', '2026-12-01'), { code: 'RANGE_INVALID' })
  t.throws(() => periodOf('2020-01-01', '2026-12-01'), { code: 'RANGE_TOO_LONG' })
})

t.test(`a criterion code first counted after figures were read counts at once, pending or rolled up (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const centre = await seedCentre(db)
  const at = {
    unitId: centre.centreId,
    counterId: centre.counterIds[0]!,
    terminalId: centre.terminal.id,
    officerId: centre.officers[0]!.id
  }
  const filter = { unitId: centre.provinceId, from: '2026-01-01', to: '2026-12-31' }
  const answered = async (code: string): Promise<Array<number | undefined>> => {
    const [fromRollups, raw] = await Promise.all([summary(db, filter), summary(db, filter, { source: 'ratings' })])
    t.same(fromRollups, raw, 'rollups + pending equal raw')
    const officers = await byOfficer(db, filter, { minSample: 1 })
    t.same(officers, await byOfficer(db, filter, { source: 'ratings', minSample: 1 }), 'officers too')
    return [
      fromRollups.criteria.find((criterion) => criterion.code === code)?.answered,
      officers.rows[0]?.criteria.find((criterion) => criterion.code === code)?.answered
    ]
  }
  await addRatings(db, [{ ...at, level: 4, criteria: { xin_chao: true }, at: '2026-03-02T09:00:00+07:00' }])
  t.same(await answered('xin_chao'), [1, 1], 'the slots are read (and kept) with the first figures')
  // A code no rating had: pending, it has no slot yet.
  await addRatings(db, [{ ...at, level: 3, criteria: { moi_tieu_chi: true }, at: '2026-03-02T10:00:00+07:00' }], { pending: true })
  t.same(await answered('moi_tieu_chi'), [1, 1], 'a pending rating with a code that has no slot yet')
  // Rolled up: the code gets a slot the kept list lacks.
  await addRatings(db, [{ ...at, level: 2, criteria: { ma_khac: false }, at: '2026-03-03T10:00:00+07:00' }])
  t.same(await answered('ma_khac'), [1, 1], 'a slot given after the list was kept')
})
