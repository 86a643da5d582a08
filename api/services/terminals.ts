// A terminal's life as staff and device see it: created with a pairing code, paired once, revoked; each step audited.
import type { Kysely } from 'kysely'
import type { Database, TerminalKind, TerminalRow } from '../../db/schema.ts'
import type { Terminal } from '../../contract/terminals.ts'
import { ApiError } from '../errors.ts'
import type { Actor } from '../plugins/app/auth.ts'
import { hashPairingCode, hashToken, newPairingCode, newToken } from '../lib/secrets.ts'
import { writeAudit } from '../repositories/audit.ts'
import { claimPairingCode, freeTerminalName, insertTerminal, markTerminalRevoked, rowToTerminal } from '../repositories/terminals.ts'

/** How long a new terminal's pairing code is valid. */
export const PAIRING_MINUTES = 15

/**
 * A new terminal at the counter, named after it unless a name is given ("Máy tính bảng quầy 2", "… (2)" for a
 * replaced tablet); answers it with its pairing code, which is stored only as a keyed hash.
 */
export async function createTerminal (
  db: Kysely<Database>,
  actor: Actor,
  counter: { id: string, unit_id: string, number: number },
  request: { kind: TerminalKind, name?: string | undefined },
  pairingKey: string
): Promise<{ terminal: Terminal, pairingCode: string, pairingExpiresAt: string }> {
  const pairingCode = newPairingCode()
  const expiresAt = new Date(Date.now() + PAIRING_MINUTES * 60_000)
  const row = await db.transaction().execute(async (trx) => {
    const kind = request.kind
    const defaultName = `${kind === 'touch' ? 'Máy tính bảng' : 'Hộp nút bấm'} quầy ${counter.number}`
    const name = request.name ?? await freeTerminalName(trx, counter.unit_id, defaultName)
    const created = await insertTerminal(trx, {
      unitId: counter.unit_id,
      counterId: counter.id,
      kind,
      name,
      pairingCodeHash: hashPairingCode(pairingCode, pairingKey),
      pairingExpiresAt: expiresAt
    })
    const after = rowToTerminal(created)
    await writeAudit(trx, actor, { action: 'create', entity: 'terminal', entityId: created.id, unitId: created.unit_id, after })
    return created
  })
  return { terminal: rowToTerminal(row), pairingCode, pairingExpiresAt: expiresAt.toISOString() }
}

/** Revokes the terminal (found in scope by the caller) and audits the change; answers it as it is now. */
export async function revokeTerminal (db: Kysely<Database>, actor: Actor, before: TerminalRow): Promise<Terminal> {
  const row = await db.transaction().execute(async (trx) => {
    const updated = await markTerminalRevoked(trx, before.id)
    await writeAudit(trx, actor, {
      action: 'revoke',
      entity: 'terminal',
      entityId: before.id,
      unitId: before.unit_id,
      before: rowToTerminal(before),
      after: rowToTerminal(updated)
    })
    return updated
  })
  return rowToTerminal(row)
}

/**
 * A device pairs with the code shown on the dashboard (spaces and dashes ignored); answers its new token, once.
 * A wrong, expired or used code answers 400 PAIRING_CODE_INVALID.
 */
export async function pairTerminal (
  db: Kysely<Database>, pairingCode: string, pairingKey: string
): Promise<{ terminalId: string, token: string }> {
  const code = pairingCode.replace(/[\s-]/g, '')
  const token = newToken('hlt')
  // One UPDATE claims the code: a second device racing with the same code finds nothing.
  const row = await claimPairingCode(db, hashPairingCode(code, pairingKey), hashToken(token))
  if (row === undefined) {
    const message = 'This pairing code is wrong, expired or already used; create a new one on the dashboard'
    throw new ApiError(400, 'PAIRING_CODE_INVALID', message)
  }
  const device = { kind: 'terminal' as const, terminalId: row.id }
  await writeAudit(db, device, { action: 'pair', entity: 'terminal', entityId: row.id, unitId: row.unitId })
  return { terminalId: row.id, token }
}
