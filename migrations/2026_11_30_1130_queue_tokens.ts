// Integration tokens for a centre's queue system (issue 17): an API token row whose purpose is 'queue' can only report
// queue calls (POST /api/v1/queue/calls); a 'stats' token (every existing one) can only read statistics.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await sql`alter table api_tokens add column purpose text not null default 'stats' check (purpose in ('stats', 'queue'))`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`delete from api_tokens where purpose = 'queue'`.execute(db)
  await sql`alter table api_tokens drop column purpose`.execute(db)
}
