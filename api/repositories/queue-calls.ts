// The queue system's calls of a ticket to a counter (issue 17): stored once, and the counter's current call.
import { sql } from 'kysely'
import type { Db } from '../../db/schema.ts'
import type { CurrentCall, QueueCall } from '../../contract/queue.ts'
import { subtreeOf } from './organisation.ts'

/** How long a call stays on the counter's terminal when nobody rates it (docs/queue-integration.md). */
export const CALL_FRESH_MINUTES = 30

interface QueueCallRow {
  id: string
  counter_id: string
  ticket: string
  dossier_code: string | null
  called_at: Date
  received_at: Date
}

export function rowToQueueCall (row: QueueCallRow): QueueCall {
  return {
    id: row.id,
    counterId: row.counter_id,
    ticket: row.ticket,
    dossierCode: row.dossier_code,
    calledAt: row.called_at.toISOString(),
    receivedAt: row.received_at.toISOString()
  }
}

/** The counter's unit, if the counter is inside the subtree of `rootId` (else undefined: the caller cannot tell why). */
export async function counterUnitWithin (db: Db, rootId: string, counterId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('counters')
    .select('unit_id')
    .where('id', '=', counterId)
    .where('unit_id', 'in', subtreeOf(rootId))
    .executeTakeFirst()
  return row?.unit_id
}

/** Stores the call unless the same call (counter, ticket, calledAt) is stored already; answers the stored row and whether it is new. */
export async function insertQueueCall (
  db: Db,
  call: { unitId: string; counterId: string; ticket: string; dossierCode: string | null; calledAt: string; tokenId: string }
): Promise<{ row: QueueCallRow; created: boolean }> {
  const inserted = await db
    .insertInto('queue_calls')
    .values({
      unit_id: call.unitId,
      counter_id: call.counterId,
      ticket: call.ticket,
      dossier_code: call.dossierCode,
      called_at: call.calledAt,
      token_id: call.tokenId
    })
    .onConflict((oc) => oc.columns(['unit_id', 'counter_id', 'ticket', 'called_at']).doNothing())
    .returning(['id', 'counter_id', 'ticket', 'dossier_code', 'called_at', 'received_at'])
    .executeTakeFirst()
  if (inserted !== undefined) return { row: inserted, created: true }
  const stored = await db
    .selectFrom('queue_calls')
    .select(['id', 'counter_id', 'ticket', 'dossier_code', 'called_at', 'received_at'])
    .where('unit_id', '=', call.unitId)
    .where('counter_id', '=', call.counterId)
    .where('ticket', '=', call.ticket)
    .where('called_at', '=', new Date(call.calledAt))
    .executeTakeFirstOrThrow()
  return { row: stored, created: false }
}

/**
 * The counter's latest call, received within CALL_FRESH_MINUTES, unless a rating at the counter has carried its
 * ticket since it was received (then the visit is rated and the counter shows no call until the next one).
 */
export async function currentCall (db: Db, counterId: string): Promise<CurrentCall | null> {
  const row = await db
    .selectFrom('queue_calls as q')
    .select(['q.ticket', 'q.dossier_code', 'q.called_at'])
    .select((eb) => eb.exists(
      eb.selectFrom('ratings as r')
        .select(sql<number>`1`.as('one'))
        .whereRef('r.unit_id', '=', 'q.unit_id')
        .whereRef('r.ticket', '=', 'q.ticket')
        .whereRef('r.counter_id', '=', 'q.counter_id')
        .whereRef('r.received_at', '>=', 'q.received_at')
    ).as('rated'))
    .where('q.counter_id', '=', counterId)
    .where('q.received_at', '>', sql<Date>`now() - make_interval(mins => ${CALL_FRESH_MINUTES})`)
    .orderBy('q.called_at', 'desc')
    .orderBy('q.received_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (row === undefined || row.rated) return null
  return { ticket: row.ticket, dossierCode: row.dossier_code, calledAt: row.called_at.toISOString() }
}
