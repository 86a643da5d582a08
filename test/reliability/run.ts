// `npm run reliability`: crash, restart and offline under steady presses, then SIGTERM under load, on a private PostgreSQL; prints what it
// did and the counts.
// Usage: npm run reliability -- [--terminals 20] [--seconds 120] [--interval-ms 1000] [--pg-restart immediate|fast] [--clients 10]
import fs from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { PrivatePostgres } from './postgres.ts'
import {
  crashFailures, describeCrashReport, describeShutdownReport, runCrashScenario, runGracefulShutdown, shutdownFailures
} from './scenarios.ts'

const { values } = parseArgs({
  options: {
    terminals: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '120' },
    'interval-ms': { type: 'string', default: '1000' },
    'pg-restart': { type: 'string', default: 'immediate' },
    clients: { type: 'string', default: '10' }
  }
})

function whole (name: string, raw: string, min: number, max: number): number {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min || value > max) {
    process.stderr.write(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"\n`)
    process.exit(2)
  }
  return value
}

const terminals = whole('terminals', values.terminals, 1, 500)
const seconds = whole('seconds', values.seconds, 20, 86400)
const intervalMs = whole('interval-ms', values['interval-ms'], 50, 600_000)
const clients = whole('clients', values.clients, 1, 200)
const pgRestart = values['pg-restart']
if (pgRestart !== 'immediate' && pgRestart !== 'fast') {
  process.stderr.write(`--pg-restart must be immediate or fast, got "${pgRestart}"\n`)
  process.exit(2)
}

const log = (line: string): void => { process.stdout.write(`${line}\n`) }
const pg = await PrivatePostgres.start()
let failed = false
const stop = (): void => { void pg.destroy().finally(() => process.exit(130)) }
process.once('SIGINT', stop)
try {
  log(`== crash, restart and offline: ${terminals} terminals, ${seconds} s`)
  const crash = await runCrashScenario(pg, { terminals, seconds, intervalMs, pgRestart, log })
  for (const line of describeCrashReport(crash)) log(line)
  const crashBroken = crashFailures(crash)
  log(crashBroken.length === 0
    ? 'PASS: every tap stored exactly once; rollups equal raw'
    : `FAIL: ${crashBroken.join('; ')} (API log: ${crash.apiLog})`)
  if (crashBroken.length === 0) await fs.rm(crash.workDir, { recursive: true, force: true })

  log(`\n== graceful shutdown: SIGTERM under load from ${clients} clients`)
  const shutdown = await runGracefulShutdown(pg, { clients, loadSeconds: 5, log })
  for (const line of describeShutdownReport(shutdown)) log(line)
  const shutdownBroken = shutdownFailures(shutdown)
  log(shutdownBroken.length === 0
    ? 'PASS: no acknowledged rating lost, no request reset'
    : `FAIL: ${shutdownBroken.join('; ')} (API log: ${shutdown.apiLog})`)
  if (shutdownBroken.length === 0) await fs.rm(shutdown.workDir, { recursive: true, force: true })
  failed = crashBroken.length > 0 || shutdownBroken.length > 0
} catch (error) {
  failed = true
  process.stderr.write(`reliability run failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
} finally {
  await pg.destroy()
}
process.exit(failed ? 1 : 0)
