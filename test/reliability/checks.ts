// What the suite checks at the end: every tap stored exactly once, and the figures from the rollups equal the figures from the raw ratings.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'
import { toLocalDate } from '../../analytics/calendar.ts'
import { byCounter, byOfficer, byUnit, heatmap, summary, timeseries, type FigureFilter } from '../../analytics/queries.ts'

export interface Ledger {
  tapped: number
  stored: number
  /** Tapped but not stored. */
  lost: number
  /** Stored but never tapped. */
  extra: number
  /** Rows sharing an id with another row (the primary key forbids it; counted, not assumed). */
  duplicates: number
  /** Stored with the misuse flag (left out of the figures by default). */
  misuse: number
  /** Unsatisfied, not misuse: each must have exactly one follow-up case. */
  unsatisfied: number
  cases: number
  casesForDistinctRatings: number
}

/** Compares the ids tapped on the terminals with the rows in `ratings`. */
export async function ledger (db: Kysely<Database>, tapped: readonly string[]): Promise<Ledger> {
  const rows = await db.selectFrom('ratings').select('id').execute()
  const stored = new Set(rows.map((row) => row.id))
  const taps = new Set(tapped)
  const lost = [...taps].filter((id) => !stored.has(id)).length
  const extra = [...stored].filter((id) => !taps.has(id)).length
  const unsatisfied = await db.selectFrom('ratings').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('category', '=', 'unsatisfied').where('misuse', '=', false).executeTakeFirstOrThrow()
  const misuse = await db.selectFrom('ratings').select((eb) => eb.fn.countAll<number>().as('n')).where('misuse', '=', true)
    .executeTakeFirstOrThrow()
  const cases = await db.selectFrom('cases')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.count<number>('rating_id').distinct().as('distinct')])
    .executeTakeFirstOrThrow()
  return {
    tapped: tapped.length,
    stored: rows.length,
    lost,
    extra,
    duplicates: rows.length - stored.size,
    misuse: Number(misuse.n),
    unsatisfied: Number(unsatisfied.n),
    cases: Number(cases.n),
    casesForDistinctRatings: Number(cases.distinct)
  }
}

/** Ratings the catch-up worker has not rolled up yet (those in its queue). */
export async function pendingRollups (db: Kysely<Database>): Promise<number> {
  const pending = await sql<{ n: number }>`select count(*)::int as n from rollup_queue`.execute(db)
  return Number(pending.rows[0]?.n)
}

export async function waitForRollups (db: Kysely<Database>, timeoutMs: number): Promise<number> {
  const started = Date.now()
  for (;;) {
    const pending = await pendingRollups(db)
    if (pending === 0 || Date.now() - started > timeoutMs) return pending
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

export interface FigureComparison {
  /** Figure queries run on both sources. */
  compared: string[]
  /** Those whose answers differ, with the first difference. */
  mismatches: Array<{ query: string, rollups: unknown, ratings: unknown }>
  /** Ratings counted by the rollups' summary with misuse included: must equal the rows stored. */
  rollupTotal: number
  /** Σ total of the rollup rows of each grain: each must equal the rows stored (nothing counted twice). */
  grainTotals: Record<string, number>
}

function firstDifference (a: unknown, b: unknown): [unknown, unknown] | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${a.length} rows`, `${b.length} rows`]
    for (let i = 0; i < a.length; i++) {
      const difference = firstDifference(a[i], b[i])
      if (difference !== null) return difference
    }
  }
  return [a, b]
}

/** Runs each figure query on the rollups and on the raw ratings, over the days around now, with and without misuse. */
export async function compareFigures (db: Kysely<Database>, unitId: string): Promise<FigureComparison> {
  const day = 86400_000
  const base = { unitId, from: toLocalDate(new Date(Date.now() - day)), to: toLocalDate(new Date(Date.now() + day)) }
  const queries: Record<string, (filter: FigureFilter, source: 'rollups' | 'ratings') => Promise<unknown>> = {
    summary: (filter, source) => summary(db, filter, { source }),
    byUnit: (filter, source) => byUnit(db, filter, { source }),
    byCounter: (filter, source) => byCounter(db, filter, { source }),
    byOfficer: (filter, source) => byOfficer(db, filter, { source, minSample: 30 }),
    'timeseries(day)': (filter, source) => timeseries(db, { ...filter, interval: 'day' }, { source }),
    'timeseries(hour)': (filter, source) => timeseries(db, { ...filter, interval: 'hour' }, { source }),
    heatmap: (filter, source) => heatmap(db, filter, { source })
  }
  const comparison: FigureComparison = { compared: [], mismatches: [], rollupTotal: 0, grainTotals: {} }
  for (const includeMisuse of [false, true]) {
    const filter = { ...base, includeMisuse }
    for (const [name, query] of Object.entries(queries)) {
      const label = `${name}${includeMisuse ? ' +misuse' : ''}`
      const [fromRollups, fromRatings] = [await query(filter, 'rollups'), await query(filter, 'ratings')]
      comparison.compared.push(label)
      const difference = firstDifference(fromRollups, fromRatings)
      if (difference !== null) comparison.mismatches.push({ query: label, rollups: difference[0], ratings: difference[1] })
    }
  }
  comparison.rollupTotal = (await summary(db, { ...base, includeMisuse: true }, { source: 'rollups' })).total
  const grains = await sql<{ grain: string, total: number }>`select grain, sum(total)::int as total from rating_rollups group by grain order by grain`.execute(db)
  for (const row of grains.rows) comparison.grainTotals[row.grain] = Number(row.total)
  return comparison
}
