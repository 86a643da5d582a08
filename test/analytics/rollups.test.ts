// Rollups: recordRatings adds each rating once to its hour, local day and local month; rebuildRollups gives the same rows.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql } from 'kysely'
import { recordRatings, rebuildRollups, withRollups, type RatingForRollup } from '../../analytics/rollups.ts'
import { migratedDatabase, databaseKind } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'
import type { Database } from '../../api/db/schema.ts'
import type { Kysely } from 'kysely'

async function insertRatings (db: Kysely<Database>, terminalId: string, ratings: RatingForRollup[]): Promise<void> {
  await db.insertInto('ratings').values(ratings.map((rating) => ({
    id: randomUUID(), unit_id: rating.unitId, counter_id: rating.counterId, terminal_id: terminalId, officer_id: rating.officerId,
    device_officer_id: null, level: rating.level, category: rating.category, weight: rating.weight, criteria: JSON.stringify(rating.criteria),
    rated_at: rating.countedAt, counted_at: rating.countedAt, source: 'touch' as const, misuse: rating.misuse, misuse_reason: rating.misuse ? 'burst' as const : null, rolled_up: true
  }))).execute()
  await recordRatings(db, ratings)
}

async function rollupRows (db: Kysely<Database>): Promise<unknown[]> {
  const rdb = withRollups(db)
  const rows = await rdb.selectFrom('rating_rollups').selectAll().orderBy('grain').orderBy('bucket').orderBy('counter_id').orderBy('officer_id').orderBy('misuse').execute()
  const criteria = await rdb.selectFrom('rating_criterion_rollups').selectAll().orderBy('grain').orderBy('bucket').orderBy('counter_id').orderBy('officer_id').orderBy('misuse').orderBy('criterion_code').execute()
  return [rows.map((row) => ({ ...row, bucket: new Date(row.bucket).toISOString() })), criteria.map((row) => ({ ...row, bucket: new Date(row.bucket).toISOString() }))]
}

t.test(`recordRatings fills hour, local day and local month buckets (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => { await db.destroy(); await drop() })
  const centre = await seedCentre(db)
  const base = { unitId: centre.centreId, counterId: centre.counterIds[0]!, officerId: centre.officers[0]!.id, misuse: false }
  // 23:30 local on 30 Nov is 16:30 UTC; 00:30 local on 1 Dec is 17:30 UTC on 30 Nov.
  const lateNovember = new Date('2026-11-30T23:30:00+07:00')
  const earlyDecember = new Date('2026-12-01T00:30:00+07:00')
  await insertRatings(db, centre.terminal.id, [
    { ...base, level: 4, category: 'satisfied', weight: 100, criteria: { xin_chao: true, xin_loi: false }, countedAt: lateNovember },
    { ...base, level: 1, category: 'unsatisfied', weight: 0, criteria: { xin_chao: false }, countedAt: lateNovember },
    { ...base, level: 2, category: 'neutral', weight: 40, criteria: {}, countedAt: earlyDecember }
  ])
  // A late arrival in a later transaction adds to the same bucket.
  await insertRatings(db, centre.terminal.id, [{ ...base, level: 3, category: 'satisfied', weight: 75, criteria: { xin_chao: true }, countedAt: lateNovember }])

  const rdb = withRollups(db)
  const days = await rdb.selectFrom('rating_rollups').select(['bucket', 'total', 'satisfied', 'neutral', 'unsatisfied', 'weight_sum', 'level_1', 'level_3', 'level_4'])
    .where('grain', '=', 'day').orderBy('bucket').execute()
  t.same(days.map((row) => ({ ...row, bucket: new Date(row.bucket).toISOString() })), [
    { bucket: '2026-11-29T17:00:00.000Z', total: 3, satisfied: 2, neutral: 0, unsatisfied: 1, weight_sum: 175, level_1: 1, level_3: 1, level_4: 1 },
    { bucket: '2026-11-30T17:00:00.000Z', total: 1, satisfied: 0, neutral: 1, unsatisfied: 0, weight_sum: 40, level_1: 0, level_3: 0, level_4: 0 }
  ], 'the 23:30 ratings count on 30 Nov, the 00:30 one on 1 Dec (local days)')
  const months = await rdb.selectFrom('rating_rollups').select(['bucket', 'total']).where('grain', '=', 'month').orderBy('bucket').execute()
  t.same(months.map((row) => [new Date(row.bucket).toISOString(), row.total]), [['2026-10-31T17:00:00.000Z', 3], ['2026-11-30T17:00:00.000Z', 1]])
  const criteria = await rdb.selectFrom('rating_criterion_rollups').select(['criterion_code', 'answered', 'met'])
    .where('grain', '=', 'month').orderBy('criterion_code').execute()
  t.same(criteria, [{ criterion_code: 'xin_chao', answered: 3, met: 2 }, { criterion_code: 'xin_loi', answered: 1, met: 0 }])

  const recorded = await rollupRows(db)
  await rebuildRollups(db)
  t.same(await rollupRows(db), recorded, 'a rebuild from raw ratings gives the same rows')
  await recordRatings(db, [])
  t.same(await rollupRows(db), recorded, 'no ratings, no change')
})

t.test('a rolled-back ingest transaction leaves the rollups untouched', async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => { await db.destroy(); await drop() })
  const centre = await seedCentre(db)
  const rating: RatingForRollup = { unitId: centre.centreId, counterId: centre.counterIds[0]!, officerId: null, level: 4, category: 'satisfied', weight: 100, criteria: {}, countedAt: new Date(), misuse: false }
  await t.rejects(db.transaction().execute(async (trx) => {
    await recordRatings(trx, [rating])
    throw new Error('ingest failed')
  }))
  const count = await sql<{ n: number }>`select count(*) as n from rating_rollups`.execute(db)
  t.equal(count.rows[0]!.n, 0)
  await t.rejects(recordRatings(db, [{ ...rating, level: 11 }]), RangeError)
})

t.test('a rating flagged as misuse after ingest moves to the misuse rows', async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => { await db.destroy(); await drop() })
  const centre = await seedCentre(db)
  const rating: RatingForRollup = { unitId: centre.centreId, counterId: centre.counterIds[0]!, officerId: null, level: 1, category: 'unsatisfied', weight: 0, criteria: { xin_chao: false }, countedAt: new Date('2026-11-02T09:00:00+07:00'), misuse: false }
  await insertRatings(db, centre.terminal.id, [rating])
  await db.transaction().execute(async (trx) => {
    await recordRatings(trx, [rating], { sign: -1 })
    await recordRatings(trx, [{ ...rating, misuse: true }])
  })
  const months = await withRollups(db).selectFrom('rating_rollups').select(['misuse', 'total', 'unsatisfied', 'level_1']).where('grain', '=', 'month').orderBy('misuse').execute()
  t.same(months, [{ misuse: false, total: 0, unsatisfied: 0, level_1: 0 }, { misuse: true, total: 1, unsatisfied: 1, level_1: 1 }])
})
