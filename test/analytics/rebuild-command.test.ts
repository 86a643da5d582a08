// `npm run rollups:rebuild` on a database whose newer rollup tables an older process left empty (a rolling
// deploy): afterwards every figure read from the rollups equals the raw one again.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import { sql, type Kysely } from 'kysely'
import { byOfficer, heatmap, summary, type FigureFilter } from '../../analytics/queries.ts'
import { openDatabase } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import type { Database } from '../../db/schema.ts'
import { seedCentre, seedUser } from '../fixtures.ts'
import { migratedDatabase, serverUrl } from '../helper.ts'
import { addRatings } from './ratings.ts'

function runCommand (env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const { DATABASE_URL: _ignored, ...inherited } = process.env
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/commands/rebuild-rollups.ts'], {
      env: { ...inherited, LOG_LEVEL: 'silent', ...env }
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += String(chunk)
    })
    child.stderr.on('data', (chunk) => {
      output += String(chunk)
    })
    child.on('exit', (code) => resolve({ code, output }))
  })
}

async function figures (db: Kysely<Database>, filter: FigureFilter, source: 'rollups' | 'ratings'): Promise<unknown> {
  return {
    summary: await summary(db, filter, { source }),
    officers: await byOfficer(db, filter, { source, minSample: 30 }),
    heatmap: await heatmap(db, filter, { source })
  }
}

t.test('the command refills rollup tables left empty, and figures equal raw again', async (t) => {
  // The database the command will open: a PostgreSQL test database, or a PGlite folder.
  let db: Kysely<Database>
  let env: Record<string, string>
  let reopen: () => Promise<Kysely<Database>>
  if (serverUrl !== null) {
    const fresh = await migratedDatabase()
    db = fresh.db
    env = { DATABASE_URL: fresh.url! }
    reopen = () => openDatabase({ databaseUrl: fresh.url!, dataDir: null })
    t.teardown(fresh.drop)
  } else {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'hl-rebuild-'))
    t.teardown(() => rm(dataDir, { recursive: true, force: true }))
    db = await openDatabase({ databaseUrl: null, dataDir })
    await migrateToLatest(db)
    env = { DATA_DIR: dataDir }
    reopen = () => openDatabase({ databaseUrl: null, dataDir })
  }

  const centre = await seedCentre(db, { officers: 2 })
  await seedUser(db, 'admin', null)
  const rating = { unitId: centre.centreId, counterId: centre.terminal.counterId, terminalId: centre.terminal.id }
  await addRatings(db, [
    { ...rating, officerId: centre.officers[0]!.id, level: 4, criteria: { xin_chao: true }, at: '2026-03-02T08:30:00+07:00' },
    { ...rating, officerId: centre.officers[0]!.id, level: 1, at: '2026-03-02T23:30:00+07:00' },
    { ...rating, officerId: centre.officers[1]!.id, level: 3, at: '2026-07-15T10:00:00+07:00' },
    { ...rating, officerId: centre.officers[1]!.id, level: 2, at: '2026-11-20T14:45:00+07:00' }
  ])
  const filter: FigureFilter = { unitId: centre.provinceId, from: '2026-01-01', to: '2026-12-31' }
  const raw = await figures(db, filter, 'ratings')
  t.same(await figures(db, filter, 'rollups'), raw, 'the rollups agree before the damage')

  // What a process still running the previous code leaves: ratings marked rolled up, the new tables unwritten.
  await sql`delete from officer_rollups`.execute(db)
  await sql`delete from heatmap_rollups`.execute(db)
  t.notSame(await figures(db, filter, 'rollups'), raw, 'the figures are wrong without those rows')
  await db.destroy()

  const run = await runCommand(env)
  t.equal(run.code, 0, run.output)
  t.match(run.output, /rollups rebuilt from 4 rating\(s\) in \d+\.\d s/)

  const after = await reopen()
  t.teardown(() => after.destroy())
  t.same(await figures(after, filter, 'rollups'), raw, 'every figure equals raw after the rebuild')
})
