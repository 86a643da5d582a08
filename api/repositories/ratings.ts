// The stored ratings as the list shows them: newest first, a page at a time, with the counter and officer names.
import { sql } from 'kysely'
import type { Category, CriteriaAnswers, Db, MisuseReason, RatingSource, Role } from '../../db/schema.ts'
import type { RatingListItem } from '../../contract/ratings.ts'
import { subtreeOf } from './organisation.ts'

const NOBODY = '00000000-0000-0000-0000-000000000000'

/** Where a page starts: counted_at as PostgreSQL prints it (microseconds kept, which a JS Date would lose), then the id. */
export interface RatingPosition { countedKey: string, id: string }

export interface RatingFilter {
  unitId?: string
  counterId?: string
  officerId?: string
  includeMisuse?: boolean
  from?: Date
  until?: Date
}

interface RatingWithNamesRow {
  id: string
  unit_id: string
  counter_id: string
  counter_number: number
  officer_id: string | null
  officer_name: string | null
  level: number
  category: Category
  criteria: CriteriaAnswers
  rated_at: Date
  received_at: Date
  counted_at: Date
  counted_key: string
  source: RatingSource
  misuse: boolean
  misuse_reason: MisuseReason | null
  ticket: string | null
  dossier_code: string | null
}

function rowToRatingItem (row: RatingWithNamesRow): RatingListItem {
  return {
    id: row.id,
    unitId: row.unit_id,
    counterId: row.counter_id,
    counterNumber: row.counter_number,
    officerId: row.officer_id,
    officerName: row.officer_name,
    level: row.level,
    category: row.category,
    criteria: row.criteria,
    ratedAt: row.rated_at.toISOString(),
    receivedAt: row.received_at.toISOString(),
    countedAt: row.counted_at.toISOString(),
    source: row.source,
    misuse: row.misuse,
    misuseReason: row.misuse_reason,
    ticket: row.ticket,
    dossierCode: row.dossier_code
  }
}

/**
 * One page of ratings the viewer may see (an officer user: only those credited to them; others: their subtree),
 * newest first, after `after`; `next` is where the following page starts, null on the last one.
 */
export async function listRatingPage (
  db: Db,
  viewer: { role: Role, unitId: string | null, officerId: string | null },
  filter: RatingFilter,
  page: { after?: RatingPosition, limit: number }
): Promise<{ items: RatingListItem[], next: RatingPosition | null }> {
  let list = db.selectFrom('ratings')
    .innerJoin('counters', 'counters.id', 'ratings.counter_id')
    .leftJoin('officers', 'officers.id', 'ratings.officer_id')
    .select([
      'ratings.id', 'ratings.unit_id', 'ratings.counter_id', 'counters.number as counter_number', 'ratings.officer_id',
      'officers.full_name as officer_name', 'ratings.level', 'ratings.category', 'ratings.criteria', 'ratings.rated_at',
      'ratings.received_at', 'ratings.counted_at', sql<string>`ratings.counted_at::text`.as('counted_key'), 'ratings.source',
      'ratings.misuse', 'ratings.misuse_reason', 'ratings.ticket', 'ratings.dossier_code'
    ])
  if (viewer.role === 'officer') list = list.where('ratings.officer_id', '=', viewer.officerId ?? NOBODY)
  else if (viewer.unitId !== null) list = list.where('ratings.unit_id', 'in', subtreeOf(viewer.unitId))
  if (filter.unitId !== undefined) list = list.where('ratings.unit_id', 'in', subtreeOf(filter.unitId))
  if (filter.counterId !== undefined) list = list.where('ratings.counter_id', '=', filter.counterId)
  if (filter.officerId !== undefined) list = list.where('ratings.officer_id', '=', filter.officerId)
  if (filter.includeMisuse !== true) list = list.where('ratings.misuse', '=', false)
  if (filter.from !== undefined) list = list.where('ratings.counted_at', '>=', filter.from)
  if (filter.until !== undefined) list = list.where('ratings.counted_at', '<', filter.until)
  const after = page.after
  if (after !== undefined) {
    list = list.where(sql<boolean>`(ratings.counted_at, ratings.id) < (${after.countedKey}::timestamptz, ${after.id}::uuid)`)
  }
  const rows = await list.orderBy('ratings.counted_at', 'desc').orderBy('ratings.id', 'desc')
    .limit(page.limit + 1).execute() as RatingWithNamesRow[]
  const shown = rows.slice(0, page.limit)
  const last = shown.at(-1)
  return {
    items: shown.map(rowToRatingItem),
    next: rows.length > page.limit && last !== undefined ? { countedKey: last.counted_key, id: last.id } : null
  }
}
