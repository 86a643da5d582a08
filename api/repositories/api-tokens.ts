// Read-only statistics tokens: listed without their secret; the database holds only a hash.
import { sql } from 'kysely'
import type { ApiTokenPurpose, ApiTokenRow, Db } from '../../db/schema.ts'
import type { ApiToken } from '../../contract/accounts.ts'
import { subtreeOf } from './organisation.ts'

export function rowToApiToken (row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    unitId: row.unit_id,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at === null ? null : row.last_used_at.toISOString(),
    revokedAt: row.revoked_at === null ? null : row.revoked_at.toISOString(),
    purpose: row.purpose
  }
}

export async function listApiTokens (db: Db, scopeRoot: string | null, includeRevoked: boolean): Promise<ApiTokenRow[]> {
  let query = db.selectFrom('api_tokens').selectAll()
  if (scopeRoot !== null) query = query.where('unit_id', 'in', subtreeOf(scopeRoot))
  if (!includeRevoked) query = query.where('revoked_at', 'is', null)
  return query.orderBy('created_at').orderBy('id').execute()
}

export async function findApiToken (db: Db, id: string): Promise<ApiTokenRow | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function insertApiToken (
  db: Db,
  token: { name: string; unitId: string; tokenHash: string; createdBy: string; purpose?: ApiTokenPurpose }
): Promise<ApiTokenRow> {
  return db
    .insertInto('api_tokens')
    .values({
      name: token.name,
      unit_id: token.unitId,
      token_hash: token.tokenHash,
      created_by: token.createdBy,
      last_used_at: null,
      revoked_at: null,
      purpose: token.purpose ?? 'stats'
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function revokeApiToken (db: Db, id: string): Promise<ApiTokenRow> {
  return db
    .updateTable('api_tokens')
    .set((eb) => ({ revoked_at: eb.fn('now') }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

/**
 * The unrevoked token with this hash and purpose (a queue token is not a statistics token, nor the reverse), and whether
 * the user who created it is still active (null: no such user).
 */
export async function findActiveApiToken (
  db: Db,
  tokenHash: string,
  purpose: ApiTokenPurpose = 'stats'
): Promise<
  | {
    id: string
    unitId: string
    lastUsedAt: Date | null
    ownerActive: boolean | null
  }
  | undefined
> {
  const row = await db
    .selectFrom('api_tokens')
    .leftJoin('users', 'users.id', 'api_tokens.created_by')
    .select(['api_tokens.id', 'api_tokens.unit_id', 'api_tokens.last_used_at', 'users.active as owner_active'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .where('api_tokens.purpose', '=', purpose)
    .executeTakeFirst()
  return row === undefined ? undefined : { id: row.id, unitId: row.unit_id, lastUsedAt: row.last_used_at, ownerActive: row.owner_active }
}

/** The token was used now. */
export async function touchApiToken (db: Db, id: string): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: sql`now()` })
    .where('id', '=', id)
    .execute()
}
