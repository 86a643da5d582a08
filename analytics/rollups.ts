// Rating rollups: recordRatings adds new ratings to the hour/day/month rollups in the ingest transaction; rebuildRollups recomputes them from raw ratings.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely'
import type { Category, Database } from '../api/db/schema.ts'
import { dayStart, hourStart, monthStart } from './calendar.ts'

export type Grain = 'hour' | 'day' | 'month'
export const grains: readonly Grain[] = ['hour', 'day', 'month']
export const LEVELS = 10

/** What the rollups need of one rating; the ingest passes exactly the ratings it has just inserted. */
export interface RatingForRollup {
  unitId: string
  counterId: string
  officerId: string | null
  level: number
  category: Category
  weight: number
  criteria: Record<string, boolean>
  countedAt: Date
  misuse: boolean
}

/** One count column per level (levels are 1–10). */
export type LevelColumns = {
  level_1: number, level_2: number, level_3: number, level_4: number, level_5: number
  level_6: number, level_7: number, level_8: number, level_9: number, level_10: number
}

/** The rollup tables, as migrations/2026_11_27_0100_rollups.ts builds them (not in api/db/schema.ts yet). */
export type RatingRollupTable = LevelColumns & {
  grain: Grain
  unit_id: string
  bucket: Date | string
  counter_id: string
  officer_id: string | null
  misuse: boolean
  total: number
  satisfied: number
  neutral: number
  unsatisfied: number
  weight_sum: number
}

export type RatingCriterionRollupTable = {
  grain: Grain
  unit_id: string
  bucket: Date | string
  counter_id: string
  officer_id: string | null
  misuse: boolean
  criterion_code: string
  answered: number
  met: number
}

export type RollupTables = {
  rating_rollups: RatingRollupTable
  rating_criterion_rollups: RatingCriterionRollupTable
}

export type AnalyticsDatabase = Database & RollupTables
export type Db = Kysely<Database> | Transaction<Database>

export function withRollups (db: Db): Kysely<AnalyticsDatabase> {
  return db.withTables<RollupTables>() as unknown as Kysely<AnalyticsDatabase>
}

function grainStart (at: Date, grain: Grain): Date {
  return grain === 'hour' ? hourStart(at) : grain === 'day' ? dayStart(at) : monthStart(at)
}

/** SQL for the start of the local (UTC+7) hour, day, week or month holding a timestamptz, whatever the session time zone. */
export function sqlLocalBucket (column: RawBuilder<unknown>, unit: 'hour' | 'day' | 'week' | 'month'): RawBuilder<Date> {
  if (unit === 'hour') return sql<Date>`(date_trunc('hour', ${column} at time zone 'UTC') at time zone 'UTC')`
  return sql<Date>`((date_trunc(${sql.lit(unit)}, (${column} at time zone 'UTC') + interval '7 hours') - interval '7 hours') at time zone 'UTC')`
}

const rollupKey = ['grain', 'unit_id', 'bucket', 'counter_id', 'officer_id', 'misuse'] as const
const levelColumns = Array.from({ length: LEVELS }, (_, index) => `level_${index + 1}` as keyof LevelColumns)
const countColumns = ['total', 'satisfied', 'neutral', 'unsatisfied', 'weight_sum', ...levelColumns] as const

function checkRating (rating: RatingForRollup): void {
  if (!Number.isInteger(rating.level) || rating.level < 1 || rating.level > LEVELS) throw new RangeError(`rating level must be 1–${LEVELS}, got ${rating.level}`)
  if (!(rating.countedAt instanceof Date) || Number.isNaN(rating.countedAt.getTime())) throw new TypeError('rating countedAt must be a valid Date')
}

/**
 * Adds these ratings to every rollup grain. Call it in the transaction that inserts exactly these ratings,
 * so each rating is counted once: the rows are added to (upsert), never recomputed. Late ratings land in
 * their own past buckets, since buckets come from `countedAt`.
 */
export async function recordRatings (db: Db, ratings: RatingForRollup[], options: { sign?: 1 | -1 } = {}): Promise<void> {
  if (ratings.length === 0) return
  // sign −1 takes ratings back out, e.g. to re-add one with its misuse flag changed, in the same transaction.
  const sign = options.sign ?? 1
  const rollups = new Map<string, RatingRollupTable>()
  const criterionRollups = new Map<string, RatingCriterionRollupTable>()
  for (const rating of ratings) {
    checkRating(rating)
    for (const grain of grains) {
      const bucket = grainStart(rating.countedAt, grain).toISOString()
      const key = `${grain}|${rating.unitId}|${bucket}|${rating.counterId}|${rating.officerId ?? ''}|${rating.misuse}`
      let row = rollups.get(key)
      if (row === undefined) {
        row = { grain, unit_id: rating.unitId, bucket, counter_id: rating.counterId, officer_id: rating.officerId, misuse: rating.misuse, total: 0, satisfied: 0, neutral: 0, unsatisfied: 0, weight_sum: 0 } as RatingRollupTable
        for (const column of levelColumns) row[column] = 0
        rollups.set(key, row)
      }
      row.total += sign
      row[rating.category] += sign
      row.weight_sum += sign * rating.weight
      row[`level_${rating.level}` as keyof LevelColumns] += sign
      for (const [code, met] of Object.entries(rating.criteria)) {
        const criterionKey = `${key}|${code}`
        let criterionRow = criterionRollups.get(criterionKey)
        if (criterionRow === undefined) {
          criterionRow = { grain, unit_id: rating.unitId, bucket, counter_id: rating.counterId, officer_id: rating.officerId, misuse: rating.misuse, criterion_code: code, answered: 0, met: 0 }
          criterionRollups.set(criterionKey, criterionRow)
        }
        criterionRow.answered += sign
        if (met === true) criterionRow.met += sign
      }
    }
  }
  // Sorted keys: concurrent ingest transactions lock shared rows in the same order, so they cannot deadlock.
  const rows = [...rollups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row)
  const criterionRows = [...criterionRollups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row)
  // One array parameter per column (unnest), not one parameter per value: a batch of hundreds of rows
  // costs one short statement to plan and send.
  await sql`insert into rating_rollups (${columnList(rollupColumns)})
    select * from unnest(${arrays(rows, rollupColumns)})
    on conflict (${columnList(rollupKey)}) do update set ${sql.join(countColumns.map((column) => sql`${sql.ref(column)} = rating_rollups.${sql.ref(column)} + excluded.${sql.ref(column)}`))}`.execute(db)
  if (criterionRows.length === 0) return
  await sql`insert into rating_criterion_rollups (${columnList(criterionColumns)})
    select * from unnest(${arrays(criterionRows, criterionColumns)})
    on conflict (${columnList([...rollupKey, 'criterion_code'])}) do update set
      answered = rating_criterion_rollups.answered + excluded.answered,
      met = rating_criterion_rollups.met + excluded.met`.execute(db)
}

const columnTypes: Record<string, string> = {
  grain: 'text', unit_id: 'uuid', bucket: 'timestamptz', counter_id: 'uuid', officer_id: 'uuid', misuse: 'boolean',
  criterion_code: 'text', weight_sum: 'bigint'
}
const rollupColumns = [...rollupKey, ...countColumns] as readonly string[]
const criterionColumns = [...rollupKey, 'criterion_code', 'answered', 'met'] as readonly string[]

function columnList (columns: readonly string[]): RawBuilder<unknown> {
  return sql.join(columns.map((column) => sql.ref(column)))
}

function arrays (rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): RawBuilder<unknown> {
  return sql.join(columns.map((column) => sql`${sql.val(rows.map((row) => row[column] ?? null))}::${sql.raw(columnTypes[column] ?? 'integer')}[]`))
}

const levelCounts = sql.join(levelColumns.map((_, index) => sql`count(*) filter (where level = ${sql.lit(index + 1)})`))
const levelSums = sql.join(levelColumns.map((column) => sql`sum(${sql.ref(column)})`))
const allColumns = sql.join([...rollupKey, ...countColumns].map((column) => sql.ref(column)))

async function rebuildIn (trx: Transaction<Database>): Promise<void> {
  // Ingest and the rollup worker wait while the rollups are rebuilt (figures can still be read), so no rating
  // is missed or counted twice. EXCLUSIVE, not SHARE: it also waits for a worker run holding claimed rows
  // (FOR UPDATE), which would otherwise deadlock with the marking below.
  await sql`lock table ratings in exclusive mode`.execute(trx)
  await sql`lock table rating_rollups, rating_criterion_rollups in exclusive mode`.execute(trx)
  await sql`delete from rating_criterion_rollups`.execute(trx)
  await sql`delete from rating_rollups`.execute(trx)
  const hour = sqlLocalBucket(sql`counted_at`, 'hour')
  await sql`insert into rating_rollups (${allColumns})
    select 'hour', unit_id, ${hour}, counter_id, officer_id, misuse, count(*),
      count(*) filter (where category = 'satisfied'), count(*) filter (where category = 'neutral'),
      count(*) filter (where category = 'unsatisfied'), sum(weight), ${levelCounts}
    from ratings group by unit_id, ${hour}, counter_id, officer_id, misuse`.execute(trx)
  await sql`insert into rating_criterion_rollups (grain, unit_id, bucket, counter_id, officer_id, misuse, criterion_code, answered, met)
    select 'hour', r.unit_id, ${hour}, r.counter_id, r.officer_id, r.misuse, c.key, count(*), count(*) filter (where c.value = 'true'::jsonb)
    from ratings r cross join lateral jsonb_each(r.criteria) c
    group by r.unit_id, ${hour}, r.counter_id, r.officer_id, r.misuse, c.key`.execute(trx)
  // Days from hours, months from days: each pass reads the smaller table below it.
  for (const [grain, from] of [['day', 'hour'], ['month', 'day']] as const) {
    const bucket = sqlLocalBucket(sql`bucket`, grain)
    await sql`insert into rating_rollups (${allColumns})
      select ${grain}, unit_id, ${bucket}, counter_id, officer_id, misuse, sum(total), sum(satisfied), sum(neutral),
        sum(unsatisfied), sum(weight_sum), ${levelSums}
      from rating_rollups where grain = ${from} group by unit_id, ${bucket}, counter_id, officer_id, misuse`.execute(trx)
    await sql`insert into rating_criterion_rollups (grain, unit_id, bucket, counter_id, officer_id, misuse, criterion_code, answered, met)
      select ${grain}, unit_id, ${bucket}, counter_id, officer_id, misuse, criterion_code, sum(answered), sum(met)
      from rating_criterion_rollups where grain = ${from}
      group by unit_id, ${bucket}, counter_id, officer_id, misuse, criterion_code`.execute(trx)
  }
  // Every rating is counted now: none is left for the worker (figures would add it twice).
  await sql`update ratings set rolled_up = true where not rolled_up`.execute(trx)
}

/** Recomputes every rollup from the raw ratings (demo seeding, recovery); ingest waits meanwhile. */
export async function rebuildRollups (db: Db): Promise<void> {
  if (db.isTransaction) {
    await rebuildIn(db as Transaction<Database>)
  } else {
    await db.transaction().execute(rebuildIn)
  }
}
