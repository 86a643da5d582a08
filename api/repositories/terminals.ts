// Terminals in the database: rows become API objects here.
import type { Kysely, Transaction } from 'kysely'
import type { Database, TerminalRow, Db } from '../../db/schema.ts'
import type { Terminal } from '../../contract/terminals.ts'


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
