// `npm run bench -- ingest-schema "<DDL>"`: what one schema change costs the ingest in PostgreSQL, measured A/B in one
// run. Two fresh databases on DATABASE_URL's server, migrated alike; B also runs the DDL given (e.g. an index the
// migrations dropped). The ingest itself (api/services/ingest.ts, no HTTP) stores single ratings from 200 terminals
// and 50 concurrent submitters, in short phases that alternate A, B, B, A, … so drift on a shared machine falls on
// both. Printed per phase and as medians: ratings/s, and the store statement's PostgreSQL time per rating
// (pg_stat_statements, when the server preloads it).
import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { openDatabase, openGenericPlanPool } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import type { Database } from '../../db/schema.ts'
import { loadConfig } from '../../api/config.ts'
import { RatingIngest, type IngestTerminal } from '../../api/services/ingest.ts'
import { scratchDatabase, type ScratchDatabase } from '../lib/processes.ts'

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const ddl = process.argv[2] ?? ''
if (ddl === '') {
  console.error('usage: npm run bench -- ingest-schema "<DDL run on database B only>" (PostgreSQL from DATABASE_URL)')
  process.exit(2)
}
const phases = Number(process.env.BENCH_PHASES ?? 8)
const seconds = Number(process.env.BENCH_SECONDS ?? 8)
const submitters = 50
const terminalCount = 200

interface Side {
  name: 'A' | 'B'
  scratch: ScratchDatabase
  db: Kysely<Database>
  commitDb: Kysely<Database>
  ingest: RatingIngest
  terminals: IngestTerminal[]
  perSecond: number[]
  statementMicros: number[]
}

async function side (name: 'A' | 'B'): Promise<Side> {
  const scratch = await scratchDatabase(serverUrl, `hl_bench_schema_${name.toLowerCase()}`)
  const db = await openDatabase({ databaseUrl: scratch.url, dataDir: null })
  await migrateToLatest(db)
  if (name === 'B') await sql.raw(ddl).execute(db)
  const unit = await db.insertInto('units').values({ kind: 'centre', code: 'BENCH', name: 'Trung tâm đo tải' })
    .returning('id').executeTakeFirstOrThrow()
  const terminals: IngestTerminal[] = []
  for (let i = 1; i <= terminalCount; i++) {
    const counter = await db.insertInto('counters').values({ unit_id: unit.id, number: i, name: `Quầy ${i}` })
      .returning('id').executeTakeFirstOrThrow()
    const terminal = await db.insertInto('terminals').values({
      unit_id: unit.id,
      counter_id: counter.id,
      kind: 'touch',
      token_hash: randomUUID(),
      pairing_code_hash: null,
      pairing_expires_at: null,
      paired_at: new Date(),
      revoked_at: null,
      last_seen_at: null
    }).returning('id').executeTakeFirstOrThrow()
    terminals.push({ id: terminal.id, unitId: unit.id, counterId: counter.id, kind: 'touch' })
  }
  await sql`create extension if not exists pg_stat_statements`.execute(db).catch(() => {})
  const config = loadConfig({ ...process.env, ADMIN_PASSWORD: 'bench-root-secret' })
  const commitDb = openGenericPlanPool(db, config.ingestCommits) ?? db
  const ingest = new RatingIngest(commitDb, config, {}, config.ingestCommits)
  return { name, scratch, db, commitDb, ingest, terminals, perSecond: [], statementMicros: [] }
}

async function storeStatementMs (s: Side): Promise<number | null> {
  const rows = await sql<{ ms: number }>`select coalesce(sum(total_exec_time + total_plan_time), 0)::float8 as ms from pg_stat_statements
    where dbid = (select oid from pg_database where datname = current_database()) and query like '%prepared: ingest.store%'`
    .execute(s.db).catch(() => null)
  return rows === null ? null : rows.rows[0]!.ms
}

async function phase (s: Side): Promise<void> {
  const before = await storeStatementMs(s)
  let stored = 0
  let next = 0
  const until = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(Array.from({ length: submitters }, async () => {
    while (performance.now() < until) {
      const terminal = s.terminals[next++ % s.terminals.length]!
      const [result] = await s.ingest.submit(terminal, [{ id: randomUUID(), level: 1 + (next % 4), ratedAt: new Date().toISOString() }])
      if (result?.status === 'created') stored++
    }
  }))
  const elapsed = (performance.now() - started) / 1000
  await s.ingest.drain()
  const after = await storeStatementMs(s)
  s.perSecond.push(stored / elapsed)
  if (before !== null && after !== null) s.statementMicros.push((after - before) * 1000 / stored)
  // The rollup worker does not run here: its queue is emptied so both sides keep the same table sizes.
  await sql`delete from rollup_queue`.execute(s.db)
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const a = await side('A')
const b = await side('B')
try {
  console.log(`ingest-schema: A as migrated, B + "${ddl}"; ${phases} phases of ${seconds} s each side, ${submitters} submitters, ${terminalCount} terminals`)
  for (let i = 0; i < phases; i++) {
    const order = i % 2 === 0 ? [a, b] : [b, a]
    for (const s of order) {
      await phase(s)
      const micros = s.statementMicros.at(-1)
      console.log(`phase ${i + 1} ${s.name}: ${Math.round(s.perSecond.at(-1)!)} ratings/s${micros === undefined ? '' : `, store statement ${micros.toFixed(1)} µs a rating`}`)
    }
  }
  for (const s of [a, b]) {
    const micros = s.statementMicros.length > 0 ? `, store statement ${median(s.statementMicros).toFixed(1)} µs a rating` : ''
    console.log(`median ${s.name}: ${Math.round(median(s.perSecond))} ratings/s${micros}`)
  }
  console.log(`B/A ratings/s: ${(median(b.perSecond) / median(a.perSecond)).toFixed(3)}` +
    (a.statementMicros.length > 0 ? ` · B/A store statement time: ${(median(b.statementMicros) / median(a.statementMicros)).toFixed(3)}` : ''))
} finally {
  for (const s of [a, b]) {
    await s.ingest.drain()
    if (s.commitDb !== s.db) await s.commitDb.destroy()
    await s.db.destroy()
    await s.scratch.drop()
  }
}
