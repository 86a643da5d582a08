// Creates the first admin when the database has no active admin, so a fresh install can be signed into; says which admin exists.
import { sql, type Kysely } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { Database } from '../../db/schema.ts'
import { hashSecret, newPassword } from '../lib/secrets.ts'

export interface AdminBootstrapResult {
  created: boolean
  /** Set only when the password was generated here: it is shown once and never stored in clear. */
  generatedPassword: string | null
}

export async function ensureAdmin (
  db: Kysely<Database>,
  username: string,
  password: string | null,
  log: FastifyBaseLogger
): Promise<AdminBootstrapResult> {
  // Only an active admin counts: users added by `npm run demo` (a supervisor) must not suppress the first admin.
  const admins = await db
    .selectFrom('users')
    .select('username')
    .where('role', '=', 'admin')
    .where('active', '=', true)
    .orderBy('created_at')
    .execute()
  if (admins.length > 0) {
    const names = admins.map((admin) => `"${admin.username}"`).join(', ')
    log.info(
      `admin account${admins.length > 1 ? 's' : ''} ${names} ${admins.length > 1 ? 'exist' : 'exists'}${password === null ? '' : '; ADMIN_PASSWORD is used only to create the first admin, so it is not used now'}`
    )
    return { created: false, generatedPassword: null }
  }
  const generatedPassword = password === null ? newPassword() : null
  const passwordHash = await hashSecret(password ?? generatedPassword!)
  // on conflict: two servers starting at once on one database create one admin.
  const inserted = await db
    .insertInto('users')
    .values({ username, display_name: 'Quản trị viên', password_hash: passwordHash, role: 'admin', unit_id: null, officer_id: null })
    .onConflict((oc) => oc.expression(sql`lower(username)`).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (inserted === undefined) {
    log.warn(`no active admin, and the user "${username}" exists but is not one: set ADMIN_USERNAME to a new name to create an admin`)
    return { created: false, generatedPassword: null }
  }
  await db
    .insertInto('audit_log')
    .values({
      actor_kind: 'system',
      actor_id: null,
      action: 'create',
      entity: 'user',
      entity_id: inserted.id,
      unit_id: null,
      before: null,
      after: JSON.stringify({ username, role: 'admin' })
    })
    .execute()
  if (generatedPassword !== null) {
    log.warn(
      `created admin "${username}" with the generated password ${generatedPassword} (shown only this once; set ADMIN_PASSWORD to choose one)`
    )
  } else {
    log.info(`created admin "${username}" with the password from ADMIN_PASSWORD`)
  }
  return { created: true, generatedPassword }
}
