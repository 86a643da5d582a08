// The closed loop of a case: an owner, a due time from the unit's SLA, an overdue alert raised once, and a timeline.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  // Working days to follow a case up; null: as the parent unit (the top of the tree: 2).
  await db.schema.alterTable('units')
    .addColumn('case_sla_days', 'integer', (c) => c.check(sql`case_sla_days between 1 and 30`))
    .execute()

  // The end of the `days`-th working day after `opened` (Asia/Ho_Chi_Minh): centres work Monday–Friday until 17:00
  // and Saturday morning until 11:30; Sunday is no working day. Public holidays are not known here.
  await sql.raw(`create function case_due_at (opened timestamptz, days integer) returns timestamptz
    language plpgsql stable as $fn$
    declare
      day date := (opened at time zone 'Asia/Ho_Chi_Minh')::date;
      left_days integer := days;
    begin
      while left_days > 0 loop
        day := day + 1;
        if extract(isodow from day) <> 7 then left_days := left_days - 1; end if;
      end loop;
      return (day + case when extract(isodow from day) = 6 then time '11:30' else time '17:00' end)
        at time zone 'Asia/Ho_Chi_Minh';
    end $fn$`).execute(db)

  // The SLA days that hold for a unit: its own, else its nearest ancestor's, else 2.
  await sql.raw(`create function unit_case_sla_days (unit uuid) returns integer language sql stable as $fn$
    with recursive up (id, parent_id, days, depth) as (
      select id, parent_id, case_sla_days, 0 from units where id = unit
      union all
      select u.id, u.parent_id, u.case_sla_days, up.depth + 1 from units u join up on u.id = up.parent_id where up.days is null
    )
    select coalesce((select days from up where days is not null order by depth limit 1), 2)
  $fn$`).execute(db)

  await db.schema.alterTable('cases')
    .addColumn('assignee_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('due_at', 'timestamptz')
    .addColumn('overdue_alerted_at', 'timestamptz')
    .execute()
  await sql`update cases set due_at = case_due_at(opened_at, unit_case_sla_days(unit_id))`.execute(db)
  await sql`alter table cases alter column due_at set not null`.execute(db)

  // The due time is promised when the case opens (a later SLA change leaves it): set here, so every writer of cases
  // (the ingest's one statement) gets it without knowing the SLA.
  await sql.raw(`create function cases_set_due_at () returns trigger language plpgsql as $fn$
    begin
      new.due_at := case_due_at(new.opened_at, unit_case_sla_days(new.unit_id));
      return new;
    end $fn$`).execute(db)
  await sql`create trigger cases_due_at before insert on cases for each row when (new.due_at is null)
    execute function cases_set_due_at()`.execute(db)

  // The deadline sweep reads open cases by due time; the lists read a unit's open cases by rating time.
  await sql`create index cases_open_due_idx on cases (due_at) where status = 'open' and overdue_alerted_at is null`.execute(db)
  await db.schema.createIndex('cases_assignee_idx').on('cases').columns(['assignee_id', 'status'])
    .where(sql.ref('assignee_id'), 'is not', null).execute()

  // What happened to a case after it opened, with who and when (the opening is the case row itself).
  await db.schema.createTable('case_events')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('unit_id', 'uuid', (c) => c.notNull())
    .addColumn('case_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('assigned', 'note', 'contacted', 'resolved', 'reopened')`))
    .addColumn('actor_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('assignee_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('note', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('case_events_pkey', ['unit_id', 'id'])
    .addForeignKeyConstraint('case_events_case_fkey', ['unit_id', 'case_id'], 'cases', ['unit_id', 'id'])
    .execute()
  await db.schema.createIndex('case_events_case_idx').on('case_events').columns(['case_id', 'at']).execute()

  // An overdue case raises an alert without a rule.
  await sql`alter table alerts drop constraint alerts_kind_check`.execute(db)
  await sql`alter table alerts add constraint alerts_kind_check
    check (kind in ('unsatisfied_share', 'unsatisfied_streak', 'case_overdue'))`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`delete from alerts where kind = 'case_overdue'`.execute(db)
  await sql`alter table alerts drop constraint alerts_kind_check`.execute(db)
  await sql`alter table alerts add constraint alerts_kind_check check (kind in ('unsatisfied_share', 'unsatisfied_streak'))`.execute(db)
  await db.schema.dropTable('case_events').execute()
  await sql`drop trigger cases_due_at on cases`.execute(db)
  await sql`drop function cases_set_due_at ()`.execute(db)
  await db.schema.alterTable('cases').dropColumn('assignee_id').dropColumn('due_at').dropColumn('overdue_alerted_at').execute()
  await sql`drop function unit_case_sla_days (uuid)`.execute(db)
  await sql`drop function case_due_at (timestamptz, integer)`.execute(db)
  await db.schema.alterTable('units').dropColumn('case_sla_days').execute()
}
