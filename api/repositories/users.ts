// Users and their sessions in the database; rows become API objects here.
import { sql } from 'kysely'
import type { Role, UserRow, Db } from '../../db/schema.ts'
import type { User } from '../../contract/accounts.ts'
import { subtreeOf } from './organisation.ts'

export function rowToUser (row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    unitId: row.unit_id,
    officerId: row.officer_id,
    active: row.active
  }
}

export async function findUserByUsername (db: Db, username: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
    .executeTakeFirst()
}

export async function findUserById (db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Reads the user and locks the row for the rest of the transaction. */
export async function lockUser (db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function createSession (db: Db, idHash: string, userId: string, expiresAt: Date): Promise<void> {
  await db.insertInto('sessions').values({ id_hash: idHash, user_id: userId, expires_at: expiresAt }).execute()
}

/** The session with this id hash and what its user may do now; undefined when there is no such session. */
export async function findSessionUser (
  db: Db,
  idHash: string
): Promise<
  | {
    userId: string
    username: string
    role: Role
    unitId: string | null
    officerId: string | null
    active: boolean
    lastSeenAt: Date
    expiresAt: Date
    createdAt: Date
  }
  | undefined
> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'users.id',
      'users.username',
      'users.role',
      'users.unit_id',
      'users.officer_id',
      'users.active',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'sessions.created_at'
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst()
  if (row === undefined) return undefined
  return {
    userId: row.id,
    username: row.username,
    role: row.role,
    unitId: row.unit_id,
    officerId: row.officer_id,
    active: row.active,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    createdAt: row.created_at
  }
}

/** The session was used now: its sliding expiry moves to `expiresAt`. */
export async function extendSession (db: Db, idHash: string, expiresAt: Date): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: sql`now()`, expires_at: expiresAt })
    .where('id_hash', '=', idHash)
    .execute()
}

export async function deleteSession (db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute()
}

/** Users whose scope lies inside `scopeRoot` (null: everyone). */
export async function listUsers (db: Db, scopeRoot: string | null, filter: { unitId?: string; role?: Role }): Promise<UserRow[]> {
  let query = db.selectFrom('users').selectAll()
  if (scopeRoot !== null) query = query.where('unit_id', 'in', subtreeOf(scopeRoot))
  if (filter.unitId !== undefined) query = query.where('unit_id', 'in', subtreeOf(filter.unitId))
  if (filter.role !== undefined) query = query.where('role', '=', filter.role)
  return query.orderBy('username').execute()
}

export async function usernameTaken (db: Db, username: string, exceptId?: string): Promise<boolean> {
  let query = db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase()))
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId)
  return (await query.executeTakeFirst()) !== undefined
}

/** Whether another user already is this officer. */
export async function officerLinked (db: Db, officerId: string, exceptUserId?: string): Promise<boolean> {
  let query = db.selectFrom('users').select('id').where('officer_id', '=', officerId)
  if (exceptUserId !== undefined) query = query.where('id', '<>', exceptUserId)
  return (await query.executeTakeFirst()) !== undefined
}

export async function insertUser (
  db: Db,
  user: { username: string; displayName: string; passwordHash: string; role: Role; unitId: string | null; officerId: string | null }
): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({
      username: user.username,
      display_name: user.displayName,
      password_hash: user.passwordHash,
      role: user.role,
      unit_id: user.unitId,
      officer_id: user.officerId
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function updateUser (
  db: Db,
  id: string,
  change: { displayName?: string; passwordHash?: string; role?: Role; unitId?: string | null; officerId?: string | null; active?: boolean }
): Promise<UserRow> {
  return db
    .updateTable('users')
    .set({
      ...(change.displayName !== undefined ? { display_name: change.displayName } : {}),
      ...(change.passwordHash !== undefined ? { password_hash: change.passwordHash } : {}),
      ...(change.role !== undefined ? { role: change.role } : {}),
      ...(change.unitId !== undefined ? { unit_id: change.unitId } : {}),
      ...(change.officerId !== undefined ? { officer_id: change.officerId } : {}),
      ...(change.active !== undefined ? { active: change.active } : {})
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Ends the user's sessions (all, or all but the one making the request). */
export async function deleteSessionsOfUser (db: Db, userId: string, exceptHash?: string): Promise<void> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId)
  if (exceptHash !== undefined) query = query.where('id_hash', '<>', exceptHash)
  await query.execute()
}

export interface SessionState {
  id_hash: string
  user_id: string
  active: boolean
  role: Role
  unit_id: string | null
  officer_id: string | null
  expires_at: Date
}

/** The sessions among `idHashes` that still exist, with their user's access now (the live sockets re-check these). */
export async function sessionStates (db: Db, idHashes: string[]): Promise<SessionState[]> {
  if (idHashes.length === 0) return []
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id_hash',
      'sessions.user_id',
      'users.active',
      'users.role',
      'users.unit_id',
      'users.officer_id',
      'sessions.expires_at'
    ])
    .where('sessions.id_hash', 'in', idHashes)
    .execute()
}

/** Deletes every expired session row; answers how many. */
export async function deleteExpiredSessions (db: Db): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', new Date()).executeTakeFirst()
  return Number(result.numDeletedRows)
}
