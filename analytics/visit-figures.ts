// The citizen's visit in the figures (issue 17): Decision 766 per dossier, satisfaction by channel, share of visits rated.
import { sql, type RawBuilder } from 'kysely'
import type { Category, Db } from '../db/schema.ts'
import { withSubtreeTops } from '../db/unit-tree.ts'
import { addCategory, addCriterion, emptyCounts, type Counts, type DossierCounts } from './figures.ts'
import { countsFromRatings } from './oracle.ts'
import { MAX_HEATMAP_DAYS, periodOf, type FigureFilter, type Grouping, type Period } from './period.ts'
import { exactCounts, filterSql, inSnapshot, keyOf, keySql, planFor, serialOnly } from './statement.ts'

export type { DossierCounts } from './figures.ts'

/**
 * Per-dossier counts per group key, read from the dossier-coded ratings only (index-only through
 * ratings_dossier_figures_idx, unit by unit of the subtree). A distinct count does not add across rollup buckets,
 * so it is not kept in them: a dossier is identified by its unit and code (the code is the centre's receipt number) and
 * is unsatisfied if any of its ratings in the period is. Cost: one index probe per unit, one row per coded rating of the
 * period (docs/analytics.md, "Decision 766 per dossier"). `key` is a SQL expression over the rating `r` and tree `t`.
 * A figure read from the rollups gets the same counts inside its own statement (statement.ts, dossierRowsSql); this
 * separate statement serves the raw reads (the oracle, hours of one counter or officer) and the channels.
 */
export async function dossierCountsBy (
  db: Db, filter: FigureFilter, period: Period, key: RawBuilder<unknown>
): Promise<Map<string, DossierCounts>> {
  const result = await sql<{ key: unknown, dossiers: number, dossiers_unsatisfied: number, coded: number, coded_unsatisfied: number }>`
    ${withSubtreeTops(filter.unitId)}
    select d.key, count(*)::int as dossiers, (count(*) filter (where d.unsatisfied))::int as dossiers_unsatisfied,
      sum(d.ratings)::int as coded, sum(d.unsatisfied_ratings)::int as coded_unsatisfied
    from (
      select ${key} as key, r.unit_id, r.dossier_code, bool_or(r.category = 'unsatisfied') as unsatisfied, count(*) as ratings,
        count(*) filter (where r.category = 'unsatisfied') as unsatisfied_ratings
      from tree t cross join lateral (select * from ratings r where r.unit_id = t.id and r.dossier_code is not null
        and r.counted_at >= ${period.start} and r.counted_at < ${period.end} ${filterSql(filter, 'r')} offset 0) r
      where ${serialOnly}
      group by 1, r.unit_id, r.dossier_code
    ) d
    group by d.key`.execute(db)
  const counts = new Map<string, DossierCounts>()
  for (const row of result.rows) {
    counts.set(keyOf(row.key), {
      dossiers: Number(row.dossiers),
      dossiersUnsatisfied: Number(row.dossiers_unsatisfied),
      coded: Number(row.coded),
      codedUnsatisfied: Number(row.coded_unsatisfied)
    })
  }
  return counts
}

/** Per-dossier counts keyed as the figure's own counts are (summary '', officer id, counter id, unit, bucket, heat-map cell). */
export function dossierCounts (db: Db, filter: FigureFilter, period: Period, grouping: Grouping): Promise<Map<string, DossierCounts>> {
  return dossierCountsBy(db, filter, period, keySql(grouping, sql`r.counted_at`))
}

export const channels = ['touch', 'button', 'phone'] as const
export type Channel = typeof channels[number]

/** Raw counts of the ratings not given on a touch terminal, per channel (through ratings_channel_idx: the few, not all). */
async function otherChannelCounts (db: Db, filter: FigureFilter, period: Period): Promise<Map<string, Counts>> {
  const from = sql`tree t cross join lateral (select * from ratings r where r.unit_id = t.id and r.source <> 'touch'
    and r.counted_at >= ${period.start} and r.counted_at < ${period.end} ${filterSql(filter, 'r')}) r`
  const [rows, criterionRows] = await Promise.all([
    sql<{ key: string, level: number, category: Category, total: number, weight_sum: number }>`${withSubtreeTops(filter.unitId)}
      select r.source as key, r.level, r.category, count(*) as total, sum(r.weight) as weight_sum
      from ${from} where ${serialOnly} group by 1, 2, 3`.execute(db),
    sql<{ key: string, code: string, answered: number, met: number, na: number }>`${withSubtreeTops(filter.unitId)}
      select r.source as key, c.key as code, count(*) filter (where jsonb_typeof(c.value) = 'boolean') as answered,
        count(*) filter (where c.value = 'true'::jsonb) as met, count(*) filter (where c.value = '"na"'::jsonb) as na
      from ${from} cross join lateral jsonb_each(r.criteria) c where ${serialOnly} group by 1, 2`.execute(db)
  ])
  const result = new Map<string, Counts>()
  const at = (key: string): Counts => {
    let counts = result.get(key)
    if (counts === undefined) result.set(key, counts = emptyCounts())
    return counts
  }
  for (const row of rows.rows) {
    const counts = at(row.key)
    const total = Number(row.total)
    counts.total += total
    addCategory(counts, row.category, total)
    counts.weightSum += Number(row.weight_sum)
    counts.byLevel.set(row.level, (counts.byLevel.get(row.level) ?? 0) + total)
  }
  for (const row of criterionRows.rows) addCriterion(at(row.key), row.code, Number(row.answered), Number(row.met), Number(row.na))
  return result
}

/** `into` less `less`, count by count (the touch channel: all ratings less the button and phone ones). */
function subtractCounts (into: Counts, less: Counts): void {
  into.total -= less.total
  into.satisfied -= less.satisfied
  into.neutral -= less.neutral
  into.unsatisfied -= less.unsatisfied
  into.weightSum -= less.weightSum
  for (const [level, count] of less.byLevel) into.byLevel.set(level, (into.byLevel.get(level) ?? 0) - count)
  for (const [code, criterion] of less.criteria) addCriterion(into, code, -criterion.answered, -criterion.met, -criterion.notApplicable)
}

/**
 * Counts per channel (touch, button, phone). Touch terminals give most ratings: the whole (rollups + pending, as the
 * summary) less the button-box and phone ratings read raw, both in one snapshot so a rating committed meanwhile is
 * counted in both or in neither. `source: 'ratings'`: every channel from raw ratings (to check it).
 */
export async function channelCounts (
  db: Db, filter: FigureFilter, period: Period, options: { source?: 'rollups' | 'ratings' } = {}
): Promise<{ counts: Map<Channel, Counts>, dossiers: Map<string, DossierCounts> }> {
  return inSnapshot(db, async (trx) => {
    const [all, others, dossiers] = await Promise.all([
      options.source === 'ratings'
        ? countsFromRatings(trx, filter, period, { kind: 'none' })
        // Its dossiers are by channel, read below: the summary's own (by nothing) would be read for nothing.
        : exactCounts(trx, filter, period, { kind: 'none' }, planFor(filter, { kind: 'none' }) as 'subtree' | 'detail', { dossiers: false })
          .then((answer) => answer.counts),
      otherChannelCounts(trx, filter, period),
      dossierCountsBy(trx, filter, period, sql`r.source`)
    ])
    const touch = all.get('') ?? emptyCounts()
    for (const counts of others.values()) subtractCounts(touch, counts)
    const counts = new Map<Channel, Counts>()
    for (const channel of channels) counts.set(channel, channel === 'touch' ? touch : others.get(channel) ?? emptyCounts())
    return { counts, dossiers }
  })
}

/** How many of the visits called to counters were rated, for one counter and local day, or a counter's or the whole period. */
export interface VisitCounts {
  /** Distinct tickets called to the counter that local day (summed over counter-days). */
  ticketsCalled: number
  /** Ratings carrying a ticket (misuse left out unless asked: a ticket's second rating is misuse). */
  ratingsWithTicket: number
  /** ratingsWithTicket ÷ ticketsCalled; null when no ticket was called. */
  shareRated: number | null
  /** Distinct dossiers (unit, code) rated. */
  dossiersRated: number
}

export interface CounterVisits extends VisitCounts {
  counterId: string
  unitId: string
  number: number
  name: string
}

export interface CounterDayVisits extends CounterVisits {
  /** Local day, YYYY-MM-DD (Asia/Ho_Chi_Minh). */
  day: string
}

export interface Visits {
  total: VisitCounts
  counters: CounterVisits[]
  rows: CounterDayVisits[]
}

const share = (rated: number, called: number): number | null => (called === 0 ? null : rated / called)

/**
 * Share of visits rated (issue 17): per counter and local day, tickets called (queue_calls, distinct tickets per counter
 * per day) and ratings with a ticket; per counter and in total over the period; and dossiers rated. The period is at
 * most a year (a row per counter and day). A counter filter applies to both sides; an officer filter is not taken
 * (the queue does not know who served).
 */
export async function visits (db: Db, filter: FigureFilter): Promise<Visits> {
  const period = periodOf(filter.from, filter.to, MAX_HEATMAP_DAYS)
  const localDay = (column: RawBuilder<unknown>): RawBuilder<string> =>
    sql<string>`to_char((${column} at time zone 'UTC') + interval '7 hours', 'YYYY-MM-DD')`
  const counter = filter.counterId == null ? sql`` : sql`and q.counter_id = ${filter.counterId}`
  const ratingFilter = { ...filter, officerId: null }
  const result = await inSnapshot(db, async (trx) => Promise.all([
    sql<{ counter_id: string, day: string, called: number }>`${withSubtreeTops(filter.unitId)}
      select q.counter_id, ${localDay(sql`q.called_at`)} as day, count(distinct q.ticket)::int as called
      from tree t cross join lateral (select * from queue_calls q where q.unit_id = t.id
        and q.called_at >= ${period.start} and q.called_at < ${period.end} ${counter}) q
      where ${serialOnly} group by 1, 2`.execute(trx),
    sql<{ counter_id: string, day: string, rated: number }>`${withSubtreeTops(filter.unitId)}
      select r.counter_id, ${localDay(sql`r.counted_at`)} as day, count(*)::int as rated
      from tree t cross join lateral (select * from ratings r where r.unit_id = t.id and r.ticket is not null
        and r.counted_at >= ${period.start} and r.counted_at < ${period.end} ${filterSql(ratingFilter, 'r')}) r
      where ${serialOnly} group by 1, 2`.execute(trx),
    // Distinct dossiers per counter-day, per counter and in all, in one pass (grouping sets).
    sql<{ counter_id: string | null, day: string | null, dossiers: number }>`${withSubtreeTops(filter.unitId)}
      select r.counter_id, ${localDay(sql`r.counted_at`)} as day, count(distinct (r.unit_id, r.dossier_code))::int as dossiers
      from tree t cross join lateral (select * from ratings r where r.unit_id = t.id and r.dossier_code is not null
        and r.counted_at >= ${period.start} and r.counted_at < ${period.end} ${filterSql(ratingFilter, 'r')}) r
      where ${serialOnly}
      group by grouping sets ((r.counter_id, ${localDay(sql`r.counted_at`)}), (r.counter_id), ())`.execute(trx)
  ]))
  const [calls, rated, dossiers] = result.map((answer) => answer.rows) as [
    Array<{ counter_id: string, day: string, called: number }>,
    Array<{ counter_id: string, day: string, rated: number }>,
    Array<{ counter_id: string | null, day: string | null, dossiers: number }>
  ]
  const cell = (counterId: string, day: string) => `${counterId} ${day}`
  const cells = new Map<string, { counterId: string, day: string, called: number, rated: number, dossiers: number }>()
  const at = (counterId: string, day: string) => {
    const key = cell(counterId, day)
    let found = cells.get(key)
    if (found === undefined) cells.set(key, found = { counterId, day, called: 0, rated: 0, dossiers: 0 })
    return found
  }
  for (const row of calls) at(row.counter_id, row.day).called += Number(row.called)
  for (const row of rated) at(row.counter_id, row.day).rated += Number(row.rated)
  const counterDossiers = new Map<string, number>()
  let totalDossiers = 0
  for (const row of dossiers) {
    if (row.counter_id === null) totalDossiers = Number(row.dossiers)
    else if (row.day === null) counterDossiers.set(row.counter_id, Number(row.dossiers))
    else at(row.counter_id, row.day).dossiers = Number(row.dossiers)
  }
  const ids = [...new Set([...cells.values()].map((entry) => entry.counterId))]
  const counters = ids.length === 0
    ? []
    : await db.selectFrom('counters').innerJoin('units', 'units.id', 'counters.unit_id')
      .select(['counters.id', 'counters.unit_id', 'counters.number', 'counters.name'])
      .where('counters.id', '=', sql<string>`any(${ids}::uuid[])`).orderBy('units.code').orderBy('counters.number').execute()
  const order = new Map(counters.map((row, index) => [row.id, index]))
  const visitCounts = (called: number, ratedCount: number, dossierCount: number): VisitCounts =>
    ({ ticketsCalled: called, ratingsWithTicket: ratedCount, shareRated: share(ratedCount, called), dossiersRated: dossierCount })
  const rows: CounterDayVisits[] = [...cells.values()]
    .sort((a, b) => order.get(a.counterId)! - order.get(b.counterId)! || a.day.localeCompare(b.day))
    .map((entry) => {
      const info = counters[order.get(entry.counterId)!]!
      return {
        day: entry.day,
        counterId: entry.counterId,
        unitId: info.unit_id,
        number: info.number,
        name: info.name,
        ...visitCounts(entry.called, entry.rated, entry.dossiers)
      }
    })
  const perCounter = counters.map((info): CounterVisits => {
    const mine = rows.filter((row) => row.counterId === info.id)
    const called = mine.reduce((sum, row) => sum + row.ticketsCalled, 0)
    const ratedCount = mine.reduce((sum, row) => sum + row.ratingsWithTicket, 0)
    return {
      counterId: info.id,
      unitId: info.unit_id,
      number: info.number,
      name: info.name,
      ...visitCounts(called, ratedCount, counterDossiers.get(info.id) ?? 0)
    }
  })
  const called = rows.reduce((sum, row) => sum + row.ticketsCalled, 0)
  const ratedCount = rows.reduce((sum, row) => sum + row.ratingsWithTicket, 0)
  return { total: visitCounts(called, ratedCount, totalDossiers), counters: perCounter, rows }
}
