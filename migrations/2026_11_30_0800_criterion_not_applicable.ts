// "Không áp dụng" (not applicable) per criterion: every rollup row gains `na[slot]`, counted apart from `answered`/`met`.
import { sql, type Kysely } from 'kysely'

const TABLES = ['rating_rollups', 'subtree_rollups', 'officer_rollups', 'counter_rollups', 'heatmap_rollups']
/** The unit-move triggers (migrations 2026_11_27_1100, _1400, _1500) and how many rollup tables each shifts. */
const MOVE_TRIGGERS: Record<string, number> = {
  subtree_rollups_unit_moved: 1,
  officer_counter_rollups_unit_moved: 2,
  heatmap_rollups_unit_moved: 1
}

const negatedMet = 'array(select shift.sign * coalesce(x, 0) from unnest(r.met) with ordinality as a (x, i) order by i)'
const negatedNa = 'array(select shift.sign * coalesce(x, 0) from unnest(r.na) with ordinality as a (x, i) order by i)'
const addedMet = /met = int_array_add\((\w+)\.met, excluded\.met\)/g

/** The trigger moving `na` with the other counts; each change must land once per table the trigger shifts. */
function withNa (source: string, tables: number): string {
  const changes: Change[] = [
    ['answered, met)', 'answered, met, na)'],
    [negatedMet, `${negatedMet}, ${negatedNa}`],
    [addedMet, (match: string, table: string) => `${match}, na = int_array_add(${table}.na, excluded.na)`]
  ]
  return applied(source, changes, tables)
}

function withoutNa (source: string, tables: number): string {
  const changes: Change[] = [
    ['answered, met, na)', 'answered, met)'],
    [`, ${negatedNa}`, ''],
    [/, na = int_array_add\(\w+\.na, excluded\.na\)/g, '']
  ]
  return applied(source, changes, tables)
}

type Change = [RegExp | string, string | ((match: string, table: string) => string)]

function applied (source: string, changes: Change[], tables: number): string {
  let text = source
  for (const [from, to] of changes) {
    const found = typeof from === 'string' ? text.split(from).length - 1 : [...text.matchAll(from)].length
    // A trigger not as the migrations above left it: stop rather than move some counts and not others.
    if (found !== tables) throw new Error(`move trigger: expected ${tables} × ${String(from)}, found ${found}`)
    text = typeof from === 'string'
      ? text.replaceAll(from, to as string)
      : text.replace(from, to as (match: string, table: string) => string)
  }
  return text
}

async function rewrite (db: Kysely<any>, change: (source: string, tables: number) => string): Promise<void> {
  for (const [name, tables] of Object.entries(MOVE_TRIGGERS)) {
    const found = await sql<{ src: string }>`select prosrc as src from pg_proc where proname = ${name}`.execute(db)
    const source = found.rows[0]?.src
    if (source === undefined) throw new Error(`move trigger ${name} is missing`)
    await sql.raw(`create or replace function ${name} () returns trigger language plpgsql as $fn$${change(source, tables)}$fn$`).execute(db)
  }
}

export async function up (db: Kysely<any>): Promise<void> {
  // No stored rating holds "na" yet (the contract allowed only true/false until now): every row's na is empty,
  // and `answered` (yes/no answers) keeps its meaning, so nothing needs rebuilding.
  for (const table of TABLES) {
    await db.schema.alterTable(table).addColumn('na', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`)).execute()
  }
  await rewrite(db, withNa)
}

export async function down (db: Kysely<any>): Promise<void> {
  await rewrite(db, withoutNa)
  for (const table of TABLES) await db.schema.alterTable(table).dropColumn('na').execute()
  // Ratings answered "na" stay as stored; the older rollups count them as answered, not met, once rebuilt.
}
