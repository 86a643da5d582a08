// The statistics endpoints: scope (sessions, API tokens, officers), JSON figures, Excel-ready CSV, clear 400s, OpenAPI.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.ts'
import { seedCentre, seedUser, signIn } from '../fixtures.ts'
import { hashToken, newToken } from '../../api/lib/secrets.ts'
import { addRatings } from '../analytics/ratings.ts'

async function apiToken (app: FastifyInstance, unitId: string): Promise<string> {
  const token = newToken('hla')
  await app.db
    .insertInto('api_tokens')
    .values({ name: 'Sở Nội vụ', token_hash: hashToken(token), unit_id: unitId, created_by: null, last_used_at: null, revoked_at: null })
    .execute()
  return token
}

/** Two centres in one province, a third in another province; ratings on 1–2 Nov 2026. */
async function seed (app: FastifyInstance) {
  const centre = await seedCentre(app.db, { counters: 2, officers: 2 })
  const neighbour = await seedCentre(app.db, { parentId: centre.provinceId })
  const elsewhere = await seedCentre(app.db)
  const at = { unitId: centre.centreId, terminalId: centre.terminal.id }
  await addRatings(app.db, [
    {
      ...at,
      counterId: centre.counterIds[0]!,
      officerId: centre.officers[0]!.id,
      level: 4,
      criteria: { xin_chao: true },
      at: '2026-11-01T23:30:00+07:00'
    },
    {
      ...at,
      counterId: centre.counterIds[0]!,
      officerId: centre.officers[0]!.id,
      level: 1,
      criteria: { xin_chao: false },
      at: '2026-11-02T00:30:00+07:00'
    },
    { ...at, counterId: centre.counterIds[1]!, officerId: centre.officers[1]!.id, level: 3, at: '2026-11-02T09:00:00+07:00' },
    { ...at, counterId: centre.counterIds[1]!, officerId: centre.officers[1]!.id, level: 1, at: '2026-11-02T09:00:05+07:00', misuse: true },
    {
      unitId: neighbour.centreId,
      terminalId: neighbour.terminal.id,
      counterId: neighbour.counterIds[0]!,
      level: 2,
      at: '2026-11-02T10:00:00+07:00'
    },
    {
      unitId: elsewhere.centreId,
      terminalId: elsewhere.terminal.id,
      counterId: elsewhere.counterIds[0]!,
      level: 4,
      at: '2026-11-02T10:00:00+07:00'
    }
  ])
  return { centre, neighbour, elsewhere }
}

const period = 'from=2026-11-01&to=2026-11-30'

t.test('who may see which figures', async (t) => {
  const app = await build(t, { minSample: 2 })
  const { centre, neighbour, elsewhere } = await seed(app)

  const anonymous = await app.inject({ url: `/api/v1/stats/summary?${period}` })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json().code, 'AUTH_REQUIRED')
  const badToken = await app.inject({ url: `/api/v1/stats/summary?${period}`, headers: { authorization: 'Bearer hla_nope' } })
  t.equal(badToken.statusCode, 401)

  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', centre.communeId))
  const own = await app.inject({ url: `/api/v1/stats/summary?${period}`, cookies: supervisor })
  t.equal(own.statusCode, 200)
  t.equal(own.json().total, 3, "defaults to the supervisor's commune; misuse left out")
  t.equal(own.json().satisfactionRate, 2 / 3)
  t.equal(own.json().rate766, 2 / 3)
  t.equal(own.json().scoreIndex, 175 / 3)
  t.same(own.json().byLevel, { 4: 1, 3: 1, 2: 0, 1: 1 })
  t.same(own.json().criteria[0], { code: 'xin_chao', answered: 2, met: 1, notApplicable: 0, rate: 0.5 })
  t.equal((await app.inject({ url: `/api/v1/stats/summary?${period}&includeMisuse=true`, cookies: supervisor })).json().total, 4)
  for (const unitId of [neighbour.centreId, elsewhere.provinceId, centre.provinceId, '6a1c3c52-3f0c-4b7e-9a7c-2f3c2b1c9d00']) {
    const outside = await app.inject({ url: `/api/v1/stats/officers?${period}&unitId=${unitId}`, cookies: supervisor })
    t.equal(outside.statusCode, 404, 'a unit outside the subtree (or unknown) is not found')
    t.equal(outside.json().code, 'UNIT_NOT_FOUND')
  }

  const province = await apiToken(app, centre.provinceId)
  const units = await app.inject({ url: `/api/v1/stats/units?${period}`, headers: { authorization: `Bearer ${province}` } })
  t.equal(units.statusCode, 200)
  t.same(
    units.json().rows.map((row: { unitId: string; total: number }) => [row.unitId, row.total]),
    [
      [centre.communeId, 3],
      [neighbour.communeId, 1]
    ],
    'an API token sees its province, per commune'
  )
  const other = await app.inject({
    url: `/api/v1/stats/summary?${period}&unitId=${elsewhere.centreId}`,
    headers: { authorization: `Bearer ${province}` }
  })
  t.equal(other.json().code, 'UNIT_NOT_FOUND')

  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const everything = await app.inject({ url: `/api/v1/stats/summary?${period}`, cookies: admin })
  t.equal(everything.json().total, 5, 'an admin with the whole tree sees every province')

  const officerUser = await seedUser(app.db, 'officer', centre.centreId, { officerId: centre.officers[0]!.id })
  const officer = await signIn(app, officerUser)
  const mine = await app.inject({ url: `/api/v1/stats/officers?${period}`, cookies: officer })
  t.same(
    mine
      .json()
      .rows.map((row: { officerId: string; fullName: string; total: number; smallSample: boolean }) => [
        row.officerId,
        row.fullName,
        row.total,
        row.smallSample
      ]),
    [[centre.officers[0]!.id, 'Nguyễn Thị Hồng', 2, false]],
    'an officer sees only their own figures'
  )
  t.equal((await app.inject({ url: `/api/v1/stats/summary?${period}`, cookies: officer })).json().total, 2)
  const someoneElse = await app.inject({ url: `/api/v1/stats/summary?${period}&officerId=${centre.officers[1]!.id}`, cookies: officer })
  t.equal(someoneElse.statusCode, 404)
  t.equal(someoneElse.json().code, 'OFFICER_NOT_FOUND')

  const counters = await app.inject({ url: `/api/v1/stats/counters?${period}&unitId=${centre.centreId}`, cookies: supervisor })
  t.same(
    counters.json().rows.map((row: { number: number; name: string; total: number }) => [row.number, row.name, row.total]),
    [
      [1, 'Quầy 1', 2],
      [2, 'Quầy 2', 1]
    ]
  )
  const officers = await app.inject({ url: `/api/v1/stats/officers?${period}&unitId=${centre.centreId}`, cookies: supervisor })
  t.same(
    officers.json().rows.map((row: { fullName: string; smallSample: boolean }) => [row.fullName, row.smallSample]),
    [
      ['Nguyễn Thị Hồng', false],
      ['Trần Văn Đức', true]
    ],
    'below MIN_SAMPLE an officer is marked'
  )
})

t.test('time series, heat map, clear 400s, CSV and OpenAPI', async (t) => {
  const app = await build(t)
  const { centre } = await seed(app)
  const headers = { authorization: `Bearer ${await apiToken(app, centre.provinceId)}` }
  t.test('time series, heat map and clear 400s', async (t) => {
    const days = await app.inject({ url: '/api/v1/stats/timeseries?from=2026-11-01&to=2026-11-03&interval=day', headers })
    t.equal(days.statusCode, 200)
    t.same(
      days.json().rows.map((row: { bucket: string; total: number }) => [row.bucket, row.total]),
      [
        ['2026-11-01T00:00:00+07:00', 1],
        ['2026-11-02T00:00:00+07:00', 3],
        ['2026-11-03T00:00:00+07:00', 0]
      ],
      'local days: 23:30 on the 1st is the 1st, 00:30 on the 2nd is the 2nd'
    )
    const heat = await app.inject({ url: `/api/v1/stats/heatmap?${period}`, headers })
    t.equal(heat.json().rows.length, 168)
    t.same(
      heat
        .json()
        .rows.filter((row: { total: number }) => row.total > 0)
        .map((row: { weekday: number; hour: number }) => [row.weekday, row.hour]),
      [
        [1, 0],
        [1, 9],
        [1, 10],
        [7, 23]
      ]
    )

    const cases: Array<[string, string]> = [
      ['/api/v1/stats/timeseries?from=2026-11-01&to=2026-11-03&interval=year', 'INTERVAL_INVALID'],
      ['/api/v1/stats/summary?from=2026-11-30&to=2026-11-01', 'RANGE_INVALID'],
      ['/api/v1/stats/summary?from=2026-02-30&to=2026-03-01', 'RANGE_INVALID'],
      ['/api/v1/stats/summary?from=1.11.2026&to=2026-11-30', 'RANGE_INVALID'],
      ['/api/v1/stats/summary?from=2020-01-01&to=2026-11-30', 'RANGE_TOO_LONG'],
      ['/api/v1/stats/timeseries?from=2026-01-01&to=2026-11-30&interval=hour', 'RANGE_TOO_LONG'],
      ['/api/v1/stats/summary?unitId=not-a-uuid', 'VALIDATION_FAILED'],
      ['/api/v1/stats/summary?format=xlsx', 'VALIDATION_FAILED']
    ]
    for (const [url, code] of cases) {
      const response = await app.inject({ url, headers })
      t.equal(response.statusCode, 400, url)
      t.equal(response.json().code, code, url)
      t.ok(response.json().message.length > 10, 'the message says what is wrong')
    }
  })

  t.test('CSV: UTF-8 with BOM, Vietnamese headers, English on request', async (t) => {
    const csv = await app.inject({ url: `/api/v1/stats/officers?${period}&format=csv`, headers })
    t.equal(csv.statusCode, 200)
    t.match(csv.headers['content-type'], /^text\/csv; charset=utf-8/)
    t.match(csv.headers['content-disposition'], /attachment; filename="hai-long-officers-2026-11-01-2026-11-30\.csv"/)
    const bytes = csv.rawPayload
    t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'starts with the UTF-8 BOM')
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n')
    t.match(lines[0], /^Đơn vị: .+;Kỳ: 01\/11\/2026 – 30\/11\/2026$/, 'a title line: the unit and the period')
    t.equal(lines[1], '', 'then an empty line')
    const header = lines[2]!.split(';')
    t.same(header.slice(0, 4), ['Họ và tên', 'Mẫu nhỏ', 'Tổng số lượt đánh giá', 'Mức 4 – Rất hài lòng'])
    t.equal(header.at(-1), 'ID cán bộ', 'the id last')
    t.ok(header.includes('Tỷ lệ theo QĐ 766 (%)'))
    t.ok(header.includes('Xin chào – tỷ lệ (%)'))
    t.equal(lines.length, 3 + 3, 'title, empty line, header and one line per officer row (two officers, and no officer signed in)')
    const hong = lines.find((line) => line.includes('Nguyễn Thị Hồng'))!.split(';')
    t.equal(hong[header.indexOf('Tổng số lượt đánh giá')], '2')
    t.equal(hong[header.indexOf('Tỷ lệ hài lòng (%)')], '50,0', 'a percentage with a decimal comma')
    t.equal(hong[header.indexOf('Mẫu nhỏ')], 'Có', 'fewer than the default minimum sample of 30')

    const english = await app.inject({ url: `/api/v1/stats/summary?${period}&format=csv&lang=en`, headers })
    const englishLines = english.rawPayload.subarray(3).toString('utf8').trimEnd().split('\r\n')
    t.match(englishLines[0], /^Unit: .+,Period: 2026-11-01 – 2026-11-30$/)
    const englishHeader = englishLines[2]!.split(',')
    t.same(englishHeader.slice(0, 3), ['Total ratings', 'Level 4 – Very satisfied', 'Level 3 – Satisfied'])
    t.equal(englishLines.length, 4)
    t.equal(englishLines[3]!.split(',')[0], '4')
    const rate = englishLines[3]!.split(',')[englishHeader.indexOf('Satisfaction rate (%)')]
    t.equal(rate, '50.0', 'a percentage with a decimal point (2 of 4)')
  })

  t.test('the statistics are documented in OpenAPI', async (t) => {
    const document = (await app.inject({ url: '/docs/json' })).json()
    for (const path of ['summary', 'officers', 'counters', 'units', 'timeseries', 'heatmap']) {
      const operation = document.paths[`/api/v1/stats/${path}`]?.get
      t.ok(operation, `${path} is documented`)
      t.ok(
        operation.parameters.some((parameter: { name: string }) => parameter.name === 'from'),
        `${path} documents its query`
      )
      t.ok(operation.responses['200'] && operation.responses['400'] && operation.responses['404'], `${path} documents its answers`)
      t.match(operation.description, /title line.*`;`.*`73,9`.*`73\.9`/s, `${path} documents the CSV for people`)
    }
  })
})
