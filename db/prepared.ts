// Named (prepared) statements for the hot paths: marked in the SQL, sent by name by the pg client.
import { sql, type RawBuilder } from 'kysely'
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
