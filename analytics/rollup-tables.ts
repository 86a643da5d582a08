// The rollup tables' maths: addToRollups adds ratings to all five in one statement; rebuildRollups recomputes them from raw ratings.
import { sql, type CompiledQuery, type RawBuilder, type Transaction } from 'kysely'
import type { Category, CriteriaAnswers, Database, Db, LevelColumns, RollupGrain } from '../db/schema.ts'
import { ancestryOf } from '../db/unit-tree.ts'
import { arrayLiteral, type ArrayElement } from '../db/array-literal.ts'
import { LOCAL_OFFSET_MS } from './calendar.ts'

export type Grain = RollupGrain
/** Detail rollups (per counter × officer) keep local days, months and years; hours come from raw ratings of one counter or officer. */
export const detailGrains: readonly Grain[] = ['day', 'month', 'year']
/** Subtree rollups (per unit, each unit's whole subtree) keep hours too: hourly series and the heat map. */
export const subtreeGrains: readonly Grain[] = ['hour', 'day', 'month', 'year']
export const LEVELS = 10

/** What the rollups need of one rating; the rollup worker passes the pending ratings it claimed. */
export interface RatingForRollup {
  unitId: string
  counterId: string
  officerId: string | null
  level: number
  category: Category
  weight: number
  criteria: CriteriaAnswers
  countedAt: Date
  misuse: boolean
}

/** Grains of officer_rollups and counter_rollups; finer periods come from the detail rollups. */
export const officerCounterGrains: readonly Grain[] = ['year']

/** Grains of heatmap_rollups (local weekday × hour cells); parts of years come from the subtree hour rows. */
export const heatmapGrains: readonly Grain[] = ['year']

/** SQL for the start of the local (UTC+7) hour, day, week, month or year holding a timestamptz, whatever the session time zone. */
export function sqlLocalBucket (column: RawBuilder<unknown>, unit: 'hour' | 'day' | 'week' | 'month' | 'year'): RawBuilder<Date> {
  if (unit === 'hour') return sql<Date>`(date_trunc('hour', ${column} at time zone 'UTC') at time zone 'UTC')`
  return sql<Date>`((date_trunc(${sql.lit(unit)}, (${column} at time zone 'UTC') + interval '7 hours') - interval '7 hours') at time zone 'UTC')`
}

/**
 * SQL for the heat-map cell of a timestamptz: (local ISO weekday − 1) × 24 + local hour, by integer
 * arithmetic on the epoch (no extracts, no time zone); 1 January 1970 was a Thursday.
 */
export function sqlHeatmapCell (time: RawBuilder<unknown>): RawBuilder<number> {
  const localHour = sql`((floor(date_part('epoch', ${time}))::bigint + ${sql.lit(LOCAL_OFFSET_MS / 1000)}) / 3600)`
  return sql<number>`(((${localHour} / 24 + 3) % 7) * 24 + ${localHour} % 24)::int`
}

const levelColumns = Array.from({ length: LEVELS }, (_, index) => `level_${index + 1}` as keyof LevelColumns)
const scalarCounts = ['total', 'satisfied', 'neutral', 'unsatisfied', 'weight_sum', ...levelColumns] as const
const detailKey = ['grain', 'unit_id', 'bucket', 'counter_id', 'officer_id', 'misuse'] as const
const subtreeKey = ['grain', 'unit_id', 'bucket', 'misuse'] as const
const officerKey = ['unit_id', 'grain', 'bucket', 'officer_id', 'misuse'] as const
const counterKey = ['unit_id', 'grain', 'bucket', 'counter_id', 'misuse'] as const
const heatmapKey = ['unit_id', 'grain', 'bucket', 'cell', 'misuse'] as const

function checkRating (rating: RatingForRollup): void {
  if (!Number.isInteger(rating.level) || rating.level < 1 || rating.level > LEVELS) {
    throw new RangeError(`rating level must be 1–${LEVELS}, got ${rating.level}`)
  }
  if (!(rating.countedAt instanceof Date) || Number.isNaN(rating.countedAt.getTime())) {
    throw new TypeError('rating countedAt must be a valid Date')
  }
}

/** Code → slot for every criterion code counted so far. */
export async function criterionSlots (db: Db): Promise<Map<string, number>> {
  const rows = await sql<{ code: string; slot: number }>`select code, slot from criterion_slots`.execute(db)
  return new Map(rows.rows.map((row) => [row.code, Number(row.slot)]))
}

/** Slots for these codes, giving new codes the next free slots. */
export async function slotsFor (db: Db, codes: Iterable<string>): Promise<Map<string, number>> {
  let slots = await criterionSlots(db)
  const missing = [...new Set(codes)].filter((code) => !slots.has(code)).sort()
  if (missing.length > 0) {
    await sql`insert into criterion_slots (code) select * from unnest(${missing}::text[]) on conflict (code) do nothing`.execute(db)
    slots = await criterionSlots(db)
  }
  return slots
}

/** The packed criteria columns of every rollup row: yes/no answers, met, not applicable (one array each, by slot). */
const criterionColumns = ['answered', 'met', 'na'] as const

/** The columns a source of ratings to roll up yields (a row of `ratings`, or a rating of `recordRatings`' list). */
const sourceColumns = sql`unit_id, counter_id, officer_id, level, category, weight, criteria, counted_at, misuse`

/**
 * A source of ratings to add to the rollups, as SQL: `ratings` is a select yielding `sourceColumns`; `with` holds
 * CTEs it reads (the rollup worker's claim, a data-modifying statement, must sit at the top of the statement).
 */
export interface RollupSource {
  with?: RawBuilder<unknown>
  ratings: RawBuilder<unknown>
}

/**
 * Adds the source's ratings to all five rollup tables in ONE statement, summed by PostgreSQL: each rating is turned
 * into its counts once (`rated`), summed into its finest cell (`fine`), and the cells into the rows of every table
 * (~17 per cell: its own detail days, months and years, and the hours, days, months and years of every unit above).
 * Answers how many ratings were added and any criterion code they carry that has no slot (`slots` must hold every
 * code; see rollUpPending).
 *
 * Each insert takes its rows in key order: concurrent runs (one worker per process) lock shared rows in the same
 * order, so they cannot deadlock. Summing in SQL replaced summing in the API (claimed rows parsed, ~17 (rating, row)
 * pairs added in JavaScript, every row sent back), a sixth of the API's CPU under load (docs/ingest.md, sixth pass).
 */
export async function addToRollups (
  db: Db,
  source: RollupSource,
  slots: Map<string, number>,
  sign: 1 | -1 = 1,
  options: { reuseAs?: string } = {}
): Promise<{ added: number; strayCodes: string[] }> {
  // Building and compiling the statement (hundreds of fragments) took ~5 % of an API process under load, once a run:
  // a caller whose source has fixed text and values (`reuseAs` names them) reuses the last one compiled.
  const key = options.reuseAs === undefined ? undefined : `${options.reuseAs}|${sign}|${[...slots].join(';')}`
  let query = key !== undefined && lastCompiled?.key === key ? lastCompiled.query : undefined
  if (query === undefined) {
    query = rollupStatement(source, slots, sign).compile(db)
    if (key !== undefined) lastCompiled = { key, query }
  }
  const row = (await db.executeQuery(query)).rows[0]!
  return { added: row.added, strayCodes: row.stray ?? [] }
}

interface RollupRunRow { added: number; stray: string[] | null }

/** The statement addToRollups last compiled for a `reuseAs` caller, under its key. */
let lastCompiled: { key: string; query: CompiledQuery<RollupRunRow> } | null = null

function rollupStatement (source: RollupSource, slots: Map<string, number>, sign: 1 | -1): RawBuilder<RollupRunRow> {
  const width = Math.max(0, ...slots.values())
  const codeAt = new Map([...slots].map(([code, slot]) => [slot, code]))
  const signed = (value: RawBuilder<unknown>): RawBuilder<unknown> => (sign === 1 ? value : sql`-(${value})`)
  // Per rating: one column per count, each criterion slot as three 0/1 columns (answered yes/no, met, not applicable).
  const slotColumns = (column: typeof criterionColumns[number]): RawBuilder<unknown>[] =>
    Array.from({ length: width }, (_, index) => {
      const code = codeAt.get(index + 1)
      const value = code === undefined
        ? sql`0`
        : column === 'answered'
          ? sql`(jsonb_typeof(criteria -> ${sql.lit(code)}) = 'boolean')::int`
          : column === 'met'
            ? sql`(criteria -> ${sql.lit(code)} = 'true'::jsonb)::int`
            : sql`(criteria -> ${sql.lit(code)} = '"na"'::jsonb)::int`
      return sql`${signed(value)} as ${sql.ref(`${column}_${index + 1}`)}`
    })
  const rated = sql`select unit_id, counter_id, officer_id, misuse, ${sqlLocalBucket(sql`counted_at`, 'hour')} as hour,
      ${signed(sql`1`)} as total,
      ${signed(sql`(category = 'satisfied')::int`)} as satisfied,
      ${signed(sql`(category = 'neutral')::int`)} as neutral,
      ${signed(sql`(category = 'unsatisfied')::int`)} as unsatisfied,
      ${signed(sql`weight`)} as weight_sum,
      ${sql.join([
        ...levelColumns.map((column, index) => sql`${signed(sql`(level = ${sql.lit(index + 1)})::int`)} as ${sql.ref(column)}`),
        ...criterionColumns.flatMap(slotColumns)
      ])},
      nullif(criteria - ${[...slots.keys()]}::text[], '{}'::jsonb) as stray
    from source`
  // Every count column of `rated`, scalars then slots.
  const countColumns = [
    ...scalarCounts,
    ...criterionColumns.flatMap((column) => Array.from({ length: width }, (_, index) => `${column}_${index + 1}`))
  ]
  // The ratings summed once into their finest cells (unit, counter, officer, misuse, local hour): a run's ratings
  // fall into a few hundred, and every table's rows are summed from those, not from ~17 rows a rating. A run's sums
  // fit an int (5,000 ratings at most), and sums of ints stay integers (a sum of bigints would be numeric).
  const fine = sql`select unit_id, counter_id, officer_id, misuse, hour,
      ${sqlLocalBucket(sql`hour`, 'day')} as day, ${sqlLocalBucket(sql`hour`, 'month')} as month,
      ${sqlLocalBucket(sql`hour`, 'year')} as year, ${sqlHeatmapCell(sql`hour`)} as cell,
      ${sql.join(countColumns.map((column) => sql`sum(${sql.ref(column)})::int as ${sql.ref(column)}`))}
    from rated group by unit_id, counter_id, officer_id, misuse, hour`
  const sums = sql.join([
    ...scalarCounts.map((column) => sql`sum(${sql.ref(column)})`),
    ...criterionColumns.map((column) => width === 0
      ? sql`'{}'::integer[]`
      : sql`array[${sql.join(Array.from({ length: width }, (_, index) => sql`sum(${sql.ref(`${column}_${index + 1}`)})`))}]::integer[]`)
  ])
  const grains = (list: readonly Grain[]): RawBuilder<unknown> =>
    sql`cross join lateral (values ${sql.join(list.map((grain) => sql`(${sql.lit(grain)}, r.${sql.ref(grain)})`))}) as g (grain, bucket)`
  /** insert … select `keys`, sums … group by and order by the keys … on conflict add. */
  const insert = (
    table: 'rating_rollups' | 'subtree_rollups' | 'officer_rollups' | 'counter_rollups' | 'heatmap_rollups',
    key: readonly string[],
    keyValues: RawBuilder<unknown>,
    from: RawBuilder<unknown>
  ): RawBuilder<unknown> => {
    const keyList = sql.join(key.map((column) => sql.ref(column)))
    const positions = sql.raw(key.map((_, index) => index + 1).join(', '))
    const countList = sql.join([...scalarCounts, ...criterionColumns].map((column) => sql.ref(column)))
    return sql`insert into ${sql.table(table)} (${keyList}, ${countList})
      select ${keyValues}, ${sums} from ${from}
      group by ${positions} order by ${positions}
      on conflict (${keyList}) do update set ${conflictUpdates(table, width)}`
  }
  // Each cell beside every unit above its own (the tree walked once a run, in the CTE `ancestry`).
  const upward = sql`fine r join ancestry a on a.unit_id = r.unit_id`
  return sql<RollupRunRow>`
    with ${source.with === undefined ? sql`` : sql`${source.with},`}
    source as (${source.ratings}),
    rated as materialized (${rated}),
    fine as materialized (${fine}),
    ancestry as materialized (select unit_id, ancestor_id from ${ancestryOf(sql`select distinct unit_id from fine`)} as a),
    detail as (${insert('rating_rollups', detailKey, sql`g.grain, r.unit_id, g.bucket, r.counter_id, r.officer_id, r.misuse`,
      sql`fine r ${grains(detailGrains)}`)}),
    subtree as (${insert('subtree_rollups', subtreeKey, sql`g.grain, a.ancestor_id, g.bucket, r.misuse`,
      sql`${upward} ${grains(subtreeGrains)}`)}),
    officer as (${insert('officer_rollups', officerKey, sql`a.ancestor_id, g.grain, g.bucket, r.officer_id, r.misuse`,
      sql`${upward} ${grains(officerCounterGrains)}`)}),
    counter as (${insert('counter_rollups', counterKey, sql`a.ancestor_id, g.grain, g.bucket, r.counter_id, r.misuse`,
      sql`${upward} ${grains(officerCounterGrains)}`)}),
    heatmap as (${insert('heatmap_rollups', heatmapKey, sql`a.ancestor_id, g.grain, g.bucket, r.cell, r.misuse`,
      sql`${upward} ${grains(heatmapGrains)}`)})
    select count(*)::int as added, (select array_agg(distinct code) from rated, jsonb_object_keys(stray) as code) as stray from rated`
}

/**
 * Adds these ratings to every rollup. Call it in the transaction that marks exactly these ratings rolled up, so each
 * rating is counted once: rows are added to (upsert), never recomputed. Late ratings land in their own past buckets,
 * since buckets come from `countedAt`. (The rollup worker adds the ratings it claims without reading them out:
 * rollUpPending.)
 */
export async function recordRatings (db: Db, ratings: RatingForRollup[], options: { sign?: 1 | -1 } = {}): Promise<void> {
  if (ratings.length === 0) return
  if (!db.isTransaction) return db.transaction().execute((trx) => recordRatings(trx, ratings, options))
  // sign −1 takes ratings back out, e.g. to re-add one with its misuse flag changed, in the same transaction.
  for (const rating of ratings) checkRating(rating)
  await beginRollupRun(db)
  const slots = await slotsFor(db, ratings.flatMap((rating) => Object.keys(rating.criteria)))
  const column = (pick: (rating: RatingForRollup) => ArrayElement): RawBuilder<unknown> => sql.val(arrayLiteral(ratings.map(pick)))
  await addToRollups(db, {
    ratings: sql`select ${sourceColumns} from unnest(
      ${column((r) => r.unitId)}::uuid[], ${column((r) => r.counterId)}::uuid[], ${column((r) => r.officerId)}::uuid[],
      ${column((r) => r.level)}::int[], ${column((r) => r.category)}::text[], ${column((r) => r.weight)}::int[],
      ${column((r) => JSON.stringify(r.criteria))}::jsonb[], ${column((r) => r.countedAt.toISOString())}::timestamptz[],
      ${column((r) => r.misuse)}::boolean[]) as r (${sourceColumns})`
  }, slots, options.sign ?? 1)
}

/**
 * Opens a run of additions in the caller's transaction. A unit moving meanwhile (the units trigger shifts subtree rows
 * to the new ancestors) waits for this transaction, and this one for it: the ancestors a run adds to stay those the
 * rows are added to. And no JIT: the statement's cost estimate is high enough to have PostgreSQL compile and optimise
 * it with LLVM, which took 0.2–6 s a run against milliseconds of work (auto_explain, docs/ingest.md, sixth pass).
 */
export async function beginRollupRun (db: Db): Promise<void> {
  await sql`set local jit = off`.execute(db)
  await sql`lock table units in share mode`.execute(db)
}

/**
 * Two criteria arrays added element by element, `width` (the highest slot) long: written out (~0.1 µs an element)
 * instead of int_array_add (a SQL function: ~4 µs a call, two calls per updated row, a fifth of a worker run).
 * No stored array is longer than the highest slot (slots only grow); should one be, int_array_add keeps all of it.
 */
function addedArrays (stored: RawBuilder<unknown>, added: RawBuilder<unknown>, width: number): RawBuilder<unknown> {
  if (width === 0) return sql`int_array_add(${stored}, ${added})`
  const elements = Array.from(
    { length: width },
    (_, index) => sql`coalesce(${stored}[${sql.lit(index + 1)}], 0) + coalesce(${added}[${sql.lit(index + 1)}], 0)`
  )
  return sql`case when cardinality(${stored}) > ${sql.lit(width)} or cardinality(${added}) > ${sql.lit(width)}
    then int_array_add(${stored}, ${added})
    else array[${sql.join(elements)}] end`
}

/** The SET list of an upsert into `table`: every count added to the stored one (criteria arrays element by element). */
function conflictUpdates (table: string, width: number): RawBuilder<unknown> {
  return sql.join([
    ...scalarCounts.map((column) => sql`${sql.ref(column)} = ${sql.ref(`${table}.${column}`)} + excluded.${sql.ref(column)}`),
    ...criterionColumns.map(
      (column) => sql`${sql.ref(column)} = ${addedArrays(sql.ref(`${table}.${column}`), sql`excluded.${sql.ref(column)}`, width)}`
    )
  ])
}

/** `sum(answered[1])`, … for slots 1…n, as an array: criteria summed from finer rows or counted from raw ratings. */
function slotArray (n: number, item: (slot: number) => RawBuilder<unknown>): RawBuilder<unknown> {
  if (n === 0) return sql`'{}'::integer[]`
  return sql`array[${sql.join(Array.from({ length: n }, (_, index) => sql`coalesce(${item(index + 1)}, 0)::integer`))}]`
}

/**
 * The rating of queue row `q`, probed by its key. `limit 1` (the key is unique) keeps the planner from flattening
 * the join: a scan of the period's ratings by time (rolled up and not) checked against the queue grows with the
 * data; the queue stays small.
 */
export const queuedRatingSql = sql`(select * from ratings r where r.unit_id = q.unit_id and r.id = q.rating_id limit 1)`

async function rebuildIn (trx: Transaction<Database>): Promise<void> {
  // Ingest and the rollup worker wait while the rollups are rebuilt (figures can still be read), so no rating
  // is missed or counted twice. The queue EXCLUSIVE: it also waits for a worker run holding claimed (deleted) queue
  // rows, whose rollups would otherwise count twice. Units: no move meanwhile.
  await sql`lock table ratings in exclusive mode`.execute(trx)
  await sql`lock table rollup_queue in exclusive mode`.execute(trx)
  await sql`lock table units in share mode`.execute(trx)
  await sql`lock table rating_rollups, subtree_rollups, officer_rollups, counter_rollups, heatmap_rollups in exclusive mode`.execute(trx)
  for (const table of ['rating_rollups', 'subtree_rollups', 'officer_rollups', 'counter_rollups', 'heatmap_rollups']) {
    await sql`delete from ${sql.table(table)}`.execute(trx)
  }
  const codes = await sql<{ code: string }>`select distinct jsonb_object_keys(criteria) as code from ratings`.execute(trx)
  const slots = [
    ...(
      await slotsFor(
        trx,
        codes.rows.map((row) => row.code)
      )
    ).entries()
  ]
  const width = Math.max(0, ...slots.map(([, slot]) => slot))
  const codeAt = new Map(slots.map(([code, slot]) => [slot, code]))
  const counted = (slot: number, column: typeof criterionColumns[number]): RawBuilder<unknown> => {
    const code = codeAt.get(slot)
    if (code === undefined) return sql`0`
    switch (column) {
      case 'answered': return sql`count(*) filter (where jsonb_typeof(criteria -> ${code}) = 'boolean')`
      case 'met': return sql`count(*) filter (where criteria -> ${code} = 'true'::jsonb)`
      case 'na': return sql`count(*) filter (where criteria -> ${code} = '"na"'::jsonb)`
    }
  }
  const levelCounts = sql.join(levelColumns.map((_, index) => sql`count(*) filter (where level = ${sql.lit(index + 1)})`))
  const rawCounts = sql`count(*), count(*) filter (where category = 'satisfied'), count(*) filter (where category = 'neutral'),
    count(*) filter (where category = 'unsatisfied'), sum(weight), ${levelCounts},
    ${sql.join(criterionColumns.map((column) => slotArray(width, (slot) => counted(slot, column))))}`
  const summed = sql`sum(total), sum(satisfied), sum(neutral), sum(unsatisfied), sum(weight_sum),
    ${sql.join(levelColumns.map((column) => sql`sum(${sql.ref(column)})`))},
    ${sql.join(criterionColumns.map((column) => slotArray(width, (slot) => sql`sum(${sql.ref(column)}[${sql.lit(slot)}])`)))}`
  const counts = sql.join([...scalarCounts, ...criterionColumns].map((column) => sql.ref(column)))
  // Detail: days from ratings, months from days, years from months.
  const day = sqlLocalBucket(sql`counted_at`, 'day')
  await sql`insert into rating_rollups (grain, unit_id, bucket, counter_id, officer_id, misuse, ${counts})
    select 'day', unit_id, ${day}, counter_id, officer_id, misuse, ${rawCounts}
    from ratings group by unit_id, ${day}, counter_id, officer_id, misuse`.execute(trx)
  for (const [grain, from] of [
    ['month', 'day'],
    ['year', 'month']
  ] as const) {
    const bucket = sqlLocalBucket(sql`bucket`, grain)
    await sql`insert into rating_rollups (grain, unit_id, bucket, counter_id, officer_id, misuse, ${counts})
      select ${grain}, unit_id, ${bucket}, counter_id, officer_id, misuse, ${summed}
      from rating_rollups where grain = ${from} group by unit_id, ${bucket}, counter_id, officer_id, misuse`.execute(trx)
  }
  // Officers and counters per subtree: the detail year rows added to every unit above theirs.
  const ancestry = ancestryOf(null)
  for (const [table, column] of [
    ['officer_rollups', 'officer_id'],
    ['counter_rollups', 'counter_id']
  ] as const) {
    await sql`insert into ${sql.table(table)} (unit_id, grain, bucket, ${sql.ref(column)}, misuse, ${counts})
      select a.ancestor_id, d.grain, d.bucket, d.${sql.ref(column)}, d.misuse, ${summed}
      from rating_rollups d join ${ancestry} a on a.unit_id = d.unit_id
      where d.grain = any(${officerCounterGrains}::text[])
      group by a.ancestor_id, d.grain, d.bucket, d.${sql.ref(column)}, d.misuse`.execute(trx)
  }
  // Subtree: each unit's own hours from ratings, then added to every unit above it; days, months, years from those.
  const hour = sqlLocalBucket(sql`counted_at`, 'hour')
  await sql`create temporary table own_hours (unit_id, bucket, misuse, ${counts}) on commit drop as
    select unit_id, ${hour}, misuse, ${rawCounts} from ratings group by unit_id, ${hour}, misuse`.execute(trx)
  await sql`insert into subtree_rollups (grain, unit_id, bucket, misuse, ${counts})
    select 'hour', a.ancestor_id, o.bucket, o.misuse, ${summed}
    from own_hours o
    join ${ancestry} a on a.unit_id = o.unit_id
    group by a.ancestor_id, o.bucket, o.misuse`.execute(trx)
  for (const [grain, from] of [
    ['day', 'hour'],
    ['month', 'day'],
    ['year', 'month']
  ] as const) {
    const bucket = sqlLocalBucket(sql`bucket`, grain)
    await sql`insert into subtree_rollups (grain, unit_id, bucket, misuse, ${counts})
      select ${grain}, unit_id, ${bucket}, misuse, ${summed}
      from subtree_rollups where grain = ${from} group by unit_id, ${bucket}, misuse`.execute(trx)
  }
  // Heat-map cells: the subtree hour rows folded into their year and local weekday × hour.
  const cell = sqlHeatmapCell(sql`bucket`)
  for (const grain of heatmapGrains) {
    const bucket = sqlLocalBucket(sql`bucket`, grain)
    await sql`insert into heatmap_rollups (unit_id, grain, bucket, cell, misuse, ${counts})
      select unit_id, ${grain}, ${bucket}, ${cell}, misuse, ${summed}
      from subtree_rollups where grain = 'hour' group by unit_id, ${bucket}, ${cell}, misuse`.execute(trx)
  }
  // Every rating is counted now: none is left for the worker (figures would add it twice).
  await sql`delete from rollup_queue`.execute(trx)
}

/** Recomputes every rollup from the raw ratings (demo seeding, recovery) and empties the rollup queue; ingest waits meanwhile. */
export async function rebuildRollups (db: Db): Promise<void> {
  if (db.isTransaction) {
    await rebuildIn(db as Transaction<Database>)
  } else {
    await db.transaction().execute(rebuildIn)
  }
}
