// The store statement's plan is made once per ingest connection, maybe while the tables are small; however they
// grow afterwards, a commit must still read only a few of a terminal's stored ratings (docs/ingest.md, seventh pass).
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { sql, type Kysely } from 'kysely'
import { storeStatement } from '../../api/services/ingest.ts'
import { GENERIC_PLAN_SETTINGS, openGenericPlanPool } from '../../db/database.ts'
import type { Database } from '../../db/schema.ts'
import { databaseKind, migratedDatabase } from '../helper.ts'
import { ingestTerminalOf, seedCentre } from '../fixtures.ts'

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Actual Rows'?: number
  'Actual Loops'?: number
  'Rows Removed by Filter'?: number
  'Rows Removed by Index Recheck'?: number
  Plans?: PlanNode[]
}

/** Rows the plan's scans of `ratings` read (returned or filtered out), over all their loops. */
function ratingsRowsRead (node: PlanNode): number {
  const read = (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)
  const own = node['Relation Name'] === 'ratings' && node['Node Type'] !== 'ModifyTable' ? read * (node['Actual Loops'] ?? 1) : 0
  return own + (node.Plans ?? []).reduce((sum, child) => sum + ratingsRowsRead(child), 0)
}

/** `count` ratings of the terminal, a minute apart and without a ticket, ending an hour ago. */
async function storeHistory (
  db: Kysely<Database>, terminal: { id: string; unitId: string; counterId: string }, from: number, count: number
): Promise<void> {
  await sql`
    insert into ratings (id, unit_id, counter_id, terminal_id, level, category, weight, criteria, rated_at, received_at, counted_at,
                         clock_untrusted, source, misuse, ticket)
    select gen_random_uuid(), ${terminal.unitId}, ${terminal.counterId}, ${terminal.id}, 4, 'satisfied', 100, '{}'::jsonb,
      now() - interval '1 hour' - g * interval '1 minute', now(), now() - interval '1 hour' - g * interval '1 minute', false, 'touch',
      false, null
    from generate_series(${from}::int, ${from + count - 1}::int) g`.execute(db)
}

// Only PostgreSQL keeps a plan: on PGlite the ingest's statement goes unnamed and is planned anew each time (db/prepared.ts).
if (databaseKind === 'postgres') {
  t.test("a commit planned on a centre's first ratings still reads only a few of them once there are thousands", async (t) => {
    const { db, drop } = await migratedDatabase()
    t.teardown(async () => {
      await db.destroy()
      await drop()
    })
    const centre = await seedCentre(db)
    const terminal = ingestTerminalOf(centre)
    // The statistics of a centre's first minutes: 40 ratings, analysed.
    await storeHistory(db, terminal, 1, 40)
    await sql`analyze`.execute(db)

    await db.connection().execute(async (connection) => {
      // The ingest connection's settings (the pool sets them at connect), and its statement, planned now: once.
      for (const [name, value] of Object.entries(GENERIC_PLAN_SETTINGS)) {
        await sql`select set_config(${name}, ${value}, false)`.execute(connection)
      }
      await sql.raw(`prepare probe as ${storeStatement.text(db)}`).execute(connection)
      const probe = async (ticket: string): Promise<number> => {
        const now = new Date().toISOString()
        const values: Record<(typeof storeStatement.names)[number], string | number> = {
          ids: `{${randomUUID()}}`,
          unitIds: `{${terminal.unitId}}`,
          counterIds: `{${terminal.counterId}}`,
          terminalIds: `{${terminal.id}}`,
          officerGiven: '{f}',
          givenOfficerIds: '{NULL}',
          deviceOfficerIds: '{NULL}',
          levels: '{4}',
          categories: '{satisfied}',
          weights: '{100}',
          criteria: '{"{}"}',
          ratedAts: `{"${now}"}`,
          receivedAts: `{"${now}"}`,
          countedAts: `{"${now}"}`,
          clockUntrusted: '{f}',
          backdated: '{f}',
          sources: '{touch}',
          tickets: `{${ticket}}`,
          dossierCodes: '{NULL}',
          ratedFrom: now,
          ratedTo: now,
          burstCount: 10,
          cooldownMs: 5000,
          burstWindowMs: 60_000,
          clockSkewMs: 300_000,
          backdatedBulk: 5,
          followUpIds: '{}',
          followUpReasons: '{}',
          followUpPhones: '{}',
          followUpConsentVersions: '{}'
        }
        const args = sql.join(storeStatement.names.map((name) => sql.lit(values[name])))
        const explained = await sql<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>`explain (analyze, format json) execute probe(${args})`
          .execute(connection)
        return ratingsRowsRead(explained.rows[0]!['QUERY PLAN'][0]!.Plan)
      }
      const early = await probe('B1')
      // Three thousand more, with no ANALYZE since: the plan above is the one every later commit runs.
      await storeHistory(db, terminal, 41, 3000)
      const later = await probe('B2')
      await sql`discard all`.execute(connection)
      t.ok(early <= 20, `a commit among 40 stored ratings read ${early} of them`)
      t.ok(later <= 20, `a commit among 3,040 stored ratings read ${later} of them (at most the burst window's and the latest)`)
    })
  })
}

t.test('the ingest pool connects with those settings (PostgreSQL: the pool of its own)', async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => {
    await db.destroy()
    await drop()
  })
  const pool = openGenericPlanPool(db, 1)
  // PGlite has one connection: the ingest uses it as it is, with custom plans made each time.
  const commits = pool ?? db
  t.teardown(async () => { if (pool !== null) await pool.destroy() })
  const shown = await sql<{ plan_cache_mode: string; enable_seqscan: string; enable_bitmapscan: string; jit: string }>`
    select current_setting('plan_cache_mode') as plan_cache_mode, current_setting('enable_seqscan') as enable_seqscan,
      current_setting('enable_bitmapscan') as enable_bitmapscan, current_setting('jit') as jit`.execute(commits)
  if (pool === null) {
    t.same(shown.rows[0], { plan_cache_mode: 'auto', enable_seqscan: 'on', enable_bitmapscan: 'on', jit: shown.rows[0]!.jit })
  } else {
    t.same(shown.rows[0], { plan_cache_mode: 'force_generic_plan', enable_seqscan: 'off', enable_bitmapscan: 'off', jit: 'off' })
  }
})
