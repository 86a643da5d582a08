// Follow-up cases with their rating, counter and officer; rows become API objects here.
import type { Role, Db } from '../../db/schema.ts'
import type { Case } from '../../contract/cases.ts'
import { subtreeOf } from './organisation.ts'

interface CaseWithRatingRow {
  id: string
  unit_id: string
  rating_id: string
  counter_id: string
  counter_number: number
  officer_id: string | null
  officer_name: string | null
  status: 'open' | 'resolved'
  level: number
  category: string
  rated_at: Date
  counted_at: Date
  opened_at: Date
  resolved_at: Date | null
  resolved_by: string | null
  note: string | null
}

export function rowToCase (row: CaseWithRatingRow, now = Date.now()): Case {
  const until = row.resolved_at?.getTime() ?? now
  return {
    id: row.id,
    unitId: row.unit_id,
    ratingId: row.rating_id,
    counterId: row.counter_id,
    counterNumber: row.counter_number,
    officerId: row.officer_id,
    officerName: row.officer_name,
    status: row.status,
    level: row.level,
    category: row.category,
    ratedAt: row.rated_at.toISOString(),
    openedAt: row.opened_at.toISOString(),
    resolvedAt: row.resolved_at === null ? null : row.resolved_at.toISOString(),
    resolvedBy: row.resolved_by,
    note: row.note,
    ageSeconds: Math.max(0, Math.floor((until - row.counted_at.getTime()) / 1000))
  }
}

function casesWithRating (db: Db) {
  return (
    db
      .selectFrom('cases')
      // By the whole key (unit_id, id): the primary key's index, and one shard on the Citus path (docs/scale.md).
      .innerJoin('ratings', (join) => join.onRef('ratings.unit_id', '=', 'cases.unit_id').onRef('ratings.id', '=', 'cases.rating_id'))
      .innerJoin('counters', 'counters.id', 'cases.counter_id')
      .leftJoin('officers', 'officers.id', 'cases.officer_id')
      .select([
        'cases.id',
        'cases.unit_id',
        'cases.rating_id',
        'cases.counter_id',
        'counters.number as counter_number',
        'cases.officer_id',
        'officers.full_name as officer_name',
        'cases.status',
        'ratings.level',
        'ratings.category',
        'ratings.rated_at',
        'ratings.counted_at',
        'cases.opened_at',
        'cases.resolved_at',
        'cases.resolved_by',
        'cases.note'
      ])
  )
}

export interface CaseFilter {
  status?: 'open' | 'resolved'
  unitId?: string
  counterId?: string
  officerId?: string
  from?: Date
  /** Exclusive. */
  until?: Date
  limit: number
}

/** Cases in the viewer's scope (officer users: only their own), oldest rating first. */
export async function listCases (
  db: Db,
  viewer: { role: Role; unitId: string | null; officerId: string | null },
  filter: CaseFilter
): Promise<CaseWithRatingRow[]> {
  let query = casesWithRating(db)
  if (viewer.role === 'officer') query = query.where('cases.officer_id', '=', viewer.officerId ?? '00000000-0000-0000-0000-000000000000')
  else if (viewer.unitId !== null) query = query.where('cases.unit_id', 'in', subtreeOf(viewer.unitId))
  if (filter.status !== undefined) query = query.where('cases.status', '=', filter.status)
  if (filter.unitId !== undefined) query = query.where('cases.unit_id', 'in', subtreeOf(filter.unitId))
  if (filter.counterId !== undefined) query = query.where('cases.counter_id', '=', filter.counterId)
  if (filter.officerId !== undefined) query = query.where('cases.officer_id', '=', filter.officerId)
  if (filter.from !== undefined) query = query.where('ratings.counted_at', '>=', filter.from)
  if (filter.until !== undefined) query = query.where('ratings.counted_at', '<', filter.until)
  return query.orderBy('ratings.counted_at').orderBy('cases.id').limit(filter.limit).execute()
}

export async function findCase (db: Db, id: string): Promise<CaseWithRatingRow | undefined> {
  return casesWithRating(db).where('cases.id', '=', id).executeTakeFirst()
}

/** Locks the case row for the rest of the transaction, so it is resolved once. */
export async function lockCase (
  db: Db,
  id: string
): Promise<{ id: string; unit_id: string; officer_id: string | null; status: 'open' | 'resolved' } | undefined> {
  return db.selectFrom('cases').select(['id', 'unit_id', 'officer_id', 'status']).where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function resolveCase (db: Db, id: string, resolution: { userId: string; note: string }): Promise<void> {
  await db
    .updateTable('cases')
    .set((eb) => ({ status: 'resolved', resolved_at: eb.fn('now'), resolved_by: resolution.userId, note: resolution.note }))
    .where('id', '=', id)
    .execute()
}
