// Uniqueness the application relied on, now held by the database: staff codes regardless of case, one user per officer.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('officers_staff_code_lower_key').on('officers').expression(sql`lower(staff_code)`).unique().execute()
  await db.schema.createIndex('users_officer_key').on('users').column('officer_id').unique()
    .where(sql.ref('officer_id'), 'is not', null).execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_officer_key').execute()
  await db.schema.dropIndex('officers_staff_code_lower_key').execute()
}
