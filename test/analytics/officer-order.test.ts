// Officers' rows come in Vietnamese name order, also after officers with new names join (the names' ranks are kept per process).
import t from 'tap'
import { byOfficer } from '../../analytics/queries.ts'
import { migratedDatabase, databaseKind } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'
import { addRatings } from './ratings.ts'

t.test(`officers by Vietnamese name, new names included (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const centre = await seedCentre(db, { counters: 1, officers: 0 })
  const at = { unitId: centre.centreId, counterId: centre.counterIds[0]!, terminalId: centre.terminal.id }
  const filter = { unitId: centre.provinceId, from: '2026-11-01', to: '2026-11-30' }
  let staff = 0
  const hire = async (names: string[]): Promise<void> => {
    for (const name of names) {
      const officer = await db
        .insertInto('officers')
        .values({
          unit_id: centre.centreId,
          staff_code: `CB-${++staff}`,
          full_name: name,
          pin_hash: null,
          photo_url: null,
          pin_locked_until: null
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await addRatings(db, [{ ...at, officerId: officer.id, level: 4, at: '2026-11-02T09:00:00+07:00' }])
    }
  }
  const names = async (): Promise<Array<string | null>> => (await byOfficer(db, filter, { minSample: 1 })).rows.map((row) => row.fullName)

  await hire(['Trần Văn Đức', 'Nguyễn Thị Hồng', 'Lê Thị Mai'])
  await addRatings(db, [{ ...at, officerId: null, level: 3, at: '2026-11-02T10:00:00+07:00' }])
  t.same(await names(), ['Lê Thị Mai', 'Nguyễn Thị Hồng', 'Trần Văn Đức', null], 'by name; nobody signed in last')
  // Đ comes after D and before E in Vietnamese (a byte or ASCII order would put it after Z); Ă after A.
  await hire(['Đặng Văn An', 'Dương Văn Bình', 'Ăn Thị Cúc', 'An Thị Cúc', 'Ê Văn Gia'])
  t.same(
    await names(),
    ['An Thị Cúc', 'Ăn Thị Cúc', 'Dương Văn Bình', 'Đặng Văn An', 'Ê Văn Gia', 'Lê Thị Mai', 'Nguyễn Thị Hồng', 'Trần Văn Đức', null],
    'names first seen now take their places among the ones ranked before'
  )
  const vietnamese = new Intl.Collator('vi')
  const listed = (await names()).filter((name): name is string => name !== null)
  t.same(listed, [...listed].sort(vietnamese.compare), "the order is the Vietnamese collator's")
})
