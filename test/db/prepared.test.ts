// Statements marked with prepared() run as named statements on PostgreSQL (parsed once per connection) and
// answer the same on both databases; a bad name is refused before it reaches SQL.
import t from 'tap'
import { sql } from 'kysely'
import { prepared } from '../../db/prepared.ts'
import { databaseKind, emptyDatabase } from '../helper.ts'

t.test('a marked statement answers with its parameters, run after run', async (t) => {
  const { db } = await emptyDatabase(t)
  for (const n of [1, 2, 3, 40, null]) {
    const result = await sql<{ n: number | null, doubled: number | null }>`${prepared('test.double')} select ${n}::int as n,
      ${n}::int * 2 as doubled`.execute(db)
    t.same(result.rows, [{ n, doubled: n === null ? null : n * 2 }], `n = ${String(n)}`)
  }
})

t.test('a marked statement that fails reports its error, and its next run on the connection answers', async (t) => {
  const { db } = await emptyDatabase(t)
  await db.connection().execute(async (connection) => {
    const divide = (by: number) => sql<{ q: number }>`${prepared('test.divide')} select 10 / ${by}::int as q`.execute(connection)
    t.same((await divide(2)).rows, [{ q: 5 }])
    await t.rejects(divide(0), /division by zero/)
    t.same((await divide(5)).rows, [{ q: 2 }])
  })
})

// Only PostgreSQL keeps named statements: PGlite has no pg client, so there the marker is only a comment (the tests
// above show it changes no answer) and nothing is kept to look at.
if (databaseKind === 'postgres') {
  t.test('on PostgreSQL it is prepared once on the connection, under its name, and then run by that name', async (t) => {
    const { db } = await emptyDatabase(t)
    await db.connection().execute(async (connection) => {
      for (let i = 0; i < 3; i++) await sql`${prepared('test.once')} select ${i}::int as i`.execute(connection)
      const statements = await sql<{ name: string, statement: string, runs: number }>`select name, statement,
        (generic_plans + custom_plans)::int as runs from pg_prepared_statements`.execute(connection)
      t.same(statements.rows.map((row) => row.name), ['test.once'])
      t.match(statements.rows[0]!.statement, /^\/\* prepared: test\.once \*\/ select \$1::int as i$/)
      t.equal(statements.rows[0]!.runs, 3, 'parsed once, run three times')
      // An unmarked statement is not kept.
      await sql`select 1`.execute(connection)
      const after = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(connection)
      t.equal(after.rows[0]!.n, 1)
    })
  })
} else {
  t.comment('named statements are a PostgreSQL matter: run this file with DATABASE_URL set to test them')
}

t.test('a name that could break out of the comment is refused', async (t) => {
  t.throws(() => prepared('x */ drop table ratings; /*'), /bad prepared statement name/)
  t.throws(() => prepared('Upper'), /bad prepared statement name/)
})
