// A unit's satisfaction target (a fraction, e.g. 0.95), drawn as the target line on its charts; null means the SIPAS 2030 default of 95 %.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('units')
    .addColumn('satisfaction_target', 'double precision', (c) => c.check(sql`satisfaction_target between 0 and 1`))
    .execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('units').dropColumn('satisfaction_target').execute()
}
