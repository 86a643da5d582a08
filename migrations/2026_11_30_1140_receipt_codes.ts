// Rate later from a phone (issue 17): single-use receipt codes issued at a counter, the short link /r/<code>, and the
// days a code stays valid, set per unit (null: as the parent unit; the top of the tree: 7).
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('units')
    .addColumn('receipt_days', 'integer', (c) => c.check(sql`receipt_days between 1 and 90`))
    .execute()

  // The days a receipt code issued at a unit stays valid: its own, else its nearest ancestor's, else 7.
  await sql.raw(`create function unit_receipt_days (unit uuid) returns integer language sql stable as $fn$
    with recursive up (id, parent_id, days, depth) as (
      select id, parent_id, receipt_days, 0 from units where id = unit
      union all
      select u.id, u.parent_id, u.receipt_days, up.depth + 1 from units u join up on u.id = up.parent_id where up.days is null
    )
    select coalesce((select days from up where days is not null order by depth limit 1), 7)
  $fn$`).execute(db)

  await db.schema.createTable('receipt_codes')
    // SHA-256 (hex) of the code: the database never holds a code that could still be used (docs/phone-rating.md).
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id').onDelete('restrict'))
    .addColumn('counter_id', 'uuid', (c) => c.notNull().references('counters.id').onDelete('restrict'))
    .addColumn('terminal_id', 'uuid', (c) => c.notNull().references('terminals.id').onDelete('restrict'))
    // The officer on shift at the counter when the code was issued: the phone rating is credited to them.
    .addColumn('officer_id', 'uuid', (c) => c.references('officers.id').onDelete('restrict'))
    // The id the rating will have (the ingest's idempotency key): two submits of one code store one rating.
    .addColumn('rating_id', 'uuid', (c) => c.notNull().unique().defaultTo(sql`gen_random_uuid()`))
    .addColumn('ticket', 'text', (c) => c.check(sql`length(ticket) between 1 and 16`))
    .addColumn('dossier_code', 'text', (c) => c.check(sql`dossier_code ~ '^[A-Za-z0-9./-]{1,40}$'`))
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute()
  // Old codes are deleted by expiry.
  await db.schema.createIndex('receipt_codes_expires_idx').on('receipt_codes').column('expires_at').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('receipt_codes').execute()
  await sql`drop function unit_receipt_days(uuid)`.execute(db)
  await db.schema.alterTable('units').dropColumn('receipt_days').execute()
}
