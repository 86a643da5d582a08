// Figures read while the rollup worker commits run after run: every read counts every rating exactly once.
import t from 'tap'
import { summary } from '../../analytics/queries.ts'
import { RollupWorker } from '../../analytics/rollup-worker.ts'
import { migratedDatabase, databaseKind } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'
import { addRatings, type TestRating } from './ratings.ts'

t.test(`figures stay exact while the worker rolls pending ratings up (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => { await db.destroy(); await drop() })
  const centre = await seedCentre(db)
  const count = 300
  const ratings: TestRating[] = Array.from({ length: count }, (_, i) => ({
    unitId: centre.centreId,
    counterId: centre.counterIds[0]!,
    terminalId: centre.terminal.id,
    officerId: centre.officers[i % 2]!.id,
    level: (i % 4) + 1,
    criteria: { xin_chao: i % 3 === 0 },
    at: new Date(Date.parse('2026-11-02T08:00:00+07:00') + i * 60_000)
  }))
  await addRatings(db, ratings, { pending: true })
  const filter = { unitId: centre.provinceId, from: '2026-11-01', to: '2026-11-30' }

  // Small batches: many worker commits, each moving ratings from pending to the rollups, while figures are read.
  const worker = new RollupWorker(db, { batchSize: 3 })
  let done = false
  const draining = worker.drain().finally(() => { done = true })
  const totals: number[] = []
  const answered: number[] = []
  // eslint-disable-next-line no-unmodified-loop-condition -- the writer sets `done` while this reader awaits
  while (!done) {
    const figures = await summary(db, filter)
    totals.push(figures.total)
    answered.push(figures.criteria.find((criterion) => criterion.code === 'xin_chao')?.answered ?? 0)
  }
  t.equal(await draining, count, 'the worker rolled every rating up')
  t.ok(totals.length > 0, `read the figures ${totals.length} times meanwhile`)
  t.same([...new Set(totals)], [count], 'every read counted every rating once, pending or rolled up')
  t.same([...new Set(answered)], [count], 'the criteria too')
  t.equal((await summary(db, filter)).total, count, 'and after the worker is done')
})
