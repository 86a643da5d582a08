// The schema keeps the Citus path open (docs/scale.md): every table classified, unit_id in every key of a distributed table.
import t from 'tap'
import { sql, type Kysely } from 'kysely'
import { databaseKind, migratedDatabase } from '../helper.ts'

type Placement = 'distributed' | 'reference' | 'local'

/**
 * Where each table goes on Citus. distributed: hash-distributed by unit_id, all colocated. reference: copied to every
 * worker (small, joined to the distributed ones). local: stays on the coordinator only (read and written there alone).
 * A new table must be added here, with a reason in docs/scale.md. A name with no table (one a later migration drops,
 * or one whose migration is not in this checkout yet) is harmless.
 */
const placement: Record<string, Placement> = {
  ratings: 'distributed',
  rollup_queue: 'distributed',
  cases: 'distributed',
  // A case's timeline, keyed like its case (unit_id, …): read and written with it on one shard.
  case_events: 'distributed',
  rating_rollups: 'distributed',
  // Keyed by the unit whose whole subtree a row counts (a centre, a commune, a province): a province's figures read its own shard.
  subtree_rollups: 'distributed',
  // Per-subtree officer / counter years, keyed like subtree_rollups by the unit whose subtree a row counts.
  officer_rollups: 'distributed',
  counter_rollups: 'distributed',
  heatmap_rollups: 'distributed',
  alerts: 'distributed',
  // A queue system's calls of a ticket to a counter: written per centre, read with its ratings (share of visits rated).
  queue_calls: 'distributed',
  units: 'reference',
  counters: 'reference',
  officers: 'reference',
  assignments: 'reference',
  terminals: 'reference',
  scale_levels: 'reference',
  criteria: 'reference',
  users: 'reference',
  api_tokens: 'reference',
  alert_rules: 'reference',
  criterion_slots: 'reference',
  // One row: when the last rollup run started. Read and written by the coordinator's API processes alone.
  rollup_turn: 'local',
  sessions: 'local',
  // Attempt and rate-limit counters (shared by the API processes): small, short-lived, read and written by key alone.
  attempt_windows: 'local',
  rate_limit_counters: 'local',
  unknown_code_lockouts: 'local',
  audit_log: 'local',
  kysely_migration: 'local',
  kysely_migration_lock: 'local',
  // Receipt codes (rate later from a phone): found by the code alone (the link carries no unit), kept days, used once.
  receipt_codes: 'local'
}

const DISTRIBUTION_COLUMN = 'unit_id'

/** Foreign keys Citus accepts, by the placement of the referencing and the referenced table. */
const allowedReferences: Record<Placement, Placement[]> = {
  distributed: ['distributed', 'reference'],
  reference: ['reference'],
  local: ['local', 'reference']
}

interface ColumnRow {
  table: string
  column: string
  type: string
  not_null: boolean
}
interface KeyRow {
  table: string
  index: string
  kind: string
  columns: string[]
}
interface ForeignKeyRow {
  table: string
  constraint: string
  columns: string[]
  referenced: string
  referenced_columns: string[]
  on_delete: string
}

/** Everything on this schema that would stop `create_distributed_table` / `create_reference_table`; [] when none. */
async function distributionProblems (db: Kysely<any>): Promise<string[]> {
  const problems: string[] = []
  const tables = await sql<{ table: string }>`
    select c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`.execute(db)
  const names = tables.rows.map((row) => row.table)
  for (const table of names) {
    if (placement[table] === undefined) problems.push(`${table}: not classified as distributed, reference or local`)
  }
  const distributed = names.filter((table) => placement[table] === 'distributed')

  // The distribution column: present, never null, one type everywhere so the tables can be colocated.
  const columns = await sql<ColumnRow>`
    select c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and a.attname = ${DISTRIBUTION_COLUMN} and a.attnum > 0 and not a.attisdropped`.execute(db)
  for (const table of distributed) {
    const column = columns.rows.find((row) => row.table === table)
    if (column === undefined) problems.push(`${table}: distributed but has no ${DISTRIBUTION_COLUMN}`)
    else if (column.type !== 'uuid' || !column.not_null) {
      problems.push(`${table}.${DISTRIBUTION_COLUMN}: must be uuid not null, is ${column.type}${column.not_null ? ' not null' : ''}`)
    }
  }

  // Primary keys, unique indexes (partial and expression ones too) and exclusion constraints: the key columns proper
  // (not INCLUDE columns) must hold the distribution column itself; an expression over it does not count.
  const keys = await sql<KeyRow>`
    select c.relname as table, i.relname as index,
      case when x.indisprimary then 'primary key' when x.indisexclusion then 'exclusion constraint' else 'unique index' end as kind,
      array(select coalesce(a.attname::text, '(expression)') from unnest((x.indkey::int2[])[0:x.indnkeyatts - 1]) as k(attnum)
            left join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum) as columns
    from pg_index x join pg_class c on c.oid = x.indrelid join pg_class i on i.oid = x.indexrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and (x.indisunique or x.indisexclusion)`.execute(db)
  for (const key of keys.rows) {
    if (!distributed.includes(key.table)) continue
    if (!key.columns.includes(DISTRIBUTION_COLUMN)) {
      problems.push(`${key.table}: ${key.kind} ${key.index} (${key.columns.join(', ')}) lacks ${DISTRIBUTION_COLUMN}`)
    }
  }

  const foreignKeys = await sql<ForeignKeyRow>`
    select c.relname as table, k.conname as constraint, f.relname as referenced, k.confdeltype as on_delete,
      array(select a.attname::text from unnest(k.conkey) with ordinality as u(attnum, position)
            join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum order by u.position) as columns,
      array(select a.attname::text from unnest(k.confkey) with ordinality as u(attnum, position)
            join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.attnum order by u.position) as referenced_columns
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class f on f.oid = k.confrelid
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and k.contype = 'f'`.execute(db)
  for (const key of foreignKeys.rows) {
    const from = placement[key.table]
    const to = placement[key.referenced]
    if (from === undefined || to === undefined) continue
    const described = `${key.table}: foreign key ${key.constraint} (${key.columns.join(', ')}) → ${key.referenced} (${key.referenced_columns.join(', ')})`
    if (!allowedReferences[from].includes(to)) {
      problems.push(`${described}: a ${from} table cannot reference a ${to} one`)
      continue
    }
    if (from === 'distributed' && to === 'distributed') {
      // Colocated join key: unit_id on one side must meet unit_id on the other.
      const position = key.columns.indexOf(DISTRIBUTION_COLUMN)
      if (position < 0 || key.referenced_columns[position] !== DISTRIBUTION_COLUMN) {
        problems.push(`${described}: must pair ${DISTRIBUTION_COLUMN} with ${DISTRIBUTION_COLUMN}`)
      }
    }
    // SET NULL / SET DEFAULT would rewrite the distribution column, which moves the row to another shard.
    if (from === 'distributed' && (key.on_delete === 'n' || key.on_delete === 'd') && key.columns.includes(DISTRIBUTION_COLUMN)) {
      problems.push(`${described}: ON DELETE SET NULL/DEFAULT over ${DISTRIBUTION_COLUMN}`)
    }
  }
  return problems
}

/** Runs `change` and the check in one transaction, then rolls it back: the problems the change would bring. */
async function problemsAfter (db: Kysely<any>, change: (trx: Kysely<any>) => Promise<unknown>): Promise<string[]> {
  let problems: string[] = []
  const rollback = new Error('rollback')
  await db
    .transaction()
    .execute(async (trx) => {
      await change(trx)
      problems = await distributionProblems(trx)
      throw rollback
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error
    })
  return problems
}

const { db, drop } = await migratedDatabase()
t.teardown(async () => {
  await db.destroy()
  await drop()
})

t.test(`the migrated schema can be distributed by unit_id as it stands (${databaseKind})`, async (t) => {
  t.same(await distributionProblems(db), [], 'no table, key or foreign key stands in the way')
  // The keys the move depends on, as the ingest and the routes use them.
  const keys = await sql<{ table: string; definition: string }>`
    select conrelid::regclass::text as table, pg_get_constraintdef(oid) as definition from pg_constraint
    where conrelid in ('ratings'::regclass, 'cases'::regclass) and contype in ('p', 'u') order by 1, 2`.execute(db)
  t.same(
    keys.rows,
    [
      { table: 'ratings', definition: 'PRIMARY KEY (unit_id, id)' },
      { table: 'cases', definition: 'PRIMARY KEY (unit_id, id)' },
      { table: 'cases', definition: 'UNIQUE (unit_id, rating_id)' }
    ].sort((a, b) => a.table.localeCompare(b.table) || a.definition.localeCompare(b.definition))
  )
})

t.test('the check fails on each kind of schema change that would close the path', async (t) => {
  t.same(
    await problemsAfter(db, (trx) => sql`create table visits (id uuid primary key)`.execute(trx)),
    ['visits: not classified as distributed, reference or local'],
    'a new table nobody placed'
  )
  t.matchOnly(
    await problemsAfter(db, (trx) => sql`create unique index ratings_by_id_key on ratings (id)`.execute(trx)),
    [/ratings: unique index ratings_by_id_key \(id\) lacks unit_id/],
    'a unique key without unit_id on a distributed table'
  )
  t.same(
    await problemsAfter(db, (trx) =>
      sql`create unique index cases_lower_note_key on cases (lower(note), unit_id) include (id)`.execute(trx)
    ),
    [],
    'unit_id beside an expression is enough'
  )
  t.matchOnly(
    await problemsAfter(db, (trx) => sql`create unique index cases_note_key on cases (note) include (unit_id)`.execute(trx)),
    [/cases: unique index cases_note_key \(note\) lacks unit_id/],
    'an INCLUDE column is not part of the key'
  )
  t.matchOnly(
    await problemsAfter(db, async (trx) => {
      await sql`create unique index ratings_by_id_key on ratings (id)`.execute(trx)
      await sql`alter table cases add constraint cases_rating_only_fkey foreign key (rating_id) references ratings (id)`.execute(trx)
    }),
    [/ratings_by_id_key/, /cases: foreign key cases_rating_only_fkey \(rating_id\) → ratings \(id\): must pair unit_id with unit_id/],
    'a foreign key between distributed tables without unit_id'
  )
  t.matchOnly(
    await problemsAfter(db, (trx) =>
      sql`alter table counters add column last_unit_id uuid, add column last_rating_id uuid,
    add constraint counters_last_rating_fkey foreign key (last_unit_id, last_rating_id) references ratings (unit_id, id)`.execute(trx)
    ),
    [/counters: foreign key counters_last_rating_fkey .*: a reference table cannot reference a distributed one/],
    'a reference table pointing into a distributed one'
  )
  t.matchOnly(
    await problemsAfter(db, (trx) => sql`alter table ratings add column session_id text references sessions (id_hash)`.execute(trx)),
    [/ratings: foreign key .* → sessions \(id_hash\): a distributed table cannot reference a local one/],
    'a distributed table pointing at a coordinator-only one'
  )
  t.matchOnly(
    await problemsAfter(db, (trx) => sql`alter table rating_rollups alter column unit_id drop not null`.execute(trx)),
    [/rating_rollups.unit_id: must be uuid not null, is uuid/],
    'a distribution column that may be null'
  )
})
