// The rollup worker's own cost in the API process: what one run spends adding claimed ratings to the five rollup tables.
// Usage: npm run bench -- rollups   (DATABASE_URL: a server where a scratch database may be created; default local postgres)
// Prints, per rating, the CPU this process used (the API's share of a worker run: summing, building the upserts,
// reading their answers) and the longest the event loop was held, over RUNS runs of RATINGS ratings each: the size
// of a run under `npm run bench -- ingest` (~1,000–1,600 ratings a second per process).
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { randomUUID } from 'node:crypto'
import { openDatabase } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import { recordRatings, type RatingForRollup } from '../../analytics/rollup-tables.ts'
import { scratchDatabase } from '../lib/processes.ts'
import type { Category } from '../../db/schema.ts'

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const runs = Number(process.env.BENCH_RUNS ?? 40)
const ratingsPerRun = Number(process.env.BENCH_RATINGS ?? 1500)
const counterCount = 200
const criteria = ['xin_chao', 'xin_loi', 'xin_cam_on', 'xin_phep', 'luon_mim_cuoi', 'luon_nhe_nhang', 'luon_lang_nghe', 'luon_giup_do']
const categories: Category[] = ['unsatisfied', 'neutral', 'satisfied', 'satisfied']

const scratch = await scratchDatabase(serverUrl, 'hl_bench_rollups')
try {
  const db = await openDatabase({ databaseUrl: scratch.url, dataDir: null })
  await migrateToLatest(db)
  const province = await db.insertInto('units').values({ kind: 'province', code: 'BENCH', name: 'Tỉnh đo tải' })
    .returning('id').executeTakeFirstOrThrow()
  const centre = await db.insertInto('units').values({ kind: 'centre', code: 'BENCH-1', name: 'Trung tâm đo tải', parent_id: province.id })
    .returning('id').executeTakeFirstOrThrow()
  const counters: string[] = []
  for (let i = 1; i <= counterCount; i++) {
    counters.push((await db.insertInto('counters').values({ unit_id: centre.id, number: i, name: `Quầy ${i}` })
      .returning('id').executeTakeFirstOrThrow()).id)
  }
  // Ratings of the last hours, a counter each in turn, with an officer for most and answers to some criteria.
  const officers = Array.from({ length: 40 }, () => randomUUID())
  let sequence = 0
  const batch = (): RatingForRollup[] => Array.from({ length: ratingsPerRun }, () => {
    const n = sequence++
    const level = 1 + (n % 4)
    const answered = criteria.slice(0, n % 3 === 0 ? 0 : 1 + (n % criteria.length))
    return {
      unitId: centre.id,
      counterId: counters[n % counterCount]!,
      officerId: n % 5 === 0 ? null : officers[n % officers.length]!,
      level,
      category: categories[level - 1]!,
      weight: [0, 50, 100, 100][level - 1]!,
      criteria: Object.fromEntries(answered.map((code, index) => [code, index % 4 === 3 ? 'na' : index % 5 !== 4])),
      countedAt: new Date(Date.now() - (n % 7200) * 1000),
      misuse: n % 10 === 0
    }
  })
  // Officers are not rows here: the rollups keep officer ids without a foreign key.
  await recordRatings(db, batch()) // warm-up: slots, prepared plans, JIT

  // Only the calls are timed: the ratings are made before each (the worker receives them parsed from its claim).
  const delay = monitorEventLoopDelay({ resolution: 1 })
  let cpuMicros = 0
  let userMicros = 0
  let wallMs = 0
  for (let run = 0; run < runs; run++) {
    const ratings = batch()
    delay.enable()
    const cpuBefore = process.cpuUsage()
    const started = performance.now()
    await recordRatings(db, ratings)
    wallMs += performance.now() - started
    const cpu = process.cpuUsage(cpuBefore)
    delay.disable()
    cpuMicros += cpu.user + cpu.system
    userMicros += cpu.user
  }
  await db.destroy()

  const ratings = runs * ratingsPerRun
  console.log(`rollup worker runs: ${runs} × ${ratingsPerRun} ratings, ${counterCount} counters, a centre under a province, PostgreSQL ${new URL(serverUrl).host}`)
  console.log(`this process (the API's share): ${(cpuMicros / ratings).toFixed(1)} µs CPU per rating ` +
    `(user ${(userMicros / ratings).toFixed(1)}, system ${((cpuMicros - userMicros) / ratings).toFixed(1)}); ${(wallMs / runs).toFixed(1)} ms wall per run`)
  console.log(`event loop held: p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`)
} finally {
  await scratch.drop()
}
