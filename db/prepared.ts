// Named (prepared) statements for the hot paths: marked in the SQL, sent by name by the pg client.
import { CompiledQuery, sql, type Kysely, type QueryResult, type RawBuilder } from 'kysely'
import pg from 'pg'

/**
 * Marks a hot statement of fixed text to be prepared once per connection (a named statement in `pg`): the
 * server then skips parsing it, and after a few runs planning it too. Put it first in the SQL:
 * sql`${prepared('ingest.store')} insert …`. The name must stay with one text; PGlite ignores the comment.
 */
export function prepared (name: string): RawBuilder<unknown> {
  if (!/^[a-z][a-z0-9_.]*$/.test(name)) throw new Error(`bad prepared statement name: ${name}`)
  return sql.raw(`/* prepared: ${name} */`)
}

/** A statement built and compiled once (see `compiledOnce`). */
export interface CompiledOnce<Name extends string, Row> {
  execute: (db: Kysely<any>, values: Readonly<Record<Name, unknown>>) => Promise<QueryResult<Row>>
  /** The compiled text ($1 … in the order of the names), for a test that prepares and explains it. */
  text: (db: Kysely<any>) => string
  names: readonly Name[]
}

/**
 * A hot statement of fixed text, prepared by name as with `prepared(name)`, whose text is also built and compiled
 * only once rather than on every call. `build` gets one placeholder per parameter name ($1, $2, … in the order of
 * `names`) and must pass no value of its own; `execute` sends the compiled text with the values in that order.
 * Building and compiling the ingest's statement (30 parameters, ~6 KB of SQL) through Kysely on every commit was
 * 12–18 µs of a commit of 24 ratings (docs/ingest.md, seventh pass).
 */
export function compiledOnce<Name extends string, Row> (
  name: string,
  names: readonly Name[],
  build: (parameters: Readonly<Record<Name, RawBuilder<unknown>>>) => RawBuilder<Row>
): CompiledOnce<Name, Row> {
  let compiledText: string | null = null
  const text = (db: Kysely<any>): string => {
    if (compiledText === null) {
      const placeholders = Object.fromEntries(names.map((parameter, index) => [parameter, sql.raw(`$${index + 1}`)]))
      const compiled = sql`${prepared(name)} ${build(placeholders as Record<Name, RawBuilder<unknown>>)}`.compile(db)
      if (compiled.parameters.length > 0) throw new Error(`${name}: pass every value through a placeholder`)
      compiledText = compiled.sql
    }
    return compiledText
  }
  return {
    names,
    text,
    async execute (db, values) {
      return db.executeQuery<Row>(CompiledQuery.raw(text(db), names.map((parameter) => values[parameter])))
    }
  }
}

const preparedName = /^\/\* prepared: ([a-z][a-z0-9_.]*) \*\//

/** A pg client that sends statements marked by `prepared()` as named statements. */
export class PreparingClient extends pg.Client {
  // pg's query() has many overloads; Kysely calls query(text, values) and query(cursor).
  override query (...args: any[]): any {
    const [text, values] = args
    if (typeof text === 'string' && args.length <= 2) {
      const name = preparedName.exec(text)?.[1]
      if (name !== undefined) return super.query({ name, text, values })
    }
    return (super.query as (...rest: any[]) => any)(...args)
  }
}
