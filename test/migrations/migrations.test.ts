// The schema: migrations go up and down on this database, and its constraints hold the domain's rules.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { sql } from 'kysely'
import { migrateToLatest, migrateToNone, migrationsFolder } from '../../db/migrate.ts'
import { emptyDatabase, databaseKind } from '../helper.ts'

async function tableNames (db: Parameters<typeof migrateToLatest>[0]): Promise<string[]> {
  const result = await sql<{
    name: string
  }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%' order by 1`.execute(
    db
  )
  return result.rows.map((row) => row.name)
}

t.test(`migrations up, down and up again (${databaseKind})`, async (t) => {
  const { db } = await emptyDatabase(t)
  const applied = await migrateToLatest(db)
  t.ok(applied.length >= 4, 'all migrations applied')
  t.same(await migrateToLatest(db), [], 'a second run applies nothing')
  const tables = await tableNames(db)
  for (const table of [
    'units',
    'counters',
    'officers',
    'assignments',
    'terminals',
    'scale_levels',
    'criteria',
    'ratings',
    'cases',
    'users',
    'sessions',
    'api_tokens',
    'audit_log'
  ]) {
    t.ok(tables.includes(table), `table ${table} exists`)
  }
  const levels = await db.selectFrom('scale_levels').selectAll().orderBy('level', 'desc').execute()
  t.same(
    levels.map((level) => [level.level, level.category, level.weight, level.label_vi]),
    [
      [4, 'satisfied', 100, 'Rất hài lòng'],
      [3, 'satisfied', 75, 'Hài lòng'],
      [2, 'neutral', 40, 'Bình thường'],
      [1, 'unsatisfied', 0, 'Không hài lòng']
    ]
  )
  const criteria = await db.selectFrom('criteria').select(['code', 'label_vi']).orderBy('position').execute()
  t.same(
    criteria.map((criterion) => criterion.label_vi),
    ['Xin chào', 'Xin lỗi', 'Xin cảm ơn', 'Xin phép', 'Luôn mỉm cười', 'Luôn nhẹ nhàng', 'Luôn lắng nghe', 'Luôn giúp đỡ']
  )

  const undone = await migrateToNone(db)
  t.equal(undone.length, applied.length, 'every migration has a working down')
  t.same(await tableNames(db), [], 'down removes every table')
  t.same(await migrateToLatest(db), applied, 'up again after down')
})

t.test('a failing migration stops and changes nothing', async (t) => {
  const { db } = await emptyDatabase(t)
  // Inside the project, so the copied migrations still resolve 'kysely' from node_modules.
  const folder = await mkdtemp(path.join(migrationsFolder, '..', '.tmp-migrations-'))
  t.teardown(() => rm(folder, { recursive: true, force: true }))
  await cp(migrationsFolder, folder, { recursive: true })
  await writeFile(
    path.join(folder, '2099_01_01_0001_broken.ts'),
    "import { sql } from 'kysely'\nexport async function up (db) { await sql`create table half_done (id int)`.execute(db); await sql`select no_such_column from units`.execute(db) }\nexport async function down () {}\n"
  )
  await t.rejects(migrateToLatest(db, folder), { name: 'MigrationError', message: /2099_01_01_0001_broken failed, nothing was changed/ })
  t.same(await tableNames(db), [], 'the pending migrations ran in one transaction and were all rolled back')
})

t.test('constraints keep the domain rules in the database', async (t) => {
  const { db } = await emptyDatabase(t)
  await migrateToLatest(db)
  const province = await db
    .insertInto('units')
    .values({ kind: 'province', code: 'P01', name: 'Tỉnh Thử' })
    .returning('id')
    .executeTakeFirstOrThrow()
  const centre = await db
    .insertInto('units')
    .values({ kind: 'centre', code: 'C01', name: 'Trung tâm', parent_id: province.id })
    .returning('id')
    .executeTakeFirstOrThrow()
  await t.rejects(db.insertInto('units').values({ kind: 'centre', code: 'C01', name: 'Trùng mã' }).execute(), 'unit codes are unique')
  await t.rejects(
    db.updateTable('units').set({ parent_id: province.id }).where('id', '=', province.id).execute(),
    'a unit is not its own parent'
  )
  const counter = await db
    .insertInto('counters')
    .values({ unit_id: centre.id, number: 1, name: 'Quầy 1' })
    .returning('id')
    .executeTakeFirstOrThrow()
  const officer = await db
    .insertInto('officers')
    .values({
      unit_id: centre.id,
      staff_code: 'CB001',
      full_name: 'Nguyễn Văn An',
      pin_hash: null,
      photo_url: null,
      pin_locked_until: null
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const officer2 = await db
    .insertInto('officers')
    .values({
      unit_id: centre.id,
      staff_code: 'CB002',
      full_name: 'Trần Thị Bình',
      pin_hash: null,
      photo_url: null,
      pin_locked_until: null
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db
    .insertInto('assignments')
    .values({ unit_id: centre.id, counter_id: counter.id, officer_id: officer.id, ended_at: null })
    .execute()
  await t.rejects(
    db.insertInto('assignments').values({ unit_id: centre.id, counter_id: counter.id, officer_id: officer2.id, ended_at: null }).execute(),
    'one open shift per counter'
  )
  const terminal = await db
    .insertInto('terminals')
    .values({
      unit_id: centre.id,
      counter_id: counter.id,
      kind: 'touch',
      token_hash: null,
      pairing_code_hash: null,
      pairing_expires_at: null,
      paired_at: null,
      revoked_at: null,
      last_seen_at: null
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const rating = {
    id: '0b9f8f56-3c1e-4b8e-9d7a-1f2e3d4c5b6a',
    unit_id: centre.id,
    counter_id: counter.id,
    terminal_id: terminal.id,
    officer_id: officer.id,
    device_officer_id: null,
    level: 4,
    category: 'satisfied' as const,
    weight: 100,
    criteria: JSON.stringify({ xin_chao: true }),
    rated_at: '2026-11-01T09:00:00+07:00',
    counted_at: '2026-11-01T09:00:00+07:00',
    source: 'touch' as const,
    misuse_reason: null
  }
  await db.insertInto('ratings').values(rating).execute()
  await t.rejects(db.insertInto('ratings').values(rating).execute(), 'a rating id is stored once')
  await t.rejects(
    db
      .insertInto('ratings')
      .values({ ...rating, id: '1b9f8f56-3c1e-4b8e-9d7a-1f2e3d4c5b6a', level: 11 })
      .execute(),
    'levels are 1–10'
  )
  await t.rejects(
    db
      .insertInto('ratings')
      .values({ ...rating, id: '2b9f8f56-3c1e-4b8e-9d7a-1f2e3d4c5b6a', category: 'happy' as never })
      .execute(),
    'categories are checked'
  )
  const stored = await db.selectFrom('ratings').select(['criteria', 'rated_at']).executeTakeFirstOrThrow()
  t.same(stored.criteria, { xin_chao: true })
  t.equal(stored.rated_at.toISOString(), '2026-11-01T02:00:00.000Z')
  const count = await db
    .selectFrom('ratings')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  t.equal(count.n, 1, 'counts come back as numbers on both drivers')
})

t.test('staff codes are unique regardless of case; an officer has at most one user', async (t) => {
  const { db } = await emptyDatabase(t)
  await migrateToLatest(db)
  const unit = await db
    .insertInto('units')
    .values({ kind: 'centre', code: 'C9', name: 'Trung tâm' })
    .returning('id')
    .executeTakeFirstOrThrow()
  const officer = await db
    .insertInto('officers')
    .values({ unit_id: unit.id, staff_code: 'cb-01', full_name: 'Lê Văn Tám', pin_hash: null, photo_url: null, pin_locked_until: null })
    .returning('id')
    .executeTakeFirstOrThrow()
  await t.rejects(
    db
      .insertInto('officers')
      .values({ unit_id: unit.id, staff_code: 'CB-01', full_name: 'Người khác', pin_hash: null, photo_url: null, pin_locked_until: null })
      .execute()
  )
  const user = { display_name: 'x', password_hash: 'x', role: 'officer' as const, unit_id: unit.id, officer_id: officer.id }
  await db
    .insertInto('users')
    .values({ ...user, username: 'cb01' })
    .execute()
  await t.rejects(
    db
      .insertInto('users')
      .values({ ...user, username: 'cb01b' })
      .execute()
  )
})
