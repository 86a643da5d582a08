// Migration …_0700: ratings still pending under the `rolled_up` mark move to the rollup queue; the worker then counts
// exactly them (those already rolled up are not counted again), and down restores the mark.
import t from 'tap'
import { sql } from 'kysely'
import { createMigrator, migrateToLatest } from '../../db/migrate.ts'
import { RollupWorker } from '../../analytics/rollup-worker.ts'
import { emptyDatabase, databaseKind } from '../helper.ts'
import { seedCentre } from '../fixtures.ts'

t.test(`pending ratings move from the rolled_up mark to the queue (${databaseKind})`, async (t) => {
  const { db } = await emptyDatabase(t)
  const before = await createMigrator(db).migrateTo('2026_11_30_0600_unit_satisfaction_target')
  t.equal(before.error, undefined, 'migrated up to the one before')
  const centre = await seedCentre(db, { counters: 1, officers: 1 })
  const insert = (at: string, rolledUp: boolean) => sql`insert into ratings (id, unit_id, counter_id, terminal_id, level, category, weight,
      rated_at, counted_at, source, rolled_up)
    values (gen_random_uuid(), ${centre.centreId}, ${centre.counterIds[0]}, ${centre.terminal.id}, 1, 'unsatisfied', 0, ${at}, ${at},
      'touch', ${rolledUp})`.execute(db)
  await insert('2026-11-20T09:00:00+07:00', true)
  await insert('2026-11-20T10:00:00+07:00', false)
  await insert('2026-11-20T11:00:00+07:00', false)

  await migrateToLatest(db)
  const queued = await sql<{ counted_at: Date }>`select r.counted_at from rollup_queue q
    join ratings r on r.unit_id = q.unit_id and r.id = q.rating_id order by r.counted_at`.execute(db)
  t.same(queued.rows.map((row) => row.counted_at.toISOString()), ['2026-11-20T03:00:00.000Z', '2026-11-20T04:00:00.000Z'],
    'the two pending ratings are queued, the rolled-up one is not')
  const column = await sql<{ n: number }>`select count(*)::int as n from information_schema.columns
    where table_schema = current_schema() and table_name = 'ratings' and column_name = 'rolled_up'`.execute(db)
  t.equal(column.rows[0]!.n, 0, 'the rolled_up column is gone')

  t.equal(await new RollupWorker(db).drain(), 2, 'the worker rolls up the two queued ratings')
  const day = await sql<{ total: number }>`select total::int from rating_rollups where grain = 'day'`.execute(db)
  t.same(day.rows.map((row) => row.total), [2], 'the day holds the two, not the one rolled up before the migration again')
  t.equal((await sql<{ n: number }>`select count(*)::int as n from rollup_queue`.execute(db)).rows[0]!.n, 0, 'the queue is empty')

  await storeQueued(db, centre)
  // Down past every later migration too, to the one before the queue.
  const down = await createMigrator(db).migrateTo('2026_11_30_0600_unit_satisfaction_target')
  t.equal(down.error, undefined, 'down works')
  const pending = await sql<{ n: number }>`select count(*)::int as n from ratings where not rolled_up`.execute(db)
  t.equal(pending.rows[0]!.n, 1, 'down: the rating still queued is pending again, the others rolled up')
})

/** One rating stored as the ingest stores it now: with its queue row. */
async function storeQueued (db: Parameters<typeof seedCentre>[0], centre: Awaited<ReturnType<typeof seedCentre>>): Promise<void> {
  await sql`with stored as (
      insert into ratings (id, unit_id, counter_id, terminal_id, level, category, weight, rated_at, counted_at, source)
      values (gen_random_uuid(), ${centre.centreId}, ${centre.counterIds[0]}, ${centre.terminal.id}, 4, 'satisfied', 100, now(), now(),
        'touch')
      returning unit_id, id)
    insert into rollup_queue (unit_id, rating_id) select unit_id, id from stored`.execute(db)
}
