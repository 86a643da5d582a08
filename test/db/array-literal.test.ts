// arrayLiteral: a column of values sent as one array parameter reads back exactly, on both databases.
import t from 'tap'
import { sql } from 'kysely'
import { arrayLiteral } from '../../db/array-literal.ts'
import { databaseKind, emptyDatabase } from '../helper.ts'

t.test(`text, numbers, booleans and NULLs read back as sent (${databaseKind})`, async (t) => {
  const { db } = await emptyDatabase(t)
  const texts = ['plain', 'with "quotes"', 'back\\slash', 'comma, and {braces}', '', 'NULL', 'xin cảm ơn', null]
  const read = await sql<{ values: Array<string | null> }>`select ${sql.val(arrayLiteral(texts))}::text[] as values`.execute(db)
  t.same(read.rows[0]!.values, texts)
  const numbers = [0, -1, 2.5, 1e6, null]
  const readNumbers = await sql<{ values: Array<number | null> }>`select ${sql.val(arrayLiteral(numbers))}::float8[] as values`.execute(db)
  t.same(readNumbers.rows[0]!.values, numbers)
  const flags = [true, false, null]
  const readFlags = await sql<{ values: Array<boolean | null> }>`select ${sql.val(arrayLiteral(flags))}::boolean[] as values`.execute(db)
  t.same(readFlags.rows[0]!.values, flags)
  t.equal(arrayLiteral([]), '{}')
})
