// Receipt codes in the database (rate later from a phone): issued at a counter, found by the code's hash, used once.
import { sql } from 'kysely'
import type { Db, TerminalKind } from '../../db/schema.ts'
import type { FollowUpSettings } from '../../contract/follow-up.ts'

export interface NewReceipt {
  codeHash: string
  unitId: string
  counterId: string
  terminalId: string
  officerId: string | null
  ticket: string | null
  dossierCode: string | null
}

/** Stores a code valid for its unit's receipt days (its own, else its nearest ancestor's, else 7); answers its expiry. */
export async function insertReceipt (db: Db, receipt: NewReceipt): Promise<{ expiresAt: Date }> {
  const row = await db
    .insertInto('receipt_codes')
    .values({
      code_hash: receipt.codeHash,
      unit_id: receipt.unitId,
      counter_id: receipt.counterId,
      terminal_id: receipt.terminalId,
      officer_id: receipt.officerId,
      ticket: receipt.ticket,
      dossier_code: receipt.dossierCode,
      expires_at: sql<Date>`now() + make_interval(days => unit_receipt_days(${receipt.unitId}::uuid))`
    })
    .returning('expires_at')
    .executeTakeFirstOrThrow()
  return { expiresAt: row.expires_at }
}

/** A receipt code with what the phone page shows and what its rating needs. */
export interface Receipt {
  unitId: string
  counterId: string
  terminalId: string
  terminalKind: TerminalKind
  officerId: string | null
  ratingId: string
  ticket: string | null
  dossierCode: string | null
  issuedAt: Date
  expiresAt: Date
  /** When it was rated: the code's own mark, or its rating found stored (a submit cut off before marking it). */
  usedAt: Date | null
  unitName: string
  counterNumber: number
  counterName: string
  officerName: string | null
  officerTitle: string | null
  followUp: FollowUpSettings | null
}

export async function findReceipt (db: Db, codeHash: string): Promise<Receipt | undefined> {
  const row = await db
    .selectFrom('receipt_codes as r')
    .innerJoin('units as u', 'u.id', 'r.unit_id')
    .innerJoin('counters as c', 'c.id', 'r.counter_id')
    .innerJoin('terminals as t', 't.id', 'r.terminal_id')
    .leftJoin('officers as o', 'o.id', 'r.officer_id')
    .select([
      'r.unit_id as unitId', 'r.counter_id as counterId', 'r.terminal_id as terminalId', 't.kind as terminalKind',
      'r.officer_id as officerId', 'r.rating_id as ratingId', 'r.ticket', 'r.dossier_code as dossierCode',
      'r.issued_at as issuedAt', 'r.expires_at as expiresAt',
      sql<Date | null>`coalesce(r.used_at, (select received_at from ratings where unit_id = r.unit_id and id = r.rating_id))`.as('usedAt'),
      'u.name as unitName', 'c.number as counterNumber', 'c.name as counterName', 'o.full_name as officerName', 'o.title as officerTitle',
      sql<FollowUpSettings | null>`unit_follow_up(u.id)`.as('followUp')
    ])
    .where('r.code_hash', '=', codeHash)
    .executeTakeFirst()
  return row
}

/** Marks the code used (once: a later mark keeps the first time). */
export async function markReceiptUsed (db: Db, codeHash: string, at: Date): Promise<void> {
  await db.updateTable('receipt_codes').set({ used_at: at }).where('code_hash', '=', codeHash).where('used_at', 'is', null).execute()
}

/** Deletes codes expired more than `days` days ago (nothing reads them any more). */
export async function deleteOldReceipts (db: Db, days: number): Promise<number> {
  const result = await db
    .deleteFrom('receipt_codes')
    .where('expires_at', '<', sql<Date>`now() - make_interval(days => ${days}::int)`)
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
