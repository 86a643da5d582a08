// The one-statement figure read: builds the statement (rollup segments and pending ratings summed per key), runs it, reads its rows.
import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../db/schema.ts'
import { withSubtreeTops } from '../db/unit-tree.ts'
import { addCounts, emptyCounts, type Counts, type DossierCounts } from './figures.ts'
import { type FigureFilter, type Grouping, type Period, segmentsFor } from './period.ts'
import {
  LEVELS, criterionSlots, heatmapGrains, officerCounterGrains, queuedRatingSql, sqlHeatmapCell, sqlLocalBucket
} from './rollup-tables.ts'

export function filterSql (filter: FigureFilter, alias: 'r'): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = []
  if (filter.counterId != null) parts.push(sql`and ${sql.ref(`${alias}.counter_id`)} = ${filter.counterId}`)
  if (filter.officerId != null) parts.push(sql`and ${sql.ref(`${alias}.officer_id`)} = ${filter.officerId}`)
  if (filter.includeMisuse !== true) parts.push(sql`and not ${sql.ref(`${alias}.misuse`)}`)
  return sql.join(parts, sql` `)
}

/** The group key of a rollup (`time` = r.bucket) or raw (`time` = r.counted_at) row: series and heat map cells are folded in SQL. */
export function keySql (grouping: Grouping, time: RawBuilder<unknown>): RawBuilder<unknown> {
  switch (grouping.kind) {
    case 'none': return sql`''`
    case 'officer': return sql`coalesce(r.officer_id::text, '')`
    case 'counter': return sql`r.counter_id::text`
    case 'unit': return sql`t.top::text`
    case 'time': return sqlLocalBucket(time, grouping.interval)
    case 'heatmap': {
      const local = sql`((${time} at time zone 'UTC') + interval '7 hours')`
      return sql`(extract(isodow from ${local})::int::text || ':' || extract(hour from ${local})::int::text)`
    }
  }
}

export const keyOf = (value: unknown): string => value instanceof Date ? value.toISOString() : String(value)

/**
 * The group key inside the one-statement read: as keySql, but a heat-map cell is an integer (sqlHeatmapCell: no
 * extracts and no text per row), turned into keySql's text by exactKeyText.
 */
function exactKeySql (grouping: Grouping, time: RawBuilder<unknown>): RawBuilder<unknown> {
  // Officers and counters by their uuid (null: nobody signed in): no text per row, and the names join on the key.
  if (grouping.kind === 'officer') return sql`r.officer_id`
  if (grouping.kind === 'counter') return sql`r.counter_id`
  return grouping.kind === 'heatmap' ? sqlHeatmapCell(time) : keySql(grouping, time)
}

/** The statement's key as the text keySql gives (series buckets come as ISO text already, see exactStatement). */
function exactKeyText (grouping: Grouping, value: unknown): string {
  if (grouping.kind === 'officer' && value === null) return ''
  if (grouping.kind !== 'heatmap') return keyOf(value)
  const cell = Number(value)
  return `${Math.floor(cell / 24) + 1}:${cell % 24}`
}

/** Criterion codes the statement counts, each with its rollup array slot (null: a code only pending ratings carry so far). */
export type SlotList = Array<{ code: string, slot: number | null }>

const levelNumbers = Array.from({ length: LEVELS }, (_, index) => index + 1)
const scalarColumns = ['total', 'satisfied', 'neutral', 'unsatisfied', 'weight_sum', ...levelNumbers.map((level) => `level_${level}`)]
/** Decision 766 per dossier, summed per key after the counts and criteria (analytics/visit-figures.ts has the reasoning). */
const dossierColumns = ['dossiers', 'dossiers_unsatisfied', 'coded', 'coded_unsatisfied']
/** The dossier columns of a rollup or pending row: counted by the dossier rows only (a distinct count does not add up). */
const noDossiers = sql.join(dossierColumns.map(() => sql`0`))

/**
 * One rollup segment's rows, each row's counts as columns (negated for a sign −1 segment), criteria unpacked from
 * their slots: `rows` is the FROM clause naming the rollup row `r`.
 */
function rollupRowsSql (
  key: RawBuilder<unknown>, rows: RawBuilder<unknown>, sign: 1 | -1 | RawBuilder<unknown>, slots: SlotList
): RawBuilder<unknown> {
  const signed = (value: RawBuilder<unknown>): RawBuilder<unknown> =>
    sign === 1 ? value : sign === -1 ? sql`-${value}` : sql`${sign} * ${value}`
  const counts = scalarColumns.map((column) => signed(sql`r.${sql.ref(column)}`))
  const criteria = slots.flatMap(({ slot }) => slot === null
    ? [sql`0`, sql`0`, sql`0`]
    : [signed(sql`r.answered[${sql.lit(slot)}]`), signed(sql`r.met[${sql.lit(slot)}]`), signed(sql`r.na[${sql.lit(slot)}]`)])
  return sql`select ${key}, ${sql.join([...counts, ...criteria])}, ${noDossiers}, false from ${rows}`
}

/**
 * The pending ratings (in `rollup_queue`) as rows of the same columns: one rating each, so the sums add them. The
 * queue is probed unit by unit of the subtree (`offset 0`): flattened, the planner read the whole queue, fetched
 * every queued rating and only then hash-joined them to the subtree (it guesses 301 units for any subtree), so a
 * centre's figure paid for the province's pending ratings (1,000 probes of `ratings`, ~2.5 ms of a 2.7 ms statement).
 */
function pendingRowsSql (filter: FigureFilter, period: Period, grouping: Grouping, slots: SlotList): RawBuilder<unknown> {
  const levels = levelNumbers.map((level) => sql`(r.level = ${sql.lit(level)})::int`)
  // Answered: yes or no (a boolean); not applicable ("na") apart. A code absent from a rating gives null: summed as nothing.
  const criteria = slots.flatMap(({ code }) => [
    sql`(jsonb_typeof(r.criteria -> ${code}) = 'boolean')::int`,
    sql`(r.criteria -> ${code} = 'true'::jsonb)::int`,
    sql`(r.criteria -> ${code} = '"na"'::jsonb)::int`
  ])
  // A code no slot was given yet (the worker gives it one): the statement cannot count it, the caller asks again with it.
  const codes = slots.map(({ code }) => code)
  return sql`select ${exactKeySql(grouping, sql`r.counted_at`)}, 1,
      (r.category = 'satisfied')::int, (r.category = 'neutral')::int, (r.category = 'unsatisfied')::int,
      r.weight::bigint, ${sql.join([...levels, ...criteria])}, ${noDossiers}, (r.criteria - ${codes}::text[]) <> '{}'::jsonb
    from tree t cross join lateral (select r.* from rollup_queue q cross join lateral ${queuedRatingSql} r
      where q.unit_id = t.id
      and r.counted_at >= ${period.start} and r.counted_at < ${period.end} ${filterSql(filter, 'r')} offset 0) r`
}

/**
 * The dossier-coded ratings of the period as rows of the same columns, one per (key, unit, dossier code): the outer
 * sum per key then gives the distinct dossiers, those with an unsatisfied rating, the coded ratings and the coded
 * unsatisfied ones. Read index-only through the partial ratings_dossier_figures_idx, unit by unit of the subtree
 * (`offset 0` keeps the planner from turning the probes into a scan of all ratings): where no rating of the subtree
 * carries a code, one probe of an empty index range per unit. In the figure's own statement, not beside it: no second
 * connection and round trip per figure, and the dossiers read the same snapshot as the counts (docs/analytics.md).
 */
function dossierRowsSql (filter: FigureFilter, period: Period, grouping: Grouping, slots: SlotList): RawBuilder<unknown> {
  const zeros = sql.join(Array.from({ length: scalarColumns.length + 3 * slots.length }, () => sql`0`))
  return sql`select d.key, ${zeros}, 1, bool_or(d.unsatisfied)::int, count(*), count(*) filter (where d.unsatisfied), false
    from (select ${exactKeySql(grouping, sql`r.counted_at`)} as key, r.unit_id, r.dossier_code, r.category = 'unsatisfied' as unsatisfied
      from tree t cross join lateral (select * from ratings r where r.unit_id = t.id and r.dossier_code is not null
        and r.counted_at >= ${period.start} and r.counted_at < ${period.end} ${filterSql(filter, 'r')} offset 0) r) d
    group by d.key, d.unit_id, d.dossier_code`
}

/**
 * The whole figure in ONE statement: the rollup rows of every segment (signed) and the pending ratings, summed per
 * key. A statement reads one snapshot, so a worker run committing meanwhile can neither double a rating (in the
 * rollups and still pending) nor drop one, without a transaction around it (BEGIN, SET, COMMIT: round trips
 * that were most of a centre's time). The subtree stays in the statement; units are probed one by one (lateral).
 * Also answered per row: whether the slots read are still the table's (`slots_current`) and whether a pending
 * rating carries a code outside them (`unslotted`); with `dossiers` (the default), the key's per-dossier counts.
 */
export function exactStatement (
  filter: FigureFilter, period: Period, grouping: Grouping, plan: 'subtree' | 'detail', slots: SlotList,
  options: { dossiers: boolean } = { dossiers: true }
): RawBuilder<unknown> {
  const segments = segmentsFor(period, grouping)
  let parts: RawBuilder<unknown>[]
  if (plan === 'subtree') {
    // Each unit's subtree row counts all below it: the root's own rows (its children's and its own for `units`).
    const key = grouping.kind === 'unit' ? sql`s.key` : exactKeySql(grouping, sql`r.bucket`)
    const misuse = filter.includeMisuse === true ? sql`` : sql`and not r.misuse`
    // By unit under a root: the root's own ratings are its row less its children's (each child read twice: +child, −root).
    const byChild = grouping.kind === 'unit' && filter.unitId !== null
    parts = segments.map((segment) => grouping.kind === 'heatmap' && heatmapGrains.includes(segment.grain)
      ? rollupRowsSql(sql`r.cell::int`, sql`s cross join lateral (select * from heatmap_rollups r where r.unit_id = s.id
          and r.grain = ${segment.grain} and r.bucket >= ${segment.start} and r.bucket < ${segment.end} ${misuse}) r`, segment.sign, slots)
      : rollupRowsSql(key, sql`s cross join lateral (select * from subtree_rollups r where r.unit_id = s.id
          and r.grain = ${segment.grain} and r.bucket >= ${segment.start} and r.bucket < ${segment.end} ${misuse}) r`,
      byChild ? sql`${sql.lit(segment.sign)} * s.sign` : segment.sign, slots))
  } else {
    // Years: the root's own per-officer or per-counter subtree rows, when the filter and grouping need only one of
    // the two. Otherwise, and for months and days: the per counter × officer rows of every unit in the subtree.
    const subtreeTable = grouping.kind === 'unit'
      ? null
      : filter.counterId == null && (grouping.kind === 'officer' || grouping.kind === 'none')
        ? 'officer_rollups'
        : filter.officerId == null && (grouping.kind === 'counter' || grouping.kind === 'none') ? 'counter_rollups' : null
    const key = exactKeySql(grouping, sql`r.bucket`)
    parts = segments.map((segment) => {
      const where = sql`r.grain = ${segment.grain} and r.bucket >= ${segment.start} and r.bucket < ${segment.end} ${filterSql(filter, 'r')}`
      return rollupRowsSql(key, subtreeTable !== null && officerCounterGrains.includes(segment.grain)
        ? sql`s cross join lateral (select * from ${sql.table(subtreeTable)} r where r.unit_id = s.id
          and ${where}) r`
        : sql`tree t cross join lateral (select * from rating_rollups r where r.unit_id = t.id
          and ${where}) r`, segment.sign, slots)
    })
  }
  parts.push(pendingRowsSql(filter, period, grouping, slots))
  if (options.dossiers) parts.push(dossierRowsSql(filter, period, grouping, slots))
  const units = filter.unitId === null
    ? sql`select id, id::text, 1 from units where parent_id is null`
    : grouping.kind === 'unit'
      ? sql`select id, id::text, 1 from units where parent_id = ${filter.unitId} or id = ${filter.unitId}
          union all select id, ${filter.unitId}::text, -1 from units where parent_id = ${filter.unitId}`
      : sql`select id, '', 1 from units where id = ${filter.unitId}`
  const criterionColumns = slots.flatMap((_, index) => [`a${index}`, `m${index}`, `n${index}`])
  const summed = [...scalarColumns, ...criterionColumns, ...(options.dossiers ? dossierColumns : [])]
  const columns = ['key', ...scalarColumns, ...criterionColumns, ...dossierColumns, 'unslotted']
  const known = slots.filter(({ slot }) => slot !== null)
  const slotsCurrent = sql`(select coalesce(array_agg(slot order by slot), '{}') = ${known.map(({ slot }) => slot)}::int[]
      and coalesce(array_agg(code order by slot), '{}') = ${known.map(({ code }) => code)}::text[] from criterion_slots)`
  // Series buckets leave as the text keyOf would make of them (parsing hundreds of timestamps in the driver is slower).
  const keyColumn = grouping.kind === 'time' ? sql`to_char(p.key at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : sql`p.key`
  // Every sum in one text column, in the order of `columns` (a null sum, a code no rating in the group answered, as 0):
  // the driver then makes one string a row instead of one per count (31 for a province's 2,001 officers each).
  const sums = sql.join(summed.map((column) => sql`coalesce(sum(p.${sql.ref(column)}), 0)`))
  const grouped = sql`select ${keyColumn} as key, concat_ws(',', ${sums}) as sums,
      bool_or(p.unslotted) as unslotted, ${slotsCurrent} as slots_current
    from (${sql.join(parts, sql` union all `)}) as p (${sql.join(columns.map((column) => sql.ref(column)))})
    where ${serialOnly}
    group by p.key`
  // Officers and counters get their names in the same statement (no round trip after it), counters in display order.
  const labelled = grouping.kind === 'officer'
    ? sql`select g.*, o.full_name from (${grouped}) g left join officers o on o.id = g.key`
    : grouping.kind === 'counter'
      ? sql`select g.*, c.unit_id, c.number, c.name from (${grouped}) g join counters c on c.id = g.key join units u on u.id = c.unit_id
          order by u.code, c.number`
      : grouped
  return sql`${withSubtreeTops(filter.unitId)}, s (id, key, sign) as (${units}) ${labelled}`
}

/**
 * Keeps the statement off parallel workers at any table size: a PARALLEL UNSAFE function anywhere in a statement
 * rules out every parallel plan (migration 2026_11_30_0500), and this one is folded to `true` while planning. A figure
 * read is a few hundred index probes; two workers cost ~100 ms to start here, and the planner chose them by table
 * size (the units read at 1 M ratings, not at 100 k or 10 M: docs/analytics.md, "The parallel cliff").
 */
export const serialOnly = sql`no_parallel_workers()`

export interface ExactRow extends Record<string, unknown> { key: unknown, sums: string, unslotted: boolean, slots_current: boolean }

/** A row's sums read (reused from row to row; the reads are synchronous). */
const sumsRead: number[] = []

/**
 * Reads the comma-separated integer sums into `sumsRead` without a string per count; answers how many, or -1 for
 * text that is not plain integers (then the caller reads it with Number()).
 */
function readSums (text: string): number {
  let count = 0
  let value = 0
  let negative = false
  for (let index = 0; index <= text.length; index++) {
    const char = index < text.length ? text.charCodeAt(index) : 44
    if (char === 44) {
      sumsRead[count++] = negative ? -value : value
      value = 0
      negative = false
    } else if (char >= 48 && char <= 57) value = value * 10 + (char - 48)
    else if (char === 45 && value === 0) negative = true
    else return -1
  }
  return count
}

/**
 * Adds the statement's rows (counts and criteria by position in `slots`) to the map under their keys, and each key's
 * per-dossier counts to `dossiers` (when the statement read them) if a rating of the key carries a code.
 */
function addExactRows (
  result: Map<string, Counts>, dossiers: Map<string, DossierCounts> | null, rows: ExactRow[], slots: SlotList, grouping: Grouping
): void {
  const criteriaEnd = scalarColumns.length + 3 * slots.length
  const expected = criteriaEnd + (dossiers === null ? 0 : dossierColumns.length)
  for (const row of rows) {
    if (readSums(row.sums) !== expected) {
      const values = row.sums.split(',').map(Number)
      if (values.length !== expected || values.some((value) => !Number.isSafeInteger(value))) {
        throw new Error(`figure statement: ${values.length} sums, ${expected} expected`)
      }
      for (let index = 0; index < expected; index++) sumsRead[index] = values[index]!
    }
    const counts = emptyCounts()
    counts.total = sumsRead[0]!
    counts.satisfied = sumsRead[1]!
    counts.neutral = sumsRead[2]!
    counts.unsatisfied = sumsRead[3]!
    counts.weightSum = sumsRead[4]!
    for (const level of levelNumbers) {
      const count = sumsRead[4 + level]!
      if (count !== 0) counts.byLevel.set(level, count)
    }
    for (let index = 0, at = scalarColumns.length; index < slots.length; index++, at += 3) {
      const answered = sumsRead[at]!
      const notApplicable = sumsRead[at + 2]!
      if (answered !== 0 || notApplicable !== 0) {
        counts.criteria.set(slots[index]!.code, { answered, met: sumsRead[at + 1]!, notApplicable })
      }
    }
    const key = exactKeyText(grouping, row.key)
    if (dossiers !== null && sumsRead[criteriaEnd + 2]! !== 0) {
      const known = dossiers.get(key)
      const read: DossierCounts = {
        dossiers: sumsRead[criteriaEnd]!,
        dossiersUnsatisfied: sumsRead[criteriaEnd + 1]!,
        coded: sumsRead[criteriaEnd + 2]!,
        codedUnsatisfied: sumsRead[criteriaEnd + 3]!
      }
      if (known === undefined) dossiers.set(key, read)
      else {
        known.dossiers += read.dossiers
        known.dossiersUnsatisfied += read.dossiersUnsatisfied
        known.coded += read.coded
        known.codedUnsatisfied += read.codedUnsatisfied
      }
    }
    const known = result.get(key)
    if (known === undefined) result.set(key, counts)
    else addCounts(known, counts)
  }
}

/** Which rows answer a query: subtree rollups (no counter/officer), detail rollups, or raw ratings (hours of one counter or officer). */
export function planFor (filter: FigureFilter, grouping: Grouping): 'subtree' | 'detail' | 'ratings' {
  const detail = filter.counterId != null || filter.officerId != null || grouping.kind === 'officer' || grouping.kind === 'counter'
  if (!detail) return 'subtree'
  return grouping.kind === 'heatmap' || (grouping.kind === 'time' && grouping.interval === 'hour') ? 'ratings' : 'detail'
}

/**
 * Criterion slots last read, per database handle. Slots are append-only (a code keeps its slot for good), so a
 * cached list can only lack codes counted since; every statement checks its list against the table in its own
 * snapshot and is asked again when it is stale. Keyed by the handle: another database has other slots.
 */
export const slotCache = new WeakMap<object, SlotList>()

export async function slotList (db: Db): Promise<SlotList> {
  const slots = await criterionSlots(db)
  return [...slots.entries()].sort(([, a], [, b]) => a - b).map(([code, slot]) => ({ code, slot }))
}

/** Codes on pending ratings that have no slot yet, added to the list (their rollup columns read 0). */
async function withPendingCodes (db: Db, slots: SlotList): Promise<SlotList> {
  const codes = await sql<{ code: string }>`select distinct jsonb_object_keys(r.criteria) as code
    from rollup_queue q cross join lateral ${queuedRatingSql} r`
    .execute(db)
  const known = new Set(slots.map(({ code }) => code))
  return [...slots, ...codes.rows.map((row) => row.code).filter((code) => !known.has(code)).sort().map((code) => ({ code, slot: null }))]
}

/**
 * Counts per key; `rows`: the statement's rows with the officers' / counters' names (counters in display order), when it
 * read them; `dossiers`: per-dossier counts of the keys with a dossier-coded rating (none: no rating carries a code).
 */
export interface CountsAnswer {
  counts: Map<string, Counts>
  rows: ExactRow[] | null
  dossiers: Map<string, DossierCounts>
}

/**
 * Rollups plus the ratings still pending (in `rollup_queue`), in one statement's snapshot: exact while the worker
 * catches up. With `dossiers` (the default) the same statement reads the per-dossier counts.
 */
export async function exactCounts (
  db: Db, filter: FigureFilter, period: Period, grouping: Grouping, plan: 'subtree' | 'detail',
  options: { dossiers: boolean } = { dossiers: true }
): Promise<CountsAnswer> {
  const run = async (trx: Db, slots: SlotList): Promise<ExactRow[]> =>
    (await sql<ExactRow>`${exactStatement(filter, period, grouping, plan, slots, options)}`.execute(trx)).rows
  const cacheKey = db.isTransaction ? null : db
  let slots = (cacheKey === null ? undefined : slotCache.get(cacheKey)) ?? await slotList(db)
  let rows = await run(db, slots)
  if (rows.some((row) => row.slots_current !== true || row.unslotted === true)) {
    // A criterion code new since the list was read: the slots, the pending ratings' codes and the figure read in
    // one snapshot, so they agree whatever the worker commits meanwhile.
    [slots, rows] = await inSnapshot(db, async (trx) => {
      const all = await withPendingCodes(trx, await slotList(trx))
      return [all, await run(trx, all)] as const
    })
  }
  if (cacheKey !== null) slotCache.set(cacheKey, slots.filter(({ slot }) => slot !== null))
  const result = new Map<string, Counts>()
  const dossiers = new Map<string, DossierCounts>()
  addExactRows(result, options.dossiers ? dossiers : null, rows, slots, grouping)
  // A month row less its other days can leave a key with nothing in the period (an officer who served only
  // on those days): raw ratings would not list it either.
  result.forEach((counts, key) => { if (counts.total === 0) result.delete(key) })
  return { counts: result, rows, dossiers }
}

/**
 * Runs `fn` in one snapshot: a read-only REPEATABLE READ transaction, unless `db` already is a transaction
 * (then the caller chose its isolation). A worker run committing between two reads can then neither double
 * a rating (in the rollups and still pending) nor drop one.
 */
export async function inSnapshot<T> (db: Db, fn: (db: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db)
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn)
}
