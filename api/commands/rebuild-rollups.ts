// `npm run rollups:rebuild`: recomputes every rollup table from the ratings (after a rolling deploy that added a
// rollup table, or to recover) and exits, saying what it did and how long it took. The ingest waits while it runs;
// figures are exact before and after.
import { describeDatabase } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import { rebuildRollups } from '../../analytics/rollup-tables.ts'
import { runCommand } from './command.ts'

await runCommand('rollups:rebuild', async (db, _config, options) => {
  const applied = await migrateToLatest(db)
  if (applied.length > 0) console.log(`applied ${applied.length} pending migration(s) first: ${applied.join(', ')}`)
  const started = Date.now()
  await rebuildRollups(db)
  const { count } = await db.selectFrom('ratings').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
  console.log(`rollups rebuilt from ${Number(count)} rating(s) in ${((Date.now() - started) / 1000).toFixed(1)} s (hourly, daily, monthly, unit subtree, officer, counter and heat-map rollups of ${describeDatabase(options)})`)
})
