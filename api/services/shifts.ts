// Shifts: starting one at a counter ends the officer's shift elsewhere and the counter's previous one.
import { sql, type Transaction } from 'kysely'
import type { Database } from '../db/schema.ts'

export interface ShiftChange {
  /** Counters whose officer changed (their terminals need fresh state). */
  changedCounterIds: string[]
}

/** Must run inside a transaction: the ends and the start are one change. */
export async function startShift (trx: Transaction<Database>, counterId: string, officerId: string): Promise<ShiftChange> {
  const counter = await trx.selectFrom('counters').select(['id', 'unit_id']).where('id', '=', counterId).forUpdate().executeTakeFirstOrThrow()
  const ended = await trx.updateTable('assignments')
    .set({ ended_at: sql`now()` })
    .where('ended_at', 'is', null)
    .where((eb) => eb.or([eb('counter_id', '=', counterId), eb('officer_id', '=', officerId)]))
    .returning('counter_id')
    .execute()
  await trx.insertInto('assignments').values({ unit_id: counter.unit_id, counter_id: counterId, officer_id: officerId, started_at: sql`now()`, ended_at: null }).execute()
  return { changedCounterIds: [...new Set([counterId, ...ended.map((row) => row.counter_id)])] }
}

/** Ends the counter's open shift; answers whether there was one. */
export async function endShift (trx: Transaction<Database>, counterId: string): Promise<boolean> {
  const ended = await trx.updateTable('assignments').set({ ended_at: sql`now()` })
    .where('counter_id', '=', counterId).where('ended_at', 'is', null).returning('id').execute()
  return ended.length > 0
}
