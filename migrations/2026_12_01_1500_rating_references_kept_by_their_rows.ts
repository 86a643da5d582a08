// A stored rating names its unit, counter, terminal and officer. Foreign keys on `ratings` checked each of them for
// every rating stored: a trigger, a query and a row lock (FOR KEY SHARE, itself a write) per reference per rating. In
// the ingest's one statement that was about a quarter of its time (bench/ingest-schema, docs/ingest.md, ninth pass),
// for rows the product never deletes: units, counters and officers are deactivated, terminals revoked. The same
// guarantee is now kept from the other side: deleting (or re-keying) a unit, counter, terminal or officer that any
// stored rating names is refused, with the error the foreign keys gave on PostgreSQL 15 (SQLSTATE 23503,
// foreign_key_violation; PostgreSQL 17 reports 23001 for `on delete restrict`).
//
// The ratings being stored while such a delete runs are not missed: the delete first takes `ratings` in SHARE mode,
// which waits for every statement storing ratings to end and holds new ones back until the delete's transaction
// ends. The lock is taken per statement before any row is locked (a row lock first would deadlock with an ingest
// statement that locks the same unit row for its case's foreign key).
import { sql, type Kysely } from 'kysely'

/** Each table whose rows ratings name, and the ratings column that names them. */
const referenced = [
  { table: 'units', column: 'unit_id' },
  { table: 'counters', column: 'counter_id' },
  { table: 'terminals', column: 'terminal_id' },
  { table: 'officers', column: 'officer_id' }
] as const

export async function up (db: Kysely<any>): Promise<void> {
  await sql`create function ratings_hold_for_reference_check () returns trigger language plpgsql as $$
    begin
      lock table ratings in share mode;
      return null;
    end $$`.execute(db)
  // A counter's ratings are found through its unit (ratings_unit_time_idx): no index on counter_id alone is kept
  // for this rare, manual operation; the other three each have an index that leads with their column.
  await sql`create function ratings_refuse_orphans () returns trigger language plpgsql as $$
    declare
      named boolean;
    begin
      if tg_op = 'UPDATE' and new.id = old.id then
        return new;
      end if;
      if tg_table_name = 'counters' then
        select exists (select from ratings where unit_id = old.unit_id and counter_id = old.id) into named;
      else
        execute format('select exists (select from ratings where %I = $1)', tg_argv[0]) using old.id into named;
      end if;
      if named then
        raise foreign_key_violation using
          message = format('%s %s is named by stored ratings and cannot be removed (deactivate or revoke it instead)',
            tg_table_name, old.id),
          hint = 'ratings.' || tg_argv[0];
      end if;
      return case when tg_op = 'DELETE' then old else new end;
    end $$`.execute(db)
  for (const { table, column } of referenced) {
    await sql`create trigger ratings_hold_for_reference_check before delete or update of id on ${sql.table(table)}
      for each statement execute function ratings_hold_for_reference_check()`.execute(db)
    await sql`create trigger ratings_refuse_orphans before delete or update of id on ${sql.table(table)}
      for each row execute function ratings_refuse_orphans(${sql.lit(column)})`.execute(db)
    await sql`alter table ratings drop constraint ${sql.ref(`ratings_${column}_fkey`)}`.execute(db)
  }
}

export async function down (db: Kysely<any>): Promise<void> {
  for (const { table, column } of referenced) {
    await sql`alter table ratings add constraint ${sql.ref(`ratings_${column}_fkey`)} foreign key (${sql.ref(column)})
      references ${sql.table(table)} (id) on delete restrict`.execute(db)
    await sql`drop trigger ratings_refuse_orphans on ${sql.table(table)}`.execute(db)
    await sql`drop trigger ratings_hold_for_reference_check on ${sql.table(table)}`.execute(db)
  }
  await sql`drop function ratings_refuse_orphans ()`.execute(db)
  await sql`drop function ratings_hold_for_reference_check ()`.execute(db)
}
