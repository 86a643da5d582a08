// A rating may be suspected misuse because it rewrote history in bulk (misuse_reason 'backdated', docs/ingest.md).
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await sql`alter table ratings drop constraint if exists ratings_misuse_reason_check`.execute(db)
  // NOT VALID then VALIDATE: the scan of a large ratings table does not block the ingest meanwhile.
  await sql`alter table ratings add constraint ratings_misuse_reason_check
    check (misuse_reason in ('cooldown', 'burst', 'backdated')) not valid`.execute(db)
  await sql`alter table ratings validate constraint ratings_misuse_reason_check`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  // The older check knows no 'backdated': such ratings stay suspected misuse, under the nearest older reason.
  await sql`update ratings set misuse_reason = 'burst' where misuse_reason = 'backdated'`.execute(db)
  await sql`alter table ratings drop constraint if exists ratings_misuse_reason_check`.execute(db)
  await sql`alter table ratings add constraint ratings_misuse_reason_check check (misuse_reason in ('cooldown', 'burst'))`.execute(db)
}
