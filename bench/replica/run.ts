// Replay lag of a streaming replica (DATABASE_READ_URL): how long after a commit on the primary the replica shows it,
// idle and under a write load, and what the read-your-writes check (one pg_last_wal_replay_lsn() comparison) costs.
// Usage: npm run bench -- replica [--url postgres://…:5432/postgres] [--replica postgres://…:5433/postgres] [--probes 300]
// (`.ci/replica start` makes a replica on 127.0.0.1:5433.)
import { parseArgs } from 'node:util'
import { performance } from 'node:perf_hooks'
import { loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'

const { values: options } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    replica: { type: 'string', default: process.env.DATABASE_READ_URL ?? 'postgres://postgres@127.0.0.1:5433/postgres' },
    probes: { type: 'string', default: '300' }
  }
})
const probes = Number(options.probes)
const databaseName = `hl_bench_replica_${Date.now()}`
const on = (server: string): string => Object.assign(new URL(server), { pathname: `/${databaseName}` }).toString()

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!
const ms = (value: number): string => `${value.toFixed(2)} ms`
function summary (label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b)
  console.log(`${label}: p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, max ${ms(sorted.at(-1)!)} (${samples.length} probes)`)
}

const admin = new pg.Client({ connectionString: options.url })
await admin.connect()
await admin.query(`create database ${databaseName}`)
const primary = new pg.Client({ connectionString: on(options.url) })
const loader = new pg.Client({ connectionString: on(options.url) })
let replica: pg.Client | null = null
try {
  await primary.connect()
  await loader.connect()
  await primary.query('create table probe (id int primary key, at timestamptz not null default now())')
  await primary.query('create table load (id bigserial primary key, payload text not null)')
  const replicaAdmin = new pg.Client({ connectionString: options.replica })
  await replicaAdmin.connect()
  const inRecovery = (await replicaAdmin.query<{ standby: boolean }>('select pg_is_in_recovery() as standby')).rows[0]!.standby
  if (!inRecovery) throw new Error(`${options.replica} is not a standby (pg_is_in_recovery() is false)`)
  for (let i = 0; i < 2000; i++) {
    const exists = await replicaAdmin.query('select 1 from pg_database where datname = $1', [databaseName])
    if (exists.rowCount === 1) break
    await sleep(5)
  }
  await replicaAdmin.end()
  replica = new pg.Client({ connectionString: on(options.replica) })
  await replica.connect()
  for (let i = 0; i < 2000; i++) {
    if ((await replica.query("select to_regclass('probe') is not null as ready")).rows[0].ready === true) break
    await sleep(5)
  }

  /** Commits one row on the primary, then polls the replica until it shows it: the lag as a reader sees it. */
  async function lagOnce (id: number): Promise<number> {
    await primary.query('insert into probe (id) values ($1)', [id])
    const committed = performance.now()
    for (;;) {
      const seen = await replica!.query('select 1 from probe where id = $1', [id])
      if (seen.rowCount === 1) return performance.now() - committed
    }
  }

  console.log(`load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`)
  const idle: number[] = []
  for (let i = 0; i < probes; i++) idle.push(await lagOnce(i))
  summary('replay lag, idle', idle)

  // A write load beside the probes: 1,000-row batches as fast as one connection commits them (ingest-like WAL).
  const loading = { on: true }
  let rows = 0
  const started = performance.now()
  const load = (async () => {
    while (loading.on) {
      await loader.query("insert into load (payload) select repeat('x', 200) from generate_series(1, 1000)")
      rows += 1000
    }
  })()
  const busy: number[] = []
  for (let i = 0; i < probes; i++) busy.push(await lagOnce(probes + i))
  loading.on = false
  await load
  const seconds = (performance.now() - started) / 1000
  summary(`replay lag, under ${Math.round(rows / seconds)} rows/s of 200-byte inserts`, busy)

  // The check a read of a client who just wrote makes (api/plugins/external/db.ts): is the replica past its LSN?
  const lsn = (await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0]!.lsn
  const checks: number[] = []
  for (let i = 0; i < probes; i++) {
    const before = performance.now()
    await replica.query('select pg_last_wal_replay_lsn() >= $1::pg_lsn as replayed', [lsn])
    checks.push(performance.now() - before)
  }
  summary('read-your-writes check (one query on the replica)', checks)
  console.log(`load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`)
} finally {
  await replica?.end().catch(() => {})
  await primary.end().catch(() => {})
  await loader.end().catch(() => {})
  await admin.query(`drop database if exists ${databaseName} with (force)`)
  await admin.end()
}
