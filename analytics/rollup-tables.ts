// The rollup tables' maths: recordRatings adds ratings to every rollup table; rebuildRollups recomputes them all from raw ratings.
import { setImmediate as nextTurn } from 'node:timers/promises'
import { sql, type RawBuilder, type Transaction } from 'kysely'
import type { Category, CriteriaAnswers, Database, Db, LevelColumns, RollupGrain } from '../db/schema.ts'
import { ancestryOf } from '../db/unit-tree.ts'
import { arrayLiteral, type ArrayElement } from '../db/array-literal.ts'
import { LOCAL_OFFSET_MS, dayStart, hourStart, localHour, localWeekday, monthStart, yearStart } from './calendar.ts'

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

/**
 * Ratings summed between two turns of the event loop: a worker run claims up to a few thousand ratings, and summing
 * them in one go held the API's event loop for tens of milliseconds (`npm run bench -- rollups`).
 */
const RATINGS_PER_TURN = 250

/** The heat-map cell of an instant: (local ISO weekday − 1) × 24 + local hour. */
export function heatmapCell (at: Date): number {
  return (localWeekday(at) - 1) * 24 + localHour(at)
}

function grainStart (at: Date, grain: Grain): Date {
  switch (grain) {
    case 'hour':
      return hourStart(at)
    case 'day':
      return dayStart(at)
    case 'month':
      return monthStart(at)
    case 'year':
      return yearStart(at)
  }
}

/** SQL for the start of the local (UTC+7) hour, day, week, month or year holding a timestamptz, whatever the session time zone. */
export function sqlLocalBucket (column: RawBuilder<unknown>, unit: 'hour' | 'day' | 'week' | 'month' | 'year'): RawBuilder<Date> {
  if (unit === 'hour') return sql<Date>`(date_trunc('hour', ${column} at time zone 'UTC') at time zone 'UTC')`
  return sql<Date>`((date_trunc(${sql.lit(unit)}, (${column} at time zone 'UTC') + interval '7 hours') - interval '7 hours') at time zone 'UTC')`
}

/**
 * SQL for the heat-map cell of a timestamptz, as heatmapCell: (local ISO weekday − 1) × 24 + local hour, by integer
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
async function slotsFor (db: Db, codes: Iterable<string>): Promise<Map<string, number>> {
  let slots = await criterionSlots(db)
  const missing = [...new Set(codes)].filter((code) => !slots.has(code)).sort()
  if (missing.length > 0) {
    await sql`insert into criterion_slots (code) select * from unnest(${missing}::text[]) on conflict (code) do nothing`.execute(db)
    slots = await criterionSlots(db)
  }
  return slots
}

/**
 * A rollup row being summed: its key columns, and its counts by position in `scalarCounts` (a fixed-shape object: 20,000 rows a worker
 * run).
 */
interface Row {
  key: Record<string, unknown>
  counts: Float64Array
  answered: number[]
  met: number[]
  na: number[]
}

/** The packed criteria columns of every rollup row: yes/no answers, met, not applicable (one array each, by slot). */
const criterionColumns = ['answered', 'met', 'na'] as const
const isCriterionColumn = (column: string): column is typeof criterionColumns[number] =>
  (criterionColumns as readonly string[]).includes(column)

const countIndex = new Map<string, number>(scalarCounts.map((column, index) => [column, index]))
const TOTAL = countIndex.get('total')!
const WEIGHT_SUM = countIndex.get('weight_sum')!

function emptyRow (key: Record<string, unknown>): Row {
  return { key, counts: new Float64Array(scalarCounts.length), answered: [], met: [], na: [] }
}

/** What adding a rating changes in a row, worked out once per rating rather than once per row it is added to. */
interface Addend {
  /** +1 to add the rating, −1 to take it back out. */
  sign: number
  category: number
  level: number
  weight: number
  /** Criterion answers by slot index (slot − 1). */
  slots: number[]
  answers: Array<boolean | 'na'>
}

function addendOf (rating: RatingForRollup, sign: number, slots: Map<string, number>): Addend {
  const addend: Addend = {
    sign,
    category: countIndex.get(rating.category)!,
    level: countIndex.get(`level_${rating.level}`)!,
    weight: sign * rating.weight,
    slots: [],
    answers: []
  }
  for (const code in rating.criteria) {
    addend.slots.push(slots.get(code)! - 1)
    addend.answers.push(rating.criteria[code]!)
  }
  return addend
}

function addTo (row: Row, addend: Addend): void {
  const { sign } = addend
  const counts = row.counts
  counts[TOTAL]! += sign
  counts[addend.category]! += sign
  counts[WEIGHT_SUM]! += addend.weight
  counts[addend.level]! += sign
  for (let index = 0; index < addend.slots.length; index++) {
    const slot = addend.slots[index]!
    while (row.answered.length <= slot) {
      row.answered.push(0)
      row.met.push(0)
      row.na.push(0)
    }
    const answer = addend.answers[index]
    if (answer === 'na') {
      row.na[slot]! += sign
    } else {
      row.answered[slot]! += sign
      if (answer === true) row.met[slot]! += sign
    }
  }
}

/** A new row of `rows` under `id`, with these key columns (called when `rows` has none under `id`). */
function rowIn (rows: Map<string, Row>, id: string, key: Record<string, unknown>): Row {
  const row = emptyRow(key)
  rows.set(id, row)
  return row
}

/** The buckets (hour, day, month, year) and heat-map cell of an instant, shared by every instant of its hour. */
interface HourBuckets { buckets: string[]; cell: number }

/** Each unit with itself and every unit above it. */
async function ancestorMap (db: Db, unitIds: string[]): Promise<Map<string, string[]>> {
  const rows = await sql<{ unit_id: string; ancestor_id: string }>`select unit_id, ancestor_id from ${ancestryOf(unitIds)} as a`.execute(db)
  const result = new Map<string, string[]>()
  for (const row of rows.rows) result.set(row.unit_id, [...(result.get(row.unit_id) ?? []), row.ancestor_id])
  return result
}

const sortedRows = (rows: Map<string, Row>): Row[] =>
  [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row)

/**
 * Adds these ratings to every rollup. Call it in the transaction that marks exactly these ratings rolled up
 * (the rollup worker), so each rating is counted once: rows are added to (upsert), never recomputed. Late
 * ratings land in their own past buckets, since buckets come from `countedAt`.
 */
export async function recordRatings (db: Db, ratings: RatingForRollup[], options: { sign?: 1 | -1 } = {}): Promise<void> {
  if (ratings.length === 0) return
  if (!db.isTransaction) return db.transaction().execute((trx) => recordRatings(trx, ratings, options))
  // sign −1 takes ratings back out, e.g. to re-add one with its misuse flag changed, in the same transaction.
  const sign = options.sign ?? 1
  for (const rating of ratings) checkRating(rating)
  // A unit moving meanwhile (the units trigger shifts subtree rows to the new ancestors) waits for this
  // transaction, and this one for it: the ancestors read below stay those the rows are added to.
  await sql`lock table units in share mode`.execute(db)
  const slots = await slotsFor(
    db,
    ratings.flatMap((rating) => Object.keys(rating.criteria))
  )
  const ancestors = await ancestorMap(db, [...new Set(ratings.map((rating) => rating.unitId))])
  const detail = new Map<string, Row>()
  const subtree = new Map<string, Row>()
  const officer = new Map<string, Row>()
  const counter = new Map<string, Row>()
  const heatmap = new Map<string, Row>()
  // A row's id is its key columns' values joined by '|', in the key's order (sortedRows orders by it). The key object
  // is made only for a new row: a run adds ~17 (rating, row) pairs per rating, to a few hundred rows.
  const hours = new Map<number, HourBuckets>()
  for (let index = 0; index < ratings.length; index++) {
    if (index > 0 && index % RATINGS_PER_TURN === 0) await nextTurn()
    const rating = ratings[index]!
    const { unitId: ownUnitId, counterId, misuse } = rating
    const officerId = rating.officerId ?? ''
    const addend = addendOf(rating, sign, slots)
    const units = ancestors.get(ownUnitId) ?? [ownUnitId]
    // Local hours are whole UTC hours (UTC+7): one cache entry serves every rating of the hour.
    const hour = Math.floor(rating.countedAt.getTime() / 3_600_000)
    let time = hours.get(hour)
    if (time === undefined) {
      const at = rating.countedAt
      time = { buckets: subtreeGrains.map((grain) => grainStart(at, grain).toISOString()), cell: heatmapCell(at) }
      hours.set(hour, time)
    }
    for (let g = 0; g < subtreeGrains.length; g++) {
      const grain = subtreeGrains[g]!
      const bucket = time.buckets[g]!
      if (grain !== 'hour') {
        const id = `${grain}|${ownUnitId}|${bucket}|${counterId}|${officerId}|${misuse}`
        addTo(detail.get(id) ?? rowIn(detail, id, {
          grain, unit_id: ownUnitId, bucket, counter_id: counterId, officer_id: rating.officerId, misuse
        }), addend)
      }
      const officerCounter = officerCounterGrains.includes(grain)
      const cells = heatmapGrains.includes(grain)
      for (const unitId of units) {
        const id = `${grain}|${unitId}|${bucket}|${misuse}`
        addTo(subtree.get(id) ?? rowIn(subtree, id, { grain, unit_id: unitId, bucket, misuse }), addend)
        if (officerCounter) {
          const officerRow = `${unitId}|${grain}|${bucket}|${officerId}|${misuse}`
          addTo(officer.get(officerRow) ?? rowIn(officer, officerRow, {
            unit_id: unitId, grain, bucket, officer_id: rating.officerId, misuse
          }), addend)
          const counterRow = `${unitId}|${grain}|${bucket}|${counterId}|${misuse}`
          addTo(counter.get(counterRow) ?? rowIn(counter, counterRow, {
            unit_id: unitId, grain, bucket, counter_id: counterId, misuse
          }), addend)
        }
        if (cells) {
          const cellRow = `${unitId}|${grain}|${bucket}|${time.cell}|${misuse}`
          addTo(heatmap.get(cellRow) ?? rowIn(heatmap, cellRow, { unit_id: unitId, grain, bucket, cell: time.cell, misuse }), addend)
        }
      }
    }
  }
  // Sorted keys: concurrent transactions lock shared rows in the same order, so they cannot deadlock.
  const width = Math.max(0, ...slots.values())
  await upsert(db, 'rating_rollups', detailKey, sortedRows(detail), width)
  await upsert(db, 'subtree_rollups', subtreeKey, sortedRows(subtree), width)
  await upsert(db, 'officer_rollups', officerKey, sortedRows(officer), width)
  await upsert(db, 'counter_rollups', counterKey, sortedRows(counter), width)
  await upsert(db, 'heatmap_rollups', heatmapKey, sortedRows(heatmap), width)
}

const columnTypes: Record<string, string> = {
  grain: 'text',
  unit_id: 'uuid',
  bucket: 'timestamptz',
  counter_id: 'uuid',
  officer_id: 'uuid',
  misuse: 'boolean',
  weight_sum: 'bigint',
  answered: 'text',
  met: 'text',
  na: 'text',
  cell: 'smallint'
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

async function upsert (
  db: Db,
  table: 'rating_rollups' | 'subtree_rollups' | 'officer_rollups' | 'counter_rollups' | 'heatmap_rollups',
  key: readonly string[],
  rows: Row[],
  width: number
): Promise<void> {
  if (rows.length === 0) return
  const columns = [...key, ...scalarCounts, ...criterionColumns]
  // One array parameter per column (unnest); the criteria arrays travel as text ('{1,0,2}'), since unnest
  // would flatten an array of arrays.
  const values = sql.join(
    columns.map((column) => {
      const index = countIndex.get(column)
      const data: ArrayElement[] =
        index !== undefined
          ? rows.map((row) => row.counts[index]!)
          : isCriterionColumn(column)
            ? rows.map((row) => `{${row[column].join(',')}}`)
            : rows.map((row) => (row.key[column] ?? null) as ArrayElement)
      return sql`${sql.val(arrayLiteral(data))}::${sql.raw(columnTypes[column] ?? 'integer')}[]`
    })
  )
  const selected = sql.join(
    columns.map((column) => (isCriterionColumn(column) ? sql`${sql.ref(column)}::integer[]` : sql.ref(column)))
  )
  const updates = sql.join([
    ...scalarCounts.map((column) => sql`${sql.ref(column)} = ${sql.ref(`${table}.${column}`)} + excluded.${sql.ref(column)}`),
    ...criterionColumns.map(
      (column) => sql`${sql.ref(column)} = ${addedArrays(sql.ref(`${table}.${column}`), sql`excluded.${sql.ref(column)}`, width)}`
    )
  ])
  await sql`insert into ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))})
    select ${selected} from unnest(${values}) as v (${sql.join(columns.map((column) => sql.ref(column)))})
    on conflict (${sql.join(key.map((column) => sql.ref(column)))}) do update set ${updates}`.execute(db)
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
