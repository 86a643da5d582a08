// Expired sessions are deleted at every sign-in and hourly: an index on the expiry keeps that delete cheap.
import type { Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sessions_expires_idx').execute()
}
