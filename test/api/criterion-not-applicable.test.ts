// "Không áp dụng" per criterion: a terminal sends 'na', it is stored as such, left out of the rate and counted on its own in
// the figures JSON, the officers' figures and the CSV exports (vi and en), before and after the rollup worker.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { rebuildRollups } from '../../analytics/rollup-tables.ts'
import { build } from '../helper.ts'
import { postRatings, seedAssignment, seedCentre, seedUser, signIn } from '../fixtures.ts'
import { parseCsv } from '../csv.ts'

const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString()

t.test('a criterion answered "not applicable" is stored apart, left out of the rate and counted on its own', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const officer = centre.officers[0]!
  await seedAssignment(app.db, centre.terminal.counterId, officer.id)
  const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()]
  const response = await postRatings(app, centre.terminal.token, [
    // Nothing went wrong: nothing to apologise for.
    { id: ids[0], level: 4, criteria: { xin_chao: true, xin_loi: 'na', xin_phep: 'na' }, ratedAt: minutesAgo(40) },
    { id: ids[1], level: 4, criteria: { xin_chao: true, xin_loi: 'na' }, ratedAt: minutesAgo(30) },
    { id: ids[2], level: 1, criteria: { xin_chao: false, xin_loi: false, xin_phep: true }, ratedAt: minutesAgo(20) },
    { id: ids[3], level: 3, criteria: { xin_loi: 'maybe' }, ratedAt: minutesAgo(10) }
  ])
  t.equal(response.statusCode, 200)
  const results = response.json().results as Array<{ status: string, error?: { code: string } }>
  t.same(results.map((result) => result.status), ['created', 'created', 'created', 'rejected'])
  t.equal(results[3]!.error?.code, 'VALIDATION_FAILED', 'an answer other than true, false or "na" is a clear rejection')

  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const listed = await app.inject({ url: `/api/v1/ratings?unitId=${centre.centreId}`, cookies: supervisor })
  t.equal(listed.statusCode, 200, listed.body)
  const stored = new Map((listed.json().items as Array<{ id: string, criteria: unknown }>).map((item) => [item.id, item.criteria]))
  t.same(stored.get(ids[0]!), { xin_chao: true, xin_loi: 'na', xin_phep: 'na' }, 'stored as "na", not dropped like an unanswered one')

  const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10)
  const yesterday = new Date(Date.now() + 7 * 3_600_000 - 86_400_000).toISOString().slice(0, 10)
  const query = `unitId=${centre.centreId}&from=${yesterday}&to=${today}`
  const criterion = (figures: { criteria: Array<{ code: string }> }, code: string): unknown =>
    figures.criteria.find((item) => item.code === code)
  const check = async (when: string): Promise<void> => {
    const summary = (await app.inject({ url: `/api/v1/stats/summary?${query}`, cookies: supervisor })).json()
    t.same(criterion(summary, 'xin_loi'), { code: 'xin_loi', answered: 1, met: 0, notApplicable: 2, rate: 0 },
      `${when}: apologised — 1 yes/no answer (not met), 2 not applicable, the rate over the 1`)
    t.same(criterion(summary, 'xin_phep'), { code: 'xin_phep', answered: 1, met: 1, notApplicable: 1, rate: 1 },
      `${when}: asked permission — met once, not applicable once: 100 %, not 50 %`)
    t.same(criterion(summary, 'xin_chao'), { code: 'xin_chao', answered: 3, met: 2, notApplicable: 0, rate: 2 / 3 })
    const officers = (await app.inject({ url: `/api/v1/stats/officers?${query}`, cookies: supervisor })).json()
    const row = officers.rows.find((item: { officerId: string }) => item.officerId === officer.id)
    t.same(criterion(row, 'xin_loi'), { code: 'xin_loi', answered: 1, met: 0, notApplicable: 2, rate: 0 }, `${when}: the officer's row too`)
  }
  await check('pending')
  await rebuildRollups(app.db)
  await check('rolled up')

  const csv = async (lang: string): Promise<string[][]> => {
    const download = await app.inject({ url: `/api/v1/stats/officers?${query}&format=csv&lang=${lang}`, cookies: supervisor })
    t.equal(download.statusCode, 200)
    return parseCsv(download.rawPayload.subarray(3).toString('utf8'), lang === 'vi' ? ';' : ',').slice(2)
  }
  const [viHeader, ...viRows] = await csv('vi')
  const viRow = viRows.find((row) => row.includes(officer.id))!
  t.equal(viRow[viHeader!.indexOf('Xin lỗi – không áp dụng')], '2', 'the Vietnamese CSV has a "không áp dụng" column per criterion')
  t.equal(viRow[viHeader!.indexOf('Xin lỗi – số trả lời')], '1')
  t.equal(viRow[viHeader!.indexOf('Xin phép – tỷ lệ (%)')], '100,0')
  const [enHeader, ...enRows] = await csv('en')
  const enRow = enRows.find((row) => row.includes(officer.id))!
  t.equal(enRow[enHeader!.indexOf('Apologised – not applicable')], '2', 'and the English one a "not applicable" column')
})
