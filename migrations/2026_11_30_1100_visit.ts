// The citizen's visit (issue 17): a rating may carry the queue ticket and the dossier code; a rating may come from
// the citizen's phone later; a second rating for one ticket on one day is kept as misuse 'ticket_repeat'; the queue
// system's calls of a ticket to a counter are kept, for the share of visits rated (docs/queue-integration.md).
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await sql`alter table ratings
    add column ticket text check (length(ticket) between 1 and 16),
    add column dossier_code text check (dossier_code ~ '^[A-Za-z0-9./-]{1,40}$')`.execute(db)
  // NOT VALID then VALIDATE: the scan of a large ratings table does not block the ingest meanwhile.
  await sql`alter table ratings drop constraint if exists ratings_source_check`.execute(db)
  await sql`alter table ratings add constraint ratings_source_check check (source in ('touch', 'button', 'phone')) not valid`.execute(db)
  await sql`alter table ratings validate constraint ratings_source_check`.execute(db)
  await sql`alter table ratings drop constraint if exists ratings_misuse_reason_check`.execute(db)
  await sql`alter table ratings add constraint ratings_misuse_reason_check
    check (misuse_reason in ('cooldown', 'burst', 'backdated', 'ticket_repeat')) not valid`.execute(db)
  await sql`alter table ratings validate constraint ratings_misuse_reason_check`.execute(db)
  // The ingest's repeat check (same unit, same ticket, same day) and the per-dossier figures read through these.
  await sql`create index ratings_ticket_idx on ratings (unit_id, ticket, counted_at) where ticket is not null`.execute(db)
  await sql`create index ratings_dossier_idx on ratings (unit_id, counted_at, dossier_code) where dossier_code is not null`.execute(db)

  await db.schema.createTable('queue_calls')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull().references('units.id').onDelete('restrict'))
    .addColumn('counter_id', 'uuid', (c) => c.notNull().references('counters.id').onDelete('restrict'))
    .addColumn('ticket', 'text', (c) => c.notNull().check(sql`length(ticket) between 1 and 16`))
    .addColumn('dossier_code', 'text', (c) => c.check(sql`dossier_code ~ '^[A-Za-z0-9./-]{1,40}$'`))
    .addColumn('called_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The integration token that reported the call (no foreign key: the token table belongs to the queue part).
    .addColumn('token_id', 'uuid')
    .addPrimaryKeyConstraint('queue_calls_pkey', ['unit_id', 'id'])
    .execute()
  // A queue system retrying its webhook reports the same call again: it is kept once.
  await sql`create unique index queue_calls_once_idx on queue_calls (unit_id, counter_id, ticket, called_at)`.execute(db)
  await sql`create index queue_calls_counter_idx on queue_calls (counter_id, called_at)`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('queue_calls').execute()
  await sql`delete from ratings where source = 'phone'`.execute(db)
  await sql`update ratings set misuse_reason = 'burst' where misuse_reason = 'ticket_repeat'`.execute(db)
  await sql`alter table ratings drop constraint if exists ratings_misuse_reason_check`.execute(db)
  await sql`alter table ratings add constraint ratings_misuse_reason_check
    check (misuse_reason in ('cooldown', 'burst', 'backdated'))`.execute(db)
  await sql`alter table ratings drop constraint if exists ratings_source_check`.execute(db)
  await sql`alter table ratings add constraint ratings_source_check check (source in ('touch', 'button'))`.execute(db)
  await sql`alter table ratings drop column ticket, drop column dossier_code`.execute(db)
}
