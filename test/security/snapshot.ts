// A fingerprint of every table (row count + content hash) to prove that a rejected request changed no row.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'

/**
 * Columns that change by design on a request the API rejects, left out of the fingerprint:
 * - sessions.last_seen_at / expires_at: the sliding session expiry, refreshed at most once a minute by any signed-in request;
 * - api_tokens.last_used_at: refreshed at most once a minute by any request carrying the token;
 * - terminals.last_seen_at: written at most once a minute after any request carrying the terminal token.
 */
export const bookkeepingColumns: Record<string, string[]> = {
  sessions: ['last_seen_at', 'expires_at'],
  api_tokens: ['last_used_at'],
  terminals: ['last_seen_at']
}

/**
 * Tables that count requests by design, left out whole: the rate limits and attempt counts shared by every API
 * process (before issue 20 they lived in each process's memory). Any request to a limited route may change them.
 */
export const limitTables = ['attempt_windows', 'rate_limit_counters', 'unknown_code_lockouts']

/** Wrong PINs at a terminal are counted (and lock the officer out) by design: only that route may change these. */
export const pinBookkeeping: Record<string, string[]> = { officers: ['pin_failures', 'pin_locked_until'] }

export interface Snapshot {
  /** table → "rows:sum of row hashes" */
  tables: Record<string, string>
}

export interface Fingerprinter {
  take: (ignore?: Record<string, string[]>) => Promise<Snapshot>
  tables: string[]
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`

/** Reads the table list once (every base table of the app's schema, so tables added later are covered too). */
export async function fingerprinter (db: Kysely<Database>): Promise<Fingerprinter> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' and c.table_name not like 'kysely_migration%'
    order by c.table_name, c.ordinal_position`.execute(db)
  const byTable = new Map<string, string[]>()
  for (const row of columns.rows) byTable.set(row.table_name, [...(byTable.get(row.table_name) ?? []), row.column_name])
  const tables = [...byTable.keys()].filter((table) => !limitTables.includes(table)).sort()

  const queryFor = (ignore: Record<string, string[]>): string =>
    tables
      .map((table) => {
        const kept = byTable
          .get(table)!
          .filter((column) => !(bookkeepingColumns[table] ?? []).includes(column) && !(ignore[table] ?? []).includes(column))
        const row = `row(${kept.map((column) => `t.${quote(column)}`).join(', ')})::text`
        // An order-free sum of row hashes: no sort, so a fingerprint of every table costs a few milliseconds.
        return `select ${`'${table}'`} as name, count(*)::int as rows, coalesce(sum(hashtextextended(${row}, 0)::numeric), 0)::text as hash from ${quote(table)} t`
      })
      .join('\nunion all\n')
  const cache = new Map<string, string>()

  return {
    tables,
    async take (ignore = {}) {
      const key = JSON.stringify(ignore)
      let query = cache.get(key)
      if (query === undefined) cache.set(key, (query = queryFor(ignore)))
      const result = await sql<{ name: string; rows: number; hash: string }>`${sql.raw(query)}`.execute(db)
      const snapshot: Snapshot = { tables: {} }
      for (const row of result.rows) snapshot.tables[row.name] = `${row.rows}:${row.hash}`
      return snapshot
    }
  }
}

/** The tables whose fingerprint differs, for a failure message. */
export function changedTables (before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...Object.keys(before.tables), ...Object.keys(after.tables)])
  return [...names].filter((name) => before.tables[name] !== after.tables[name]).sort()
}
