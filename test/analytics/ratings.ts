// Test ratings straight into the ratings table, then into the rollups (as the rollup worker does), or left pending.
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Category, CriteriaAnswers, Database } from '../../db/schema.ts'
import { recordRatings, type RatingForRollup } from '../../analytics/rollup-tables.ts'

export const defaultScale: Record<number, { category: Category; weight: number }> = {
  4: { category: 'satisfied', weight: 100 },
  3: { category: 'satisfied', weight: 75 },
  2: { category: 'neutral', weight: 40 },
  1: { category: 'unsatisfied', weight: 0 }
}

export interface TestRating {
  unitId: string
  counterId: string
  terminalId: string
  officerId?: string | null
  level: number
  criteria?: CriteriaAnswers
  /** ISO 8601 with offset, or a Date. */
  at: string | Date
  misuse?: boolean
  /** The visit (issue 17): queue ticket, dossier code, and the channel it came by (default touch). */
  ticket?: string | null
  dossierCode?: string | null
  source?: 'touch' | 'button' | 'phone'
}

export function forRollup (rating: TestRating): RatingForRollup {
  const scale = defaultScale[rating.level]!
  return {
    unitId: rating.unitId,
    counterId: rating.counterId,
    officerId: rating.officerId ?? null,
    level: rating.level,
    category: scale.category,
    weight: scale.weight,
    criteria: rating.criteria ?? {},
    countedAt: new Date(rating.at),
    misuse: rating.misuse ?? false
  }
}

/**
 * Inserts the ratings and adds exactly them to the rollups, marked rolled up, in one transaction, as the
 * rollup worker leaves them. `pending: true` leaves them as the ingest commits them: not yet in the rollups.
 */
export async function addRatings (db: Kysely<Database>, ratings: TestRating[], options: { pending?: boolean } = {}): Promise<void> {
  if (ratings.length === 0) return
  const pending = options.pending ?? false
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('ratings')
      .values(
        ratings.map((rating) => {
          const scale = defaultScale[rating.level]!
          const at = new Date(rating.at)
          return {
            id: randomUUID(),
            unit_id: rating.unitId,
            counter_id: rating.counterId,
            terminal_id: rating.terminalId,
            officer_id: rating.officerId ?? null,
            device_officer_id: null,
            level: rating.level,
            category: scale.category,
            weight: scale.weight,
            criteria: JSON.stringify(rating.criteria ?? {}),
            rated_at: at,
            counted_at: at,
            source: rating.source ?? 'touch',
            ticket: rating.ticket ?? null,
            dossier_code: rating.dossierCode ?? null,
            misuse: rating.misuse ?? false,
            misuse_reason: rating.misuse === true ? ('burst' as const) : null
          }
        })
      )
      .returning(['unit_id', 'id'])
      .execute()
      .then(async (stored) => {
        // Pending: queued for the worker, as the ingest's statement queues them.
        if (!pending) return
        await trx.insertInto('rollup_queue').values(stored.map((row) => ({ unit_id: row.unit_id, rating_id: row.id }))).execute()
      })
    if (!pending) await recordRatings(trx, ratings.map(forRollup))
  })
}
