// Officer photos only from this site (/photos/...): addresses of other hosts stored earlier are removed, so no terminal fetches them.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  // The same rule as the API's PhotoUrl schema (api/schemas/organisation.ts), as of this migration.
  await db.updateTable('officers').set({ photo_url: null })
    .where('photo_url', 'is not', null)
    .where(sql<boolean>`photo_url !~ '^/photos(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$'`)
    .execute()
}

export async function down (_db: Kysely<any>): Promise<void> {
  // The removed addresses are not kept: nothing to restore.
}
