// Statements marked with prepared() run as named statements on PostgreSQL (parsed once per connection) and
// answer the same on both databases; a bad name is refused before it reaches SQL.
import t from 'tap'
import { sql } from 'kysely'
import { prepared } from '../../db/prepared.ts'
import { databaseKind, emptyDatabase } from '../helper.ts'

t.test('a marked statement answers with its parameters, run after run', async (t) => {
  const { db } = await emptyDatabase(t)
  for (const n of [1, 2, 3, 40, null]) {
    const result = await sql<{ n: number | null, doubled: number | null }>`${prepared('test.double')} select ${n}::int as n, ${n}::int * 2 as doubled`.execute(db)
    t.same(result.rows, [{ n, doubled: n === null ? null : n * 2 }], `n = ${String(n)}`)
  }
})

// PGlite has no pg client: there the marker is only a comment and nothing is kept.
t.test(`on ${databaseKind} it is prepared ${databaseKind === 'postgres' ? 'once on the connection, under its name' : 'never'}`, async (t) => {
  const named = databaseKind === 'postgres'
  const { db } = await emptyDatabase(t)
  await db.connection().execute(async (connection) => {
    for (let i = 0; i < 3; i++) await sql`${prepared('test.once')} select ${i}::int as i`.execute(connection)
    const statements = await sql<{ name: string, statement: string }>`select name, statement from pg_prepared_statements`.execute(connection)
    t.same(statements.rows.map((row) => row.name), named ? ['test.once'] : [])
    if (named) t.match(statements.rows[0]!.statement, /^\/\* prepared: test\.once \*\/ select \$1::int as i$/)
    // An unmarked statement is not kept.
    await sql`select 1`.execute(connection)
    const after = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(connection)
    t.equal(after.rows[0]!.n, named ? 1 : 0)
  })
})

t.test('a name that could break out of the comment is refused', async (t) => {
  t.throws(() => prepared('x */ drop table ratings; /*'), /bad prepared statement name/)
  t.throws(() => prepared('Upper'), /bad prepared statement name/)
})
