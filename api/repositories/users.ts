// Users and their sessions in the database; rows become API objects here.
import type { Kysely, Transaction } from 'kysely'
import type { Database, UserRow } from '../db/schema.ts'
import type { User } from '../schemas/accounts.ts'

type Db = Kysely<Database> | Transaction<Database>

export function rowToUser (row: UserRow): User {
  return { id: row.id, username: row.username, displayName: row.display_name, role: row.role, unitId: row.unit_id, officerId: row.officer_id, active: row.active }
}

export async function findUserByUsername (db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where((eb) => eb(eb.fn('lower', ['username']), '=', username.toLowerCase())).executeTakeFirst()
}

export async function findUserById (db: Db, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function createSession (db: Db, idHash: string, userId: string, expiresAt: Date): Promise<void> {
  await db.insertInto('sessions').values({ id_hash: idHash, user_id: userId, expires_at: expiresAt }).execute()
}

export async function deleteSession (db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute()
}
