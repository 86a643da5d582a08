// Rollup worker cost on the analytics benchmark's database: ms per 1,000 ratings for runs of 100, 1,000 and 5,000 pending ratings, rolled
// back afterwards.
// Usage: node --import tsx bench/analytics/worker.ts [--url postgres://postgres@127.0.0.1:5432/hl_bench_analytics_10m] [--ratings 20000] [--repeat 3]
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { sql } from 'kysely'
import { openDatabase } from '../../db/database.ts'
import { rollUpPending } from '../../analytics/rollup-worker.ts'

const { values: options } = parseArgs({
  options: {
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/hl_bench_analytics_10m' },
    ratings: { type: 'string', default: '20000' },
    batches: { type: 'string', default: '100,1000,5000' },
    repeat: { type: 'string', default: '3' }
  }
})

class RolledBack extends Error {}

const db = await openDatabase({ databaseUrl: options.url, dataDir: null, poolSize: 2 })
try {
  const count = Number(options.ratings)
  console.log(`Rollup worker on ${options.url.replace(/\/\/[^@]*@/, '//')}: ${count} pending ratings (copies of November 2026's, one working day), rolled up in runs of each size; every run rolled back`)
  for (const batch of options.batches.split(',').map(Number)) {
    const perThousand: number[] = []
    for (let repeat = 0; repeat < Number(options.repeat); repeat++) {
      await db.transaction().execute(async (trx) => {
        // As the ingest leaves them: one working day of a whole province, not yet rolled up.
        await sql`with stored as (
            insert into ratings (id, unit_id, counter_id, terminal_id, officer_id, level, category, weight, criteria, rated_at,
              received_at, counted_at, source, misuse, misuse_reason)
            select gen_random_uuid(), unit_id, counter_id, terminal_id, officer_id, level, category, weight, criteria, at, at, at, source,
              misuse, misuse_reason
            from (select *, timestamptz '2026-11-27 08:00:00+07' + random() * interval '8 hours' as at
              from ratings where counted_at >= '2026-11-01' limit ${count}) recent
            returning unit_id, id)
          insert into rollup_queue (unit_id, rating_id) select unit_id, id from stored`.execute(trx)
        const started = performance.now()
        let done = 0
        for (;;) {
          const rolled = await rollUpPending(trx, batch)
          done += rolled
          if (rolled < batch) break
        }
        perThousand.push((performance.now() - started) / done * 1000)
        throw new RolledBack()
      }).catch((error: unknown) => { if (!(error instanceof RolledBack)) throw error })
    }
    perThousand.sort((a, b) => a - b)
    console.log(`  runs of ${String(batch).padStart(5)}: ${perThousand.map((ms) => ms.toFixed(0)).join(' / ')} ms per 1,000 ratings (median ${perThousand[Math.floor(perThousand.length / 2)]!.toFixed(0)})`)
  }
  // The rolled-back rows are dead tuples (the rollup rows' old versions, the ratings appended at the end): gone
  // before the figures are timed again on this database.
  await sql`vacuum analyze ratings, rating_rollups, subtree_rollups, officer_rollups, counter_rollups, heatmap_rollups`.execute(db)
} finally {
  await db.destroy()
}
