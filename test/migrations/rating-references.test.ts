// Migration …_1500: the unit, counter, terminal and officer a stored rating names stay, kept by triggers on their own
// tables instead of foreign keys checked for every rating stored (docs/ingest.md, ninth pass). A delete of a named
// row is refused as the foreign keys did (23503) and changes nothing; rows no rating names can still go; a delete that meets
// ratings being stored waits for them and is refused too (PostgreSQL: two connections).
import t from 'tap'
import { sql, type Kysely } from 'kysely'
import pg from 'pg'
import type { Database } from '../../db/schema.ts'
import { createMigrator } from '../../db/migrate.ts'
import { databaseKind, migratedDatabase } from '../helper.ts'
import { seedCentre, type SeededCentre } from '../fixtures.ts'

async function storeRating (db: Kysely<Database>, centre: SeededCentre, officerId: string | null): Promise<void> {
  await sql`insert into ratings (id, unit_id, counter_id, terminal_id, officer_id, level, category, weight, rated_at, counted_at, source)
    values (gen_random_uuid(), ${centre.centreId}, ${centre.terminal.counterId}, ${centre.terminal.id}, ${officerId}, 4, 'satisfied', 1,
      now(), now(), 'touch')`.execute(db)
}

/** The SQLSTATE a statement failed with, or null when it succeeded. */
async function failure (statement: Promise<unknown>): Promise<string | null> {
  return statement.then(() => null, (error: { code?: string }) => error.code ?? 'no code')
}

const count = async (db: Kysely<Database>, table: string, id: string): Promise<number> =>
  (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where id = ${id}`.execute(db)).rows[0]!.n

t.test(`a unit, counter, terminal or officer that a stored rating names cannot be removed (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const centre = await seedCentre(db, { counters: 2, officers: 2 })
  const [named, unnamed] = centre.officers
  await storeRating(db, centre, named!.id)

  const refused = [
    { table: 'units', id: centre.centreId },
    { table: 'counters', id: centre.terminal.counterId },
    { table: 'terminals', id: centre.terminal.id },
    { table: 'officers', id: named!.id }
  ]
  for (const { table, id } of refused) {
    const code = await failure(sql`delete from ${sql.table(table)} where id = ${id}`.execute(db))
    t.equal(code, '23503', `deleting the rated ${table} row is refused`)
    t.equal(await count(db, table, id), 1, `the ${table} row is still there`)
  }
  t.equal(await failure(sql`update terminals set id = gen_random_uuid() where id = ${centre.terminal.id}`.execute(db)), '23503',
    'giving the rated terminal another id is refused too')
  t.equal(await failure(sql`update terminals set name = 'Máy quầy 1 (mới)' where id = ${centre.terminal.id}`.execute(db)), null,
    'an ordinary change to it is not')

  // Rows that no rating names are not held.
  t.equal(await failure(sql`delete from officers where id = ${unnamed!.id}`.execute(db)), null, 'an officer never rated can be deleted')
  const unratedCounter = centre.counterIds[1]!
  t.equal(await failure(sql`delete from counters where id = ${unratedCounter}`.execute(db)), null, 'a counter never rated can be deleted')
  t.equal(await count(db, 'counters', unratedCounter), 0, 'and is gone')
})

t.test(`down restores the foreign keys, with what the triggers kept (${databaseKind})`, async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const centre = await seedCentre(db, { counters: 1, officers: 1 })
  await storeRating(db, centre, centre.officers[0]!.id)
  const down = await createMigrator(db).migrateTo('2026_12_01_1400_ratings_by_unit_only')
  t.equal(down.error, undefined, 'down works')
  const keys = await sql<{ name: string }>`select conname as name from pg_constraint
    where conrelid = 'ratings'::regclass and contype = 'f' order by 1`.execute(db)
  t.same(keys.rows.map((row) => row.name),
    ['ratings_counter_id_fkey', 'ratings_officer_id_fkey', 'ratings_terminal_id_fkey', 'ratings_unit_id_fkey'])
  // PostgreSQL 15 reports a `restrict` key as 23503, 17 (PGlite) as 23001.
  t.match(await failure(sql`delete from terminals where id = ${centre.terminal.id}`.execute(db)), /^(23503|23001)$/, 'the key refuses the delete')
})

if (databaseKind === 'postgres') {
  t.test('a delete that meets ratings being stored waits for them, then is refused (postgres)', async (t) => {
    const { db, url, drop } = await migratedDatabase()
    const storing = new pg.Client({ connectionString: url! })
    const deleting = new pg.Client({ connectionString: url! })
    await storing.connect()
    await deleting.connect()
    t.teardown(async () => {
      await storing.end()
      await deleting.end()
      await db.destroy()
      await drop()
    })
    const centre = await seedCentre(db, { counters: 1, officers: 1 })
    // A terminal no committed rating names yet: its first rating is being stored, not committed.
    await storing.query('begin')
    await storing.query(`insert into ratings (id, unit_id, counter_id, terminal_id, level, category, weight, rated_at, counted_at, source)
      values (gen_random_uuid(), $1, $2, $3, 4, 'satisfied', 1, now(), now(), 'touch')`,
    [centre.centreId, centre.terminal.counterId, centre.terminal.id])
    let settled = false
    const attempt = failure(deleting.query('delete from terminals where id = $1', [centre.terminal.id])).finally(() => { settled = true })
    await new Promise((resolve) => setTimeout(resolve, 300))
    t.equal(settled, false, 'the delete waits while the rating is being stored')
    await storing.query('commit')
    t.equal(await attempt, '23503', 'then it is refused: the rating names the terminal')
    t.equal(await count(db, 'terminals', centre.terminal.id), 1, 'the terminal is still there')
  })
}
