// `npm run rollups:rebuild`: recomputes every rollup table from the ratings (after a rolling deploy that added a
// rollup table, or to recover) and exits. The ingest waits while it runs; figures are exact before and after.
import { migrateToLatest } from '../db/migrate.ts'
import { rebuildRollups } from '../../analytics/rollups.ts'
import { runCommand } from './command.ts'

await runCommand('rollups:rebuild', async (db) => {
  await migrateToLatest(db)
  const started = Date.now()
  await rebuildRollups(db)
  const { count } = await db.selectFrom('ratings').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()
  console.log(`rollups rebuilt from ${Number(count)} rating(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`)
})
