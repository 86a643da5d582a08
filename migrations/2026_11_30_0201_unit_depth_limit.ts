// The unit tree is at most 32 levels deep and never a cycle, held by the database; the move triggers' recursive walks are bounded too.
import { sql, type Kysely } from 'kysely'

/** Levels from a root (1) down to the deepest unit. Vietnam needs about 5 (nation, province, commune, centre, desk). */
const MAX_DEPTH = 32
const MOVE_TRIGGERS = ['subtree_rollups_unit_moved', 'officer_counter_rollups_unit_moved', 'heatmap_rollups_unit_moved']

/** The walks up from the old and the new parent, with a depth column that stops them after MAX_DEPTH steps. */
function bounded (source: string): string {
  let text = source
  for (const walk of ['old_up', 'new_up']) {
    const side = walk === 'old_up' ? 'old' : 'new'
    text = text
      .replaceAll(`${walk} (id) as (`, `${walk} (id, depth) as (`)
      .replaceAll(`select ${side}.parent_id where ${side}.parent_id is not null`,
        `select ${side}.parent_id, 1 where ${side}.parent_id is not null`)
      .replaceAll(`select u.parent_id from units u join ${walk} on u.id = ${walk}.id where u.parent_id is not null`,
        `select u.parent_id, ${walk}.depth + 1 from units u join ${walk} on u.id = ${walk}.id where u.parent_id is not null and ${walk}.depth < ${MAX_DEPTH}`)
  }
  return text
}

function unbounded (source: string): string {
  let text = source
  for (const walk of ['old_up', 'new_up']) {
    const side = walk === 'old_up' ? 'old' : 'new'
    text = text
      .replaceAll(`${walk} (id, depth) as (`, `${walk} (id) as (`)
      .replaceAll(`select ${side}.parent_id, 1 where ${side}.parent_id is not null`,
        `select ${side}.parent_id where ${side}.parent_id is not null`)
      .replaceAll(`select u.parent_id, ${walk}.depth + 1 from units u join ${walk} on u.id = ${walk}.id where u.parent_id is not null and ${walk}.depth < ${MAX_DEPTH}`,
        `select u.parent_id from units u join ${walk} on u.id = ${walk}.id where u.parent_id is not null`)
  }
  return text
}

async function rewrite (db: Kysely<any>, change: (source: string) => string): Promise<void> {
  for (const name of MOVE_TRIGGERS) {
    const found = await sql<{ src: string }>`select prosrc as src from pg_proc where proname = ${name}`.execute(db)
    const source = found.rows[0]?.src
    if (source === undefined) continue
    const changed = change(source)
    if (changed === source) continue
    await sql.raw(`create or replace function ${name} () returns trigger language plpgsql as $fn$${changed}$fn$`).execute(db)
  }
}

export async function up (db: Kysely<any>): Promise<void> {
  // Runs BEFORE the row is written (so before the AFTER move triggers): the walk up from the new parent stops after
  // MAX_DEPTH + 1 steps, so even a cycle made before this migration cannot make it loop.
  await sql.raw(`create function units_check_depth () returns trigger language plpgsql as $fn$
    declare
      above integer;
      below integer := 1;
      looped boolean;
    begin
      if new.parent_id is null then return new; end if;
      if tg_op = 'UPDATE' and new.parent_id is not distinct from old.parent_id then return new; end if;
      with recursive up (id, depth) as (
        select new.parent_id, 1
        union all
        select u.parent_id, up.depth + 1 from units u join up on u.id = up.id
        where u.parent_id is not null and up.depth <= ${MAX_DEPTH} and up.id <> new.id
      )
      select max(depth), bool_or(id = new.id) into above, looped from up;
      if looped then
        raise exception 'unit % cannot be moved under itself or one of its descendants', new.id using errcode = 'check_violation';
      end if;
      if tg_op = 'UPDATE' then
        with recursive down (id, depth) as (
          select new.id, 1
          union all
          select u.id, down.depth + 1 from units u join down on u.parent_id = down.id where down.depth <= ${MAX_DEPTH}
        )
        select max(depth) into below from down;
      end if;
      if above + below > ${MAX_DEPTH} then
        raise exception 'the unit tree may not be deeper than ${MAX_DEPTH} levels' using errcode = 'check_violation';
      end if;
      return new;
    end
  $fn$`).execute(db)
  await sql`create trigger units_check_depth before insert or update of parent_id on units
    for each row execute function units_check_depth()`.execute(db)
  await rewrite(db, bounded)
}

export async function down (db: Kysely<any>): Promise<void> {
  await rewrite(db, unbounded)
  await sql`drop trigger if exists units_check_depth on units`.execute(db)
  await sql`drop function if exists units_check_depth ()`.execute(db)
}
