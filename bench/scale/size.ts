// Bytes per million ratings with their rollups: loads N ratings into a fresh PostgreSQL database (the real migrations), rebuilds the
// rollups, reads the table sizes.
// Usage: npm run bench -- scale   or   node --import tsx bench/scale/size.ts [--ratings 1000000] [--per-counter-day 30] [--url postgres://…] [--keep]
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { loadavg } from 'node:os'
import pg from 'pg'
import { sql } from 'kysely'
import { openDatabase } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import { rebuildRollups } from '../../analytics/rollup-tables.ts'

const { values: options } = parseArgs({
  allowPositionals: true,
  options: {
    ratings: { type: 'string', default: '1000000' },
    // National density: ~1 M ratings a day over ~3,300 centres of ~10 counters is ~30 a counter a working day.
    // Rollup rows grow with the number of (counter, officer, hour) cells, so the density sets the rollups' share.
    'per-counter-day': { type: 'string', default: '30' },
    counters: { type: 'string', default: '200' },
    url: { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    keep: { type: 'boolean', default: false }
  }
})
const ratingCount = Number(options.ratings)
const perCounterDay = Number(options['per-counter-day'])
const counterCount = Number(options.counters)
const countersPerCentre = 10
const centreCount = Math.ceil(counterCount / countersPerCentre)
const workingDays = Math.ceil(ratingCount / (perCounterDay * counterCount))

const log = (message: string): void => { console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`) }
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`

const databaseName = `hl_bench_scale_${Date.now()}`
const admin = new pg.Client({ connectionString: options.url })
await admin.connect()
await admin.query(`create database ${databaseName}`)
const databaseUrl = Object.assign(new URL(options.url), { pathname: `/${databaseName}` }).toString()
const db = await openDatabase({ databaseUrl, dataDir: null, poolSize: 2 })
try {
  console.log(`load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`)
  await migrateToLatest(db)
  log(`${ratingCount} ratings: ${centreCount} centres × ${countersPerCentre} counters, ${perCounterDay} ratings a counter a working day, ${workingDays} working days`)
  await sql`insert into units (id, kind, code, name)
    values ('00000000-0000-4000-8000-000000000001', 'province', 'P01', 'Tỉnh Thử Nghiệm')`.execute(db)
  await sql`insert into units (kind, code, name, parent_id)
    select 'centre', 'TT' || k, 'Trung tâm ' || k, '00000000-0000-4000-8000-000000000001'
    from generate_series(1, ${centreCount}) k`.execute(db)
  await sql`insert into counters (unit_id, number, name)
    select u.id, n, 'Quầy ' || n from units u, generate_series(1, ${countersPerCentre}) n where u.kind = 'centre'`.execute(db)
  await sql`insert into terminals (unit_id, counter_id, kind) select unit_id, id, 'touch' from counters`.execute(db)
  await sql`create unlogged table bench_counters as
    select row_number() over (order by c.id)::int - 1 as idx, c.id as counter_id, c.unit_id, t.id as terminal_id,
      array[]::uuid[] as officer_ids
    from counters c join terminals t on t.counter_id = c.id`.execute(db)
  // Two officers per counter who take turns (a morning and an afternoon shift).
  await sql`insert into officers (unit_id, staff_code, full_name)
    select b.unit_id, 'CB' || b.idx || '-' || k, 'Cán bộ ' || b.idx || '-' || k from bench_counters b, generate_series(1, 2) k`.execute(db)
  await sql`update bench_counters b
    set officer_ids = array(select o.id from officers o where o.staff_code like 'CB' || b.idx || '-%' order by o.staff_code)`.execute(db)

  // The ratings arrive in time order, one working day at a time, into the tables with every index and key in place:
  // the indexes (random UUIDs in the keys) end up as full as they are in production, not freshly packed.
  // Stored as the rollup worker leaves them: already counted (rebuildRollups below counts every rating), none queued.
  const codes = sql.val([
    'xin_chao', 'xin_loi', 'xin_cam_on', 'xin_phep', 'luon_mim_cuoi', 'luon_nhe_nhang', 'luon_lang_nghe', 'luon_giup_do'
  ])
  const started = performance.now()
  const perDay = perCounterDay * counterCount
  for (let day = 0; day < workingDays; day++) {
    const size = Math.min(perDay, ratingCount - day * perDay)
    // Weekdays only: working day `day` is calendar day day + 2 × (day div 5) after Monday 5 Jan 2026.
    const date = new Date(Date.UTC(2026, 0, 5) + (day + 2 * Math.floor(day / 5)) * 86400_000)
    await sql`insert into ratings (id, unit_id, counter_id, terminal_id, officer_id, level, category, weight, criteria, rated_at,
        received_at, counted_at, source, misuse, misuse_reason)
      select gen_random_uuid(), c.unit_id, c.counter_id, c.terminal_id,
        case when g.r_officer < 0.05 then null when g.at_hour < 12 then c.officer_ids[1] else c.officer_ids[2] end,
        l.level, l.category, l.weight,
        -- Four in ten citizens answer some of the "4 xin, 4 luôn" questions.
        case when g.r_criteria < 0.4
          then coalesce((select jsonb_object_agg(code, random() < 0.9) from unnest(${codes}::text[]) code where random() < 0.6 + 0 * g.n),
            '{}'::jsonb)
          else '{}'::jsonb end,
        g.at, g.at + interval '1 second', g.at, 'touch', g.r_misuse < 0.01, case when g.r_misuse < 0.01 then 'burst' end
      from (
        select n, n % ${counterCount} as ci, random() as r_officer, random() as r_level, random() as r_criteria, random() as r_misuse,
          h.at_hour,
          (${date.toISOString().slice(0, 10)}::date
            + make_interval(hours => h.at_hour, mins => floor(random() * 60)::int, secs => floor(random() * 60)::int))
            at time zone 'Asia/Ho_Chi_Minh' as at
        from generate_series(1, ${size}) n
        -- Office hours 7:00–17:00 local, busiest in the late morning. (0 * n ties a sub-select to its row, so
        -- PostgreSQL draws its random() anew for every row instead of once.)
        cross join lateral (select 7 + floor(10 * (random() + random() + 0 * n) / 2)::int as at_hour) h
      ) g
      join bench_counters c on c.idx = g.ci
      cross join lateral (
        select case when g.r_level < 0.55 then 4 when g.r_level < 0.85 then 3 when g.r_level < 0.95 then 2 else 1 end as level
      ) pick
      join scale_levels l on l.level = pick.level
      order by g.at`.execute(db)
    if ((day + 1) % 20 === 0 || day === workingDays - 1) {
      const done = Math.min(ratingCount, (day + 1) * perDay)
      log(`ratings ${done} / ${ratingCount} (${Math.round(done / ((performance.now() - started) / 1000))} rows/s)`)
    }
  }
  // What the ingest leaves behind: a case per unsatisfied rating (most of them answered), every rating rolled up.
  await sql`insert into cases (unit_id, rating_id, counter_id, officer_id, status, opened_at, resolved_at, note)
    select unit_id, id, counter_id, officer_id, s.status, received_at,
      case when s.status = 'resolved' then received_at + interval '2 hours' end,
      case when s.status = 'resolved' then 'Đã liên hệ người dân, xin lỗi và hướng dẫn lại thủ tục.' end
    from ratings cross join lateral (select case when random() < 0.8 + 0 * weight then 'resolved' else 'open' end as status) s
    where category = 'unsatisfied' and not misuse`.execute(db)
  const rebuildStarted = performance.now()
  await rebuildRollups(db)
  log(`rollups rebuilt in ${((performance.now() - rebuildStarted) / 1000).toFixed(1)} s`)
  await sql`drop table bench_counters`.execute(db)
  await sql`vacuum analyze`.execute(db)

  const tables = await sql<{ name: string, rows: number, heap: number, indexes: number, total: number }>`
    select c.relname as name, c.reltuples::bigint as rows, pg_table_size(c.oid) as heap, pg_indexes_size(c.oid) as indexes,
      pg_total_relation_size(c.oid) as total
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' order by pg_total_relation_size(c.oid) desc`.execute(db)
  const rollupTables = tables.rows.map((row) => row.name).filter((name) => name.endsWith('rollups'))
  const perTable = rollupTables.map((table) =>
    sql`select ${table} as table, grain, count(*)::int as rows from ${sql.table(table)} group by grain`)
  const grains = await sql<{ table: string, grain: string, rows: number }>`${sql.join(perTable, sql` union all `)} order by 1, 2`
    .execute(db)
  const perMillion = (bytes: number): number => bytes * 1_000_000 / ratingCount
  const sum = (names: string[]): number =>
    tables.rows.filter((row) => names.includes(row.name)).reduce((total, row) => total + Number(row.total), 0)

  console.log(`\n${ratingCount} ratings, ${perCounterDay} a counter a working day; sizes (table + TOAST, indexes, total) and per million ratings`)
  for (const row of tables.rows.filter((row) => Number(row.total) > 64 * 1024)) {
    console.log(`  ${row.name.padEnd(26)} ${String(Math.round(Number(row.rows))).padStart(10)} rows  ${mb(Number(row.heap)).padStart(10)} + ${mb(Number(row.indexes)).padStart(10)} = ${mb(Number(row.total)).padStart(10)}   ${mb(perMillion(Number(row.total))).padStart(10)} / M`)
  }
  for (const row of grains.rows) console.log(`  ${row.table} ${row.grain.padEnd(5)} ${String(row.rows).padStart(10)} rows`)
  const indexes = await sql<{ table: string, name: string, bytes: number }>`
    select t.relname as table, i.relname as name, pg_relation_size(i.oid) as bytes
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
    where t.relname in ('ratings', 'cases') or t.relname like '%rollups' order by t.relname, pg_relation_size(i.oid) desc`.execute(db)
  console.log('  indexes:')
  for (const index of indexes.rows) console.log(`    ${`${index.table}.${index.name}`.padEnd(58)} ${mb(Number(index.bytes)).padStart(10)}   ${mb(perMillion(Number(index.bytes))).padStart(10)} / M`)
  const ratings = sum(['ratings'])
  // Whatever the rollup layout of the day (analytics/rollup-tables.ts): every table named *rollups.
  const rollups = sum(tables.rows.map((row) => row.name).filter((name) => name.endsWith('rollups')))
  const cases = sum(['cases'])
  const everything = tables.rows.reduce((total, row) => total + Number(row.total), 0)
  console.log(`\nper million ratings: ratings ${mb(perMillion(ratings))} · rollups ${mb(perMillion(rollups))} · cases ${mb(perMillion(cases))} · all tables ${mb(perMillion(everything))} (${Math.round(perMillion(everything) / 1_000_000)} bytes a rating)`)
  console.log(`load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`)
} finally {
  await db.destroy()
  if (!options.keep) await admin.query(`drop database if exists ${databaseName} with (force)`).catch(() => {})
  else console.log(`kept database ${databaseName}`)
  await admin.end()
}
