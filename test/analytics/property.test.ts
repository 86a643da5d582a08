// Property: on random ratings (levels, criteria met / not met / not applicable, times near local midnight and month ends, misuse,
// late batches, some still pending), every figure from the rollups (detail, subtree, per-subtree officer, counter and heat-map years)
// equals the same figure from raw ratings, and each criterion's answers are counted as given.
import assert from 'node:assert/strict'
import t from 'tap'
import fc from 'fast-check'
import { sql } from 'kysely'
import { byChannel, byCounter, byOfficer, byUnit, heatmap, summary, timeseries, type FigureFilter } from '../../analytics/queries.ts'
import { rebuildRollups } from '../../analytics/rollup-tables.ts'
import { rollUpPending } from '../../analytics/rollup-worker.ts'
import type { CriterionAnswer } from '../../db/schema.ts'
import { migratedDatabase, databaseKind } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'
import { addRatings, type TestRating } from './ratings.ts'

// Around month and year ends, and far enough apart that periods cover whole months, part-months and more than half a year.
const days = [
  '2025-12-31',
  '2026-01-01',
  '2026-06-30',
  '2026-10-29',
  '2026-10-31',
  '2026-11-01',
  '2026-11-02',
  '2026-11-15',
  '2026-11-20',
  '2026-11-30',
  '2026-12-01',
  '2026-12-02',
  '2026-12-31'
]
const criterionCodes = ['xin_chao', 'xin_loi', 'luon_mim_cuoi', 'luon_giup_do']

t.test(`rollup figures equal raw figures (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const first = await seedCentre(db, { counters: 2, officers: 2 })
  const second = await seedCentre(db, { counters: 1, officers: 1, parentId: first.provinceId })
  const places = [
    {
      unitId: first.centreId,
      counterId: first.counterIds[0]!,
      terminalId: first.terminal.id,
      officers: first.officers.map((officer) => officer.id)
    },
    {
      unitId: first.centreId,
      counterId: first.counterIds[1]!,
      terminalId: first.terminal.id,
      officers: first.officers.map((officer) => officer.id)
    },
    {
      unitId: second.centreId,
      counterId: second.counterIds[0]!,
      terminalId: second.terminal.id,
      officers: second.officers.map((officer) => officer.id)
    }
  ]

  const rating = fc
    .record({
      place: fc.integer({ min: 0, max: places.length - 1 }),
      officer: fc.integer({ min: -1, max: 1 }),
      level: fc.integer({ min: 1, max: 4 }),
      criteria: fc.dictionary(fc.constantFrom(...criterionCodes), fc.constantFrom<CriterionAnswer>(true, false, 'na'), { maxKeys: 4 }),
      day: fc.constantFrom(...days),
      // Minutes from local midnight: mostly within 90 minutes of either side of it, where UTC and local days differ.
      minute: fc.oneof(fc.integer({ min: -90, max: 90 }), fc.integer({ min: 0, max: 24 * 60 - 1 })),
      misuse: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
      // A few dossier codes, so a dossier is often rated more than once (across days, counters and centres), and many ratings without.
      dossierCode: fc.option(fc.constantFrom('HS-1', 'HS-2', 'HS-3', 'H56/2026.4'), { freq: 2 }),
      source: fc.constantFrom<'touch' | 'button' | 'phone'>('touch', 'touch', 'button', 'phone')
    })
    .map((drawn): TestRating => {
      const place = places[drawn.place]!
      const at = new Date(new Date(`${drawn.day}T00:00:00+07:00`).getTime() + drawn.minute * 60_000)
      return {
        unitId: place.unitId,
        counterId: place.counterId,
        terminalId: place.terminalId,
        officerId: drawn.officer < 0 ? null : place.officers[drawn.officer % place.officers.length]!,
        level: drawn.level,
        criteria: drawn.criteria,
        at,
        misuse: drawn.misuse,
        dossierCode: drawn.dossierCode,
        source: drawn.source
      }
    })
  // Several ingest batches: a later batch may hold older ratings (a terminal back online after days). Some
  // batches stay pending (stored, not yet rolled up by the worker): figures must count them all the same.
  const batches = fc.array(fc.record({ ratings: fc.array(rating, { maxLength: 12 }), pending: fc.boolean() }), {
    minLength: 1,
    maxLength: 4
  })
  const query = fc.record({
    root: fc.constantFrom<Array<string | null>>(first.provinceId, first.communeId, second.centreId, null),
    from: fc.integer({ min: 0, max: days.length - 1 }),
    length: fc.integer({ min: 0, max: days.length - 1 }),
    counter: fc.option(fc.integer({ min: 0, max: places.length - 1 }), { freq: 3 }),
    officer: fc.option(fc.integer({ min: 0, max: 1 }), { freq: 3 }),
    includeMisuse: fc.boolean(),
    interval: fc.constantFrom('hour', 'day', 'week', 'month'),
    catchUp: fc.constantFrom('worker', 'rebuild')
  })

  let runs = 0
  await fc.assert(
    fc.asyncProperty(batches, query, async (ratingBatches, drawn) => {
      for (const table of ['subtree_rollups', 'rating_rollups', 'officer_rollups', 'counter_rollups', 'heatmap_rollups']) {
        await sql`delete from ${sql.table(table)}`.execute(db)
      }
      await sql`delete from ratings`.execute(db)
      for (const batch of ratingBatches) await addRatings(db, batch.ratings, { pending: batch.pending })
      const from = days[drawn.from]!
      const to = days[Math.min(days.length - 1, drawn.from + drawn.length)]!
      const filter: FigureFilter = {
        unitId: drawn.root,
        from,
        to,
        includeMisuse: drawn.includeMisuse,
        counterId: drawn.counter === null ? null : places[drawn.counter]!.counterId,
        officerId: drawn.officer === null ? null : first.officers[drawn.officer]!.id
      }
      const raw = { source: 'ratings' as const }
      assert.deepEqual(await summary(db, filter), await summary(db, filter, raw), 'summary')
      assert.deepEqual(await byOfficer(db, filter, { minSample: 3 }), await byOfficer(db, filter, { ...raw, minSample: 3 }), 'by officer')
      assert.deepEqual(await byCounter(db, filter), await byCounter(db, filter, raw), 'by counter')
      assert.deepEqual(await byUnit(db, filter), await byUnit(db, filter, raw), 'by unit')
      assert.deepEqual(await heatmap(db, filter), await heatmap(db, filter, raw), 'heat map')
      // The whole year 2026, and 2026 less its first and last day: the per-subtree officer, counter and heat-map year rows.
      for (const [from, to] of [
        ['2026-01-01', '2026-12-31'],
        ['2026-01-02', '2026-12-30']
      ] as const) {
        const year = { ...filter, from, to }
        assert.deepEqual(
          await byOfficer(db, year, { minSample: 3 }),
          await byOfficer(db, year, { ...raw, minSample: 3 }),
          `by officer ${from}…${to}`
        )
        assert.deepEqual(await byCounter(db, year), await byCounter(db, year, raw), `by counter ${from}…${to}`)
        assert.deepEqual(await summary(db, year), await summary(db, year, raw), `summary ${from}…${to}`)
        assert.deepEqual(await heatmap(db, year), await heatmap(db, year, raw), `heat map ${from}…${to}`)
      }
      // An hourly series is limited to 31 days: one day, or two neighbouring days of the list close enough.
      const next = days[Math.min(days.length - 1, drawn.from + Math.min(1, drawn.length))]!
      const series = {
        ...filter,
        interval: drawn.interval,
        ...(drawn.interval === 'hour' ? { to: new Date(next).getTime() - new Date(from).getTime() < 31 * 86_400_000 ? next : from } : {})
      }
      assert.deepEqual(await timeseries(db, series), await timeseries(db, series, raw), `time series by ${drawn.interval}`)
      // Decision 766 per dossier, counted here from the ratings given (not by the oracle): a dossier (unit, code) is
      // unsatisfied if any of its ratings in the period is; a rating without a code counts one.
      const subtree: Record<string, string[]> = {
        [first.provinceId]: [first.centreId, second.centreId],
        [first.communeId]: [first.centreId],
        [second.centreId]: [second.centreId]
      }
      const periodStart = new Date(`${from}T00:00:00+07:00`)
      const periodEnd = new Date(new Date(`${to}T00:00:00+07:00`).getTime() + 86_400_000)
      const counted = ratingBatches.flatMap((batch) => batch.ratings).filter((r) =>
        (filter.unitId === null || subtree[filter.unitId]!.includes(r.unitId)) &&
        new Date(r.at) >= periodStart && new Date(r.at) < periodEnd &&
        (filter.counterId === null || r.counterId === filter.counterId) &&
        (filter.officerId === null || r.officerId === filter.officerId) &&
        (filter.includeMisuse === true || r.misuse !== true))
      const visits = new Map<string, boolean>()
      counted.forEach((r, index) => {
        const key = r.dossierCode == null ? `rating ${index}` : `${r.unitId} ${r.dossierCode}`
        visits.set(key, (visits.get(key) ?? false) || r.level === 1)
      })
      const unsatisfiedVisits = [...visits.values()].filter(Boolean).length
      const figures = await summary(db, filter)
      assert.deepEqual(
        { dossiers: figures.dossiers, basis: figures.rate766Basis, rate766: figures.rate766 },
        {
          dossiers: new Set(counted.filter((r) => r.dossierCode != null).map((r) => `${r.unitId} ${r.dossierCode}`)).size,
          basis: counted.some((r) => r.dossierCode != null) ? 'dossier' : 'rating',
          rate766: visits.size === 0 ? null : (visits.size - unsatisfiedVisits) / visits.size
        },
        'Decision 766 per dossier, as the ratings give it'
      )
      // By channel: the whole from the rollups less the button and phone ratings equals the raw count per channel.
      const channelRows = await byChannel(db, filter)
      assert.deepEqual(channelRows, await byChannel(db, filter, raw), 'by channel')
      assert.deepEqual(
        channelRows.rows.map((row) => row.total),
        (['touch', 'button', 'phone'] as const).map((channel) => counted.filter((r) => r.source === channel).length),
        'each channel counts its own ratings'
      )
      // Unfiltered totals must also match the number of ratings stored: nothing missed, nothing doubled.
      const all = await summary(db, { unitId: null, from: days[0]!, to: days.at(-1)!, includeMisuse: true })
      const inRange = ratingBatches
        .flatMap((batch) => batch.ratings)
        .filter(
          (r) => new Date(r.at) >= new Date(`${days[0]}T00:00:00+07:00`) && new Date(r.at) < new Date(`${days.at(-1)}T24:00:00+07:00`)
        )
      assert.equal(all.total, inRange.length, 'every rating counted exactly once')
      // Each criterion: yes/no answers in `answered` (met among them), "not applicable" on its own, as the citizens answered.
      for (const code of criterionCodes) {
        const answers = inRange.map((r) => r.criteria?.[code])
        const counted = all.criteria.find((criterion) => criterion.code === code)
        assert.deepEqual(
          counted === undefined ? undefined : { answered: counted.answered, met: counted.met, notApplicable: counted.notApplicable },
          {
            answered: answers.filter((answer) => answer === true || answer === false).length,
            met: answers.filter((answer) => answer === true).length,
            notApplicable: answers.filter((answer) => answer === 'na').length
          },
          `criterion ${code} counted as answered`
        )
      }
      // The rollup worker catches up (or a rebuild runs): nothing is pending any more and no figure moves.
      const before = [await byOfficer(db, filter, { minSample: 3 }), await timeseries(db, series)]
      if (drawn.catchUp === 'worker') await db.transaction().execute((trx) => rollUpPending(trx, 1000))
      else await rebuildRollups(db)
      const pending = await sql<{ n: number }>`select count(*)::int as n from rollup_queue`.execute(db)
      assert.equal(pending.rows[0]!.n, 0, `no rating left pending after the ${drawn.catchUp}`)
      assert.deepEqual(
        [await byOfficer(db, filter, { minSample: 3 }), await timeseries(db, series)],
        before,
        `figures unchanged by the ${drawn.catchUp}`
      )
      runs++
    }),
    { numRuns: 30, endOnFailure: true }
  )
  t.equal(runs, 30, 'every run compared all six figures')
})
