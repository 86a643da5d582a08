// A queue system reports a call: the counter must be in its token's subtree; a retry is kept once.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'
import type { QueueCall, QueueCallBody } from '../../contract/queue.ts'
import type { QueueTokenIdentity } from '../plugins/app/auth.ts'
import { badRequest, conflict, notFound } from '../errors.ts'
import { counterUnitWithin, insertQueueCall, rowToQueueCall } from '../repositories/queue-calls.ts'

/** Stores the call; answers it and whether it is new (false: the same call was reported before, nothing changed). */
export async function recordQueueCall (
  db: Kysely<Database>, token: QueueTokenIdentity, body: QueueCallBody, clockSkewSeconds: number
): Promise<{ call: QueueCall, created: boolean }> {
  // The latest call is the counter's current one: a call dated in the future would hide the real ones behind it.
  const calledAt = Date.parse(body.calledAt)
  if (!Number.isFinite(calledAt) || calledAt > Date.now() + clockSkewSeconds * 1000) {
    throw badRequest('INVALID_DATE', 'calledAt must be a date-time with offset, not in the future')
  }
  // A counter elsewhere answers exactly like one that does not exist: the token learns nothing of other units.
  const unitId = await counterUnitWithin(db, token.unitId, body.counterId)
  if (unitId === undefined) throw notFound('Counter', 'COUNTER_NOT_FOUND')
  const dossierCode = body.dossierCode ?? null
  const { row, created } = await insertQueueCall(db, {
    unitId, counterId: body.counterId, ticket: body.ticket, dossierCode, calledAt: body.calledAt, tokenId: token.tokenId
  })
  if (!created && row.dossier_code !== dossierCode) {
    throw conflict('QUEUE_CALL_CONFLICT', 'This call (counter, ticket, calledAt) was already reported with another dossier code')
  }
  return { call: rowToQueueCall(row), created }
}
