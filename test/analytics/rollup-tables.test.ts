// Rollups: recordRatings adds each rating once to its local day, month and year (per counter × officer) and to the subtree rows (per unit,
// per officer, per counter) of its unit and every unit above; rebuildRollups gives the same counts; a unit move shifts its subtree.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql } from 'kysely'
import { criterionSlots, recordRatings, rebuildRollups, type RatingForRollup } from '../../analytics/rollup-tables.ts'
import { byCounter, byOfficer, byUnit, heatmap, summary, timeseries } from '../../analytics/queries.ts'
import { migratedDatabase, databaseKind } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'
import type { Database } from '../../db/schema.ts'
import type { Kysely } from 'kysely'

async function insertRatings (db: Kysely<Database>, terminalId: string, ratings: RatingForRollup[]): Promise<void> {
  await db
    .insertInto('ratings')
    .values(
      ratings.map((rating) => ({
        id: randomUUID(),
        unit_id: rating.unitId,
        counter_id: rating.counterId,
        terminal_id: terminalId,
        officer_id: rating.officerId,
        device_officer_id: null,
        level: rating.level,
        category: rating.category,
        weight: rating.weight,
        criteria: JSON.stringify(rating.criteria),
        rated_at: rating.countedAt,
        counted_at: rating.countedAt,
        source: 'touch' as const,
        misuse: rating.misuse,
        misuse_reason: rating.misuse ? ('burst' as const) : null
      }))
    )
    .execute()
  await recordRatings(db, ratings)
}

/** Every rollup row with its criteria by code (zeros left out): comparable whatever the array lengths. */
async function rollupRows (db: Kysely<Database>): Promise<unknown[]> {
  const codes = new Map([...(await criterionSlots(db)).entries()].map(([code, slot]) => [slot, code]))
  const readable = ({
    answered,
    met,
    na,
    bucket,
    ...row
  }: { answered: number[]; met: number[]; na: number[]; bucket: Date | string } & Record<string, unknown>): unknown => ({
    ...row,
    bucket: new Date(bucket).toISOString(),
    criteria: Object.fromEntries(
      Array.from({ length: Math.max(answered.length, na.length) }, (_, index) => [answered[index] ?? 0, met[index] ?? 0, na[index] ?? 0])
        .flatMap((counts, index) => (counts[0] === 0 && counts[2] === 0 ? [] : [[codes.get(index + 1), counts]]))
    )
  })
  const detail = await db
    .selectFrom('rating_rollups')
    .selectAll()
    .where('total', '<>', 0)
    .orderBy('grain')
    .orderBy('bucket')
    .orderBy('counter_id')
    .orderBy('officer_id')
    .orderBy('misuse')
    .execute()
  const subtree = await db
    .selectFrom('subtree_rollups')
    .selectAll()
    .where('total', '<>', 0)
    .orderBy('grain')
    .orderBy('unit_id')
    .orderBy('bucket')
    .orderBy('misuse')
    .execute()
  const officers = await db
    .selectFrom('officer_rollups')
    .selectAll()
    .where('total', '<>', 0)
    .orderBy('unit_id')
    .orderBy('grain')
    .orderBy('bucket')
    .orderBy('officer_id')
    .orderBy('misuse')
    .execute()
  const counters = await db
    .selectFrom('counter_rollups')
    .selectAll()
    .where('total', '<>', 0)
    .orderBy('unit_id')
    .orderBy('grain')
    .orderBy('bucket')
    .orderBy('counter_id')
    .orderBy('misuse')
    .execute()
  const cells = await db
    .selectFrom('heatmap_rollups')
    .selectAll()
    .where('total', '<>', 0)
    .orderBy('unit_id')
    .orderBy('grain')
    .orderBy('bucket')
    .orderBy('cell')
    .orderBy('misuse')
    .execute()
  return [detail.map(readable), subtree.map(readable), officers.map(readable), counters.map(readable), cells.map(readable)]
}

t.test(`recordRatings fills local days, months, years and every ancestor's subtree rows (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const centre = await seedCentre(db)
  const base = { unitId: centre.centreId, counterId: centre.counterIds[0]!, officerId: centre.officers[0]!.id, misuse: false }
  // 23:30 local on 31 Dec is 16:30 UTC; 00:30 local on 1 Jan is 17:30 UTC on 31 Dec.
  const lateDecember = new Date('2026-12-31T23:30:00+07:00')
  const earlyJanuary = new Date('2027-01-01T00:30:00+07:00')
  await insertRatings(db, centre.terminal.id, [
    { ...base, level: 4, category: 'satisfied', weight: 100, criteria: { xin_chao: true, xin_loi: false }, countedAt: lateDecember },
    { ...base, level: 1, category: 'unsatisfied', weight: 0, criteria: { xin_chao: false, xin_loi: 'na' }, countedAt: lateDecember },
    { ...base, level: 2, category: 'neutral', weight: 40, criteria: {}, countedAt: earlyJanuary }
  ])
  // A late arrival in a later transaction adds to the same bucket.
  await insertRatings(db, centre.terminal.id, [
    { ...base, level: 3, category: 'satisfied', weight: 75, criteria: { xin_chao: true }, countedAt: lateDecember }
  ])

  const days = await db
    .selectFrom('rating_rollups')
    .select(['bucket', 'total', 'satisfied', 'neutral', 'unsatisfied', 'weight_sum', 'level_1', 'level_3', 'level_4'])
    .where('grain', '=', 'day')
    .orderBy('bucket')
    .execute()
  t.same(
    days.map((row) => ({ ...row, bucket: new Date(row.bucket).toISOString() })),
    [
      {
        bucket: '2026-12-30T17:00:00.000Z',
        total: 3,
        satisfied: 2,
        neutral: 0,
        unsatisfied: 1,
        weight_sum: 175,
        level_1: 1,
        level_3: 1,
        level_4: 1
      },
      {
        bucket: '2026-12-31T17:00:00.000Z',
        total: 1,
        satisfied: 0,
        neutral: 1,
        unsatisfied: 0,
        weight_sum: 40,
        level_1: 0,
        level_3: 0,
        level_4: 0
      }
    ],
    'the 23:30 ratings count on 31 Dec, the 00:30 one on 1 Jan (local days)'
  )
  const expected = {
    month: ['2026-11-30T17:00:00.000Z', '2026-12-31T17:00:00.000Z'],
    year: ['2025-12-31T17:00:00.000Z', '2026-12-31T17:00:00.000Z']
  }
  for (const grain of ['month', 'year'] as const) {
    const rows = await db.selectFrom('rating_rollups').select(['bucket', 'total']).where('grain', '=', grain).orderBy('bucket').execute()
    t.same(
      rows.map((row) => [new Date(row.bucket).toISOString(), row.total]),
      [
        [expected[grain][0], 3],
        [expected[grain][1], 1]
      ],
      `local ${grain}s`
    )
  }
  const slots = await criterionSlots(db)
  const months = await db
    .selectFrom('rating_rollups')
    .select(['answered', 'met', 'na'])
    .where('grain', '=', 'month')
    .orderBy('bucket')
    .executeTakeFirstOrThrow()
  t.same(
    [
      months.answered[slots.get('xin_chao')! - 1],
      months.met[slots.get('xin_chao')! - 1],
      months.answered[slots.get('xin_loi')! - 1],
      months.met[slots.get('xin_loi')! - 1],
      months.na[slots.get('xin_loi')! - 1] ?? 0,
      months.na[slots.get('xin_chao')! - 1] ?? 0
    ],
    [3, 2, 1, 0, 1, 0],
    'criteria packed by slot: xin_chao 2 of 3 met, xin_loi 0 of 1 answered yes/no and 1 not applicable'
  )

  const subtree = await db
    .selectFrom('subtree_rollups')
    .select(['unit_id', 'total'])
    .where('grain', '=', 'year')
    .where('bucket', '=', new Date('2026-01-01T00:00:00+07:00'))
    .orderBy('unit_id')
    .execute()
  t.same(
    new Map(subtree.map((row) => [row.unit_id, row.total])),
    new Map([
      [centre.centreId, 3],
      [centre.communeId, 3],
      [centre.provinceId, 3]
    ]),
    'the centre, its commune and its province each count the year'
  )
  for (const table of ['officer_rollups', 'counter_rollups'] as const) {
    const years = await db
      .selectFrom(table)
      .select(['unit_id', 'total'])
      .where('grain', '=', 'year')
      .where('bucket', '=', new Date('2026-01-01T00:00:00+07:00'))
      .orderBy('unit_id')
      .execute()
    t.same(
      new Map(years.map((row) => [row.unit_id, row.total])),
      new Map([
        [centre.centreId, 3],
        [centre.communeId, 3],
        [centre.provinceId, 3]
      ]),
      `${table}: the centre, its commune and its province each count the officer's / counter's year`
    )
  }
  // 23:30 on Thursday 31 Dec 2026, local: cell (4 − 1) × 24 + 23.
  const cells = await db
    .selectFrom('heatmap_rollups')
    .select(['unit_id', 'cell', 'total'])
    .where('bucket', '=', new Date('2026-01-01T00:00:00+07:00'))
    .orderBy('unit_id')
    .execute()
  t.same(
    new Map(cells.map((row) => [row.unit_id, [row.cell, row.total]])),
    new Map([
      [centre.centreId, [95, 3]],
      [centre.communeId, [95, 3]],
      [centre.provinceId, [95, 3]]
    ]),
    'heat-map cells of the year, local weekday × hour'
  )
  const hours = await db
    .selectFrom('subtree_rollups')
    .select(['bucket', 'total'])
    .where('grain', '=', 'hour')
    .where('unit_id', '=', centre.provinceId)
    .orderBy('bucket')
    .execute()
  t.same(
    hours.map((row) => [new Date(row.bucket).toISOString(), row.total]),
    [
      ['2026-12-31T16:00:00.000Z', 3],
      ['2026-12-31T17:00:00.000Z', 1]
    ],
    'hour rows for the heat map and hourly series'
  )

  const recorded = await rollupRows(db)
  await rebuildRollups(db)
  t.same(await rollupRows(db), recorded, 'a rebuild from raw ratings gives the same counts')
  await recordRatings(db, [])
  t.same(await rollupRows(db), recorded, 'no ratings, no change')
})

t.test(`a rolled-back transaction leaves the rollups untouched (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const centre = await seedCentre(db)
  const rating: RatingForRollup = {
    unitId: centre.centreId,
    counterId: centre.counterIds[0]!,
    officerId: null,
    level: 4,
    category: 'satisfied',
    weight: 100,
    criteria: {},
    countedAt: new Date(),
    misuse: false
  }
  await t.rejects(
    db.transaction().execute(async (trx) => {
      await recordRatings(trx, [rating])
      throw new Error('rollup run failed')
    })
  )
  const count = await sql<{ n: number }>`select (select count(*) from rating_rollups) + (select count(*) from subtree_rollups)
    + (select count(*) from officer_rollups) + (select count(*) from counter_rollups) as n`.execute(db)
  t.equal(Number(count.rows[0]!.n), 0)
  await t.rejects(recordRatings(db, [{ ...rating, level: 11 }]), RangeError)
})

t.test(`a rating flagged as misuse after it was rolled up moves to the misuse rows (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const centre = await seedCentre(db)
  const rating: RatingForRollup = {
    unitId: centre.centreId,
    counterId: centre.counterIds[0]!,
    officerId: null,
    level: 1,
    category: 'unsatisfied',
    weight: 0,
    criteria: { xin_chao: false },
    countedAt: new Date('2026-11-02T09:00:00+07:00'),
    misuse: false
  }
  await insertRatings(db, centre.terminal.id, [rating])
  await db.transaction().execute(async (trx) => {
    await recordRatings(trx, [rating], { sign: -1 })
    await recordRatings(trx, [{ ...rating, misuse: true }])
  })
  const months = await db
    .selectFrom('rating_rollups')
    .select(['misuse', 'total', 'unsatisfied', 'level_1'])
    .where('grain', '=', 'month')
    .orderBy('misuse')
    .execute()
  t.same(months, [
    { misuse: false, total: 0, unsatisfied: 0, level_1: 0 },
    { misuse: true, total: 1, unsatisfied: 1, level_1: 1 }
  ])
  const province = await db
    .selectFrom('subtree_rollups')
    .select(['misuse', 'total'])
    .where('grain', '=', 'year')
    .where('unit_id', '=', centre.provinceId)
    .orderBy('misuse')
    .execute()
  t.same(
    province,
    [
      { misuse: false, total: 0 },
      { misuse: true, total: 1 }
    ],
    'the province subtree row moves too'
  )
  for (const table of ['officer_rollups', 'counter_rollups'] as const) {
    const rows = await db.selectFrom(table).select(['misuse', 'total']).where('unit_id', '=', centre.provinceId).orderBy('misuse').execute()
    t.same(
      rows,
      [
        { misuse: false, total: 0 },
        { misuse: true, total: 1 }
      ],
      `and the province's ${table} row`
    )
  }
})

t.test(`moving a unit to another parent moves its subtree's counts (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const first = await seedCentre(db)
  const second = await seedCentre(db, { parentId: first.provinceId })
  const at = new Date('2026-11-02T09:00:00+07:00')
  const rating = (unitId: string, counterId: string, level: number): RatingForRollup => ({
    unitId,
    counterId,
    officerId: null,
    level,
    category: level >= 3 ? 'satisfied' : level === 2 ? 'neutral' : 'unsatisfied',
    weight: [0, 0, 40, 75, 100][level]!,
    criteria: { xin_chao: level > 2, xin_phep: level === 1 ? 'na' : level === 4 },
    countedAt: at,
    misuse: false
  })
  await insertRatings(db, first.terminal.id, [
    rating(first.centreId, first.counterIds[0]!, 4),
    rating(first.centreId, first.counterIds[0]!, 1)
  ])
  await insertRatings(db, second.terminal.id, [rating(second.centreId, second.counterIds[0]!, 3)])
  // The first centre moves from its commune to the second commune.
  await db.updateTable('units').set({ parent_id: second.communeId }).where('id', '=', first.centreId).execute()

  const filter = { from: '2026-11-01', to: '2026-11-30' }
  t.equal((await summary(db, { ...filter, unitId: first.communeId })).total, 0, 'the old commune no longer counts the moved centre')
  t.equal((await summary(db, { ...filter, unitId: second.communeId })).total, 3, 'the new commune counts both centres')
  t.equal((await summary(db, { ...filter, unitId: first.provinceId })).total, 3, 'the province, above both, is unchanged')
  for (const unitId of [first.provinceId, first.communeId, second.communeId]) {
    t.same(
      await byUnit(db, { ...filter, unitId }),
      await byUnit(db, { ...filter, unitId }, { source: 'ratings' }),
      'units equal raw after the move'
    )
    t.same(
      await timeseries(db, { ...filter, unitId, interval: 'day' }),
      await timeseries(db, { ...filter, unitId, interval: 'day' }, { source: 'ratings' }),
      'series equal raw after the move'
    )
    // A whole year: the per-subtree officer and counter year rows.
    const year = { unitId, from: '2026-01-01', to: '2026-12-31' }
    t.same(
      await byOfficer(db, year, { minSample: 1 }),
      await byOfficer(db, year, { source: 'ratings', minSample: 1 }),
      'officers of the year equal raw after the move'
    )
    t.same(await byCounter(db, year), await byCounter(db, year, { source: 'ratings' }), 'counters of the year equal raw after the move')
    t.same(await heatmap(db, year), await heatmap(db, year, { source: 'ratings' }), 'the heat map of the year equals raw after the move')
  }
  t.equal(
    (await byCounter(db, { unitId: second.communeId, from: '2026-01-01', to: '2026-12-31' })).rows.length,
    2,
    "the new commune lists both centres' counters for the year"
  )
  const moved = await rollupRows(db)
  await rebuildRollups(db)
  t.same(await rollupRows(db), moved, 'the same counts as a rebuild on the new tree')
})
