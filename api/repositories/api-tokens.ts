// Read-only statistics tokens: listed without their secret; the database holds only a hash.
import type { ApiTokenRow, Db } from '../../db/schema.ts'
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
    revokedAt: row.revoked_at === null ? null : row.revoked_at.toISOString()
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

export async function insertApiToken (db: Db, token: { name: string, unitId: string, tokenHash: string, createdBy: string }): Promise<ApiTokenRow> {
  return db.insertInto('api_tokens').values({ name: token.name, unit_id: token.unitId, token_hash: token.tokenHash, created_by: token.createdBy, last_used_at: null, revoked_at: null })
    .returningAll().executeTakeFirstOrThrow()
}

export async function revokeApiToken (db: Db, id: string): Promise<ApiTokenRow> {
  return db.updateTable('api_tokens').set((eb) => ({ revoked_at: eb.fn('now') })).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}
