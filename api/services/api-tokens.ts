// Read-only statistics tokens as staff issue and revoke them: checked in scope and audited in one transaction.
import type { Kysely } from 'kysely'
import type { ApiTokenPurpose, Database } from '../../db/schema.ts'
import type { ApiTokenCreated } from '../../contract/accounts.ts'
import { notFound } from '../errors.ts'
import { findApiToken, insertApiToken, revokeApiToken, rowToApiToken } from '../repositories/api-tokens.ts'
import { unitWithinScope, type UserActor } from '../repositories/organisation.ts'
import { writeAudit } from '../repositories/audit.ts'
import { hashToken, newToken } from '../lib/secrets.ts'

/** A token for a unit subtree in the actor's scope; answers it with its secret, shown this once and stored only hashed. */
export async function createApiToken (
  db: Kysely<Database>, actor: UserActor, request: { name: string, unitId: string, purpose?: ApiTokenPurpose }
): Promise<ApiTokenCreated> {
  const { name, unitId } = request
  const purpose = request.purpose ?? 'stats'
  // The prefix tells a reader of a leaked secret what it opens: hla_ statistics, hlq_ queue calls.
  const token = newToken(purpose === 'queue' ? 'hlq' : 'hla')
  const created = await db.transaction().execute(async (trx) => {
    if (!(await unitWithinScope(trx, actor, unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
    const row = await insertApiToken(trx, { name, unitId, tokenHash: hashToken(token), createdBy: actor.userId, purpose })
    await writeAudit(trx, actor, { action: 'create', entity: 'api_token', entityId: row.id, unitId, after: rowToApiToken(row) })
    return row
  })
  return { ...rowToApiToken(created), token }
}

/** Revokes a token in scope and audits it; revoking an already revoked token changes nothing. */
export async function revokeApiTokenAs (db: Kysely<Database>, actor: UserActor, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await findApiToken(trx, id)
    if (before === undefined || !(await unitWithinScope(trx, actor, before.unit_id))) throw notFound('API token', 'API_TOKEN_NOT_FOUND')
    if (before.revoked_at !== null) return
    const row = await revokeApiToken(trx, before.id)
    await writeAudit(trx, actor, {
      action: 'revoke',
      entity: 'api_token',
      entityId: row.id,
      unitId: row.unit_id,
      before: rowToApiToken(before),
      after: rowToApiToken(row)
    })
  })
}
