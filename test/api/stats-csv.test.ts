// The statistics CSV as a province analyst opens it in Excel: title line, human columns first, percentages, Vietnamese order.
import t from 'tap'
import { build } from '../helper.ts'
import { seedCentre, seedUser, signIn } from '../fixtures.ts'
import { addRatings, type TestRating } from '../analytics/ratings.ts'
import { parseCsv } from '../csv.ts'

const names = ['Võ Văn Tám', 'Nguyễn Thị Hồng', 'Đỗ Minh Châu', 'Ngô Bảo Ngọc', 'Đặng Thu Hà']

t.test('the CSV reads as a province analyst expects in Excel', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db, { counters: 2, officers: names.length })
  for (const [index, officer] of centre.officers.entries()) {
    await app.db.updateTable('officers').set({ full_name: names[index]! }).where('id', '=', officer.id).execute()
  }
  await app.db
    .updateTable('units')
    .set({ name: 'Trung tâm Phục vụ hành chính công Phường Tân Ninh' })
    .where('id', '=', centre.centreId)
    .execute()
  // 23 ratings for Võ Văn Tám at counter 1, 17 of them satisfied: 17 / 23 = 73.9 %; one rating for each of the others at counter 2.
  const at = { unitId: centre.centreId, terminalId: centre.terminal.id }
  const ratings: TestRating[] = []
  for (let i = 0; i < 23; i++) {
    ratings.push({
      ...at,
      counterId: centre.counterIds[0]!,
      officerId: centre.officers[0]!.id,
      level: i < 17 ? 4 : 1,
      at: `2026-11-0${2 + (i % 5)}T09:${String(10 + i).padStart(2, '0')}:00+07:00`
    })
  }
  for (const officer of centre.officers.slice(1)) {
    ratings.push({ ...at, counterId: centre.counterIds[1]!, officerId: officer.id, level: 3, at: '2026-11-10T10:00:00+07:00' })
  }
  await addRatings(app.db, ratings)
  const cookies = await signIn(app, await seedUser(app.db, 'analyst', centre.provinceId))
  const query = `from=2026-11-01&to=2026-11-30&unitId=${centre.centreId}`
  const download = async (kind: string, lang?: string) => {
    const url = `/api/v1/stats/${kind}?${query}&format=csv${lang === undefined ? '' : `&lang=${lang}`}`
    const response = await app.inject({ url, cookies })
    t.equal(response.statusCode, 200, `${kind} CSV (${lang ?? 'default'})`)
    t.same([...response.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM')
    return response.rawPayload.subarray(3).toString('utf8')
  }

  t.test('Vietnamese (the default): title, semicolons, comma decimals, names first, Vietnamese order', async (t) => {
    const text = await download('officers')
    const lines = text.split('\r\n')
    t.equal(lines[0], 'Đơn vị: Trung tâm Phục vụ hành chính công Phường Tân Ninh;Kỳ: 01/11/2026 – 30/11/2026', 'the title line: unit and period')
    t.equal(lines[1], '', 'an empty line between the title and the table')
    const [title, empty, header, ...rows] = parseCsv(text, ';')
    t.same(title, ['Đơn vị: Trung tâm Phục vụ hành chính công Phường Tân Ninh', 'Kỳ: 01/11/2026 – 30/11/2026'])
    t.same(empty, [''])
    t.same(header!.slice(0, 3), ['Họ và tên', 'Mẫu nhỏ', 'Tổng số lượt đánh giá'], 'the name first')
    t.equal(header!.at(-1), 'ID cán bộ', 'the id last, for machines')
    t.ok(header!.includes('Tỷ lệ hài lòng (%)'), 'rates say their unit')
    t.ok(header!.includes('Tỷ lệ theo QĐ 766 (%)'))
    t.same(
      rows.map((row) => row[0]),
      ['Đặng Thu Hà', 'Đỗ Minh Châu', 'Ngô Bảo Ngọc', 'Nguyễn Thị Hồng', 'Võ Văn Tám'],
      'officers in Vietnamese alphabetical order (Đ after D, Ngô before Nguyễn, Võ last), diacritics intact'
    )
    const vo = rows.find((row) => row[0] === 'Võ Văn Tám')!
    t.equal(vo[header!.indexOf('Tổng số lượt đánh giá')], '23', 'counts are plain integers')
    t.equal(vo[header!.indexOf('Tỷ lệ hài lòng (%)')], '73,9', 'a percentage with one decimal and a comma')
    t.equal(vo[header!.indexOf('Tỷ lệ theo QĐ 766 (%)')], '73,9')
    t.equal(vo[header!.indexOf('ID cán bộ')], centre.officers[0]!.id)
    const dang = rows.find((row) => row[0] === 'Đặng Thu Hà')!
    t.equal(dang[header!.indexOf('Tỷ lệ hài lòng (%)')], '100,0')
  })

  t.test('English: the same table with commas and decimal points, ISO dates', async (t) => {
    const text = await download('officers', 'en')
    const [title, empty, header, ...rows] = parseCsv(text, ',')
    t.same(title, ['Unit: Trung tâm Phục vụ hành chính công Phường Tân Ninh', 'Period: 2026-11-01 – 2026-11-30'])
    t.same(empty, [''])
    t.same(header!.slice(0, 2), ['Full name', 'Small sample'])
    t.equal(header!.at(-1), 'Officer ID')
    const vo = rows.find((row) => row[0] === 'Võ Văn Tám')!
    t.equal(vo[header!.indexOf('Satisfaction rate (%)')], '73.9', 'a percentage with one decimal and a point')
    t.equal(rows[0]![0], 'Đặng Thu Hà', 'Vietnamese order in the English file too')
  })

  t.test('counters and units: number/code and name before the ids, in the order of the JSON', async (t) => {
    const [, , counterHeader, ...counters] = parseCsv(await download('counters'), ';')
    t.same(counterHeader!.slice(0, 2), ['Số quầy', 'Tên quầy'])
    t.same(counterHeader!.slice(-2), ['ID quầy', 'ID đơn vị'])
    t.same(counters.map((row) => [row[0], row[1]]), [['1', 'Quầy 1'], ['2', 'Quầy 2']], 'by counter number, as the JSON')
    const units = await app.inject({ url: `/api/v1/stats/units?from=2026-11-01&to=2026-11-30&unitId=${centre.communeId}&format=csv`, cookies })
    const [unitTitle, , unitHeader, ...unitRows] = parseCsv(units.rawPayload.subarray(3).toString('utf8'), ';')
    t.match(unitTitle![0], /^Đơn vị: /)
    t.same(unitHeader!.slice(0, 2), ['Mã đơn vị', 'Tên đơn vị'])
    t.equal(unitHeader!.at(-1), 'ID đơn vị')
    t.equal(unitRows[0]![1], 'Trung tâm Phục vụ hành chính công Phường Tân Ninh')
    t.equal(unitRows[0]![unitHeader!.indexOf('Tỷ lệ hài lòng (%)')], '77,8', '21 satisfied of 27')
  })

  t.test('JSON keeps raw fractions', async (t) => {
    const json = (await app.inject({ url: `/api/v1/stats/officers?${query}`, cookies })).json()
    const vo = json.rows.find((row: { fullName: string }) => row.fullName === 'Võ Văn Tám')
    t.equal(vo.satisfactionRate, 17 / 23)
    t.equal((await app.inject({ url: `/api/v1/stats/summary?${query}`, cookies })).json().satisfactionRate, 21 / 27)
  })
})
