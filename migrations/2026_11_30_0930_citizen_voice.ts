// The citizen's voice on a case: what went wrong (a reason code), a call-back number with its consent, erased after resolution.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  // The follow-up question's settings `{ reasons, askNeutral, callBack, phoneRetentionDays }`; null: as the parent unit.
  await db.schema.alterTable('units').addColumn('follow_up', 'jsonb').execute()

  // The follow-up settings that hold for a unit: its own, else its nearest ancestor's, else null (the defaults).
  await sql.raw(`create function unit_follow_up (unit uuid) returns jsonb language sql stable as $fn$
    with recursive up (id, parent_id, settings, depth) as (
      select id, parent_id, follow_up, 0 from units where id = unit
      union all
      select u.id, u.parent_id, u.follow_up, up.depth + 1 from units u join up on u.id = up.parent_id where up.settings is null
    )
    select settings from up where settings is not null order by depth limit 1
  $fn$`).execute(db)

  await db.schema.alterTable('cases')
    .addColumn('reason', 'text', (c) => c.check(sql`reason ~ '^[a-z0-9_-]{1,32}$'`))
    // A Vietnamese number, normalised: 0 and 9–10 digits. Erased (null) a set number of days after resolution.
    .addColumn('phone', 'text', (c) => c.check(sql`phone ~ '^0[0-9]{9,10}$'`))
    .addColumn('consent_version', 'text')
    .addColumn('consent_at', 'timestamptz')
    .addColumn('phone_erased_at', 'timestamptz')
    .execute()
  await sql`alter table cases add constraint cases_phone_consent_check
    check (phone is null or (consent_version is not null and consent_at is not null))`.execute(db)
  // The erasure sweep reads resolved cases still holding a number.
  await sql`create index cases_phone_erasure_idx on cases (resolved_at) where phone is not null and status = 'resolved'`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`drop index cases_phone_erasure_idx`.execute(db)
  await sql`alter table cases drop constraint cases_phone_consent_check`.execute(db)
  await db.schema.alterTable('cases')
    .dropColumn('reason').dropColumn('phone').dropColumn('consent_version').dropColumn('consent_at').dropColumn('phone_erased_at')
    .execute()
  await sql`drop function unit_follow_up (uuid)`.execute(db)
  await db.schema.alterTable('units').dropColumn('follow_up').execute()
}
