// Terminals in the database: pairing, tokens, revocation and last contact; rows become API objects here.
import { sql } from 'kysely'
import type { TerminalKind, TerminalRow, Db } from '../../db/schema.ts'
import type { Terminal } from '../../contract/terminals.ts'
import { unitSubtreeIds } from './units.ts'

export function rowToTerminal (row: TerminalRow, now = Date.now()): Terminal {
  const status = row.revoked_at !== null
    ? 'revoked'
    : row.paired_at !== null
      ? 'paired'
      : row.pairing_expires_at !== null && row.pairing_expires_at.getTime() > now ? 'pairing' : 'pairing_expired'
  return {
    id: row.id,
    unitId: row.unit_id,
    counterId: row.counter_id,
    kind: row.kind,
    name: row.name,
    status,
    pairedAt: row.paired_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastSeenAt: row.last_seen_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString()
  }
}

export async function findTerminal (db: Db, id: string): Promise<TerminalRow | undefined> {
  return db.selectFrom('terminals').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Terminals of the subtree of `root` (null: all), oldest first. */
export async function listTerminals (db: Db, root: string | null, filter: { counterId?: string }): Promise<TerminalRow[]> {
  let query = db.selectFrom('terminals').selectAll().orderBy('created_at')
  if (root !== null) query = query.where('unit_id', 'in', await unitSubtreeIds(db, root))
  if (filter.counterId !== undefined) query = query.where('counter_id', '=', filter.counterId)
  return query.execute()
}

/** "Máy tính bảng quầy 2", or "… (2)", "… (3)" when the unit already has a terminal of that name (a replaced tablet). */
export async function freeTerminalName (db: Db, unitId: string, base: string): Promise<string> {
  const rows = await db.selectFrom('terminals').select('name').where('unit_id', '=', unitId).where('name', 'like', `${base}%`).execute()
  const taken = new Set(rows.map((row) => row.name))
  if (!taken.has(base)) return base
  let n = 2
  while (taken.has(`${base} (${n})`)) n += 1
  return `${base} (${n})`
}

/** A new, unpaired terminal waiting for its pairing code until `pairingExpiresAt`. */
export async function insertTerminal (db: Db, terminal: {
  unitId: string, counterId: string, kind: TerminalKind, name: string, pairingCodeHash: string, pairingExpiresAt: Date
}): Promise<TerminalRow> {
  return db.insertInto('terminals').values({
    unit_id: terminal.unitId,
    counter_id: terminal.counterId,
    kind: terminal.kind,
    name: terminal.name,
    token_hash: null,
    pairing_code_hash: terminal.pairingCodeHash,
    pairing_expires_at: terminal.pairingExpiresAt,
    paired_at: null,
    revoked_at: null,
    last_seen_at: null
  }).returningAll().executeTakeFirstOrThrow()
}

/** Revokes the terminal (keeping the first revocation time) and drops any pairing code left. */
export async function markTerminalRevoked (db: Db, id: string): Promise<TerminalRow> {
  return db.updateTable('terminals')
    .set({ revoked_at: sql`coalesce(revoked_at, now())`, pairing_code_hash: null })
    .where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

/**
 * Pairs the terminal whose live, unused code has this hash, giving it the token's hash. One UPDATE claims the code:
 * a second device racing with the same code finds nothing (undefined).
 */
export async function claimPairingCode (
  db: Db, pairingCodeHash: string, tokenHash: string
): Promise<{ id: string, unitId: string } | undefined> {
  const row = await db.updateTable('terminals')
    .set({ token_hash: tokenHash, paired_at: sql`now()`, pairing_code_hash: null, pairing_expires_at: null })
    .where('pairing_code_hash', '=', pairingCodeHash)
    .where('pairing_expires_at', '>', sql<Date>`now()`)
    .where('revoked_at', 'is', null)
    .where('paired_at', 'is', null)
    .returning(['id', 'unit_id'])
    .executeTakeFirst()
  return row === undefined ? undefined : { id: row.id, unitId: row.unit_id }
}

/** The unrevoked terminal holding this token, with what a request needs to know of it. */
export async function findTerminalByToken (db: Db, tokenHash: string): Promise<{
  id: string, unitId: string, counterId: string, kind: TerminalKind, pairedAt: Date | null, createdAt: Date, counterCreatedAt: Date
} | undefined> {
  const row = await db.selectFrom('terminals').innerJoin('counters', 'counters.id', 'terminals.counter_id')
    .select([
      'terminals.id', 'terminals.unit_id', 'terminals.counter_id', 'terminals.kind', 'terminals.paired_at', 'terminals.created_at',
      'counters.created_at as counter_created_at'
    ])
    .where('terminals.token_hash', '=', tokenHash).where('terminals.revoked_at', 'is', null).executeTakeFirst()
  if (row === undefined) return undefined
  return {
    id: row.id,
    unitId: row.unit_id,
    counterId: row.counter_id,
    kind: row.kind,
    pairedAt: row.paired_at,
    createdAt: row.created_at,
    counterCreatedAt: row.counter_created_at
  }
}

/** The device was heard from now. */
export async function touchTerminal (db: Db, id: string): Promise<void> {
  await db.updateTable('terminals').set({ last_seen_at: sql`now()` }).where('id', '=', id).execute()
}

/** Whether the terminal still exists and is not revoked. */
export async function terminalActive (db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom('terminals').select('revoked_at').where('id', '=', id).executeTakeFirst()
  return row !== undefined && row.revoked_at === null
}

/** Those of `ids` that still exist unrevoked. */
export async function activeTerminalIds (db: Db, ids: string[]): Promise<Set<string>> {
  const rows = await db.selectFrom('terminals').select('id').where('id', 'in', ids).where('revoked_at', 'is', null).execute()
  return new Set(rows.map((row) => row.id))
}
