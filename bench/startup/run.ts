// `npm run bench -- startup`: seconds from `npm start` to /readyz 200, on an empty PGlite data folder (first start) and
// on the same folder again (restart). Targets: first start < 5 s, restart < 2 s. Options: --runs N (default 3);
// --source runs the server from its TypeScript through tsx instead (`npm run dev` without --watch), for comparison.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DataDirInUseError, DataDirLock } from '../../db/data-dir-lock.ts'
import { freePort } from '../lib/processes.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const runsArg = process.argv.indexOf('--runs')
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3
const TARGET = { first: 5, restart: 2 }
const fromSource = process.argv.includes('--source')
const command = fromSource ? ['exec', '--', 'node', '--import', 'tsx', 'api/server.ts'] : ['start', '--silent']

/**
 * CPU seconds used so far by a process group (npm, its shell and the server), from /proc (Linux; clock ticks of 1/100 s).
 * On a machine shared with other work the wall time grows with the load; this grows much less, so it says what the
 * same start takes on an idle machine (the start is mostly one thread).
 */
function groupCpuSeconds (group: number): number {
  let ticks = 0
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')
      // After "pid (comm) ": state ppid pgrp … utime is the 12th, stime the 13th.
      if (Number(fields[2]) === group) ticks += Number(fields[11]) + Number(fields[12])
    } catch { /* gone meanwhile */ }
  }
  return ticks / 100
}

/** Runs `npm start` (its own process group, so the whole of it is stopped), answers the seconds until /readyz said 200. */
async function timeStart (dataDir: string): Promise<{ wall: number, cpu: number }> {
  const port = await freePort()
  const started = performance.now()
  const child = spawn('npm', command, {
    cwd: root,
    detached: true,
    env: {
      ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', ADMIN_PASSWORD: 'bench-root-secret-2026', DATABASE_URL: ''
    },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm ${command.join(' ')} exited with ${child.exitCode}`)
      try {
        if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) return { wall: (performance.now() - started) / 1000, cpu: groupCpuSeconds(child.pid!) }
      } catch { /* not listening yet */ }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  } finally {
    process.kill(-child.pid!, 'SIGTERM')
    await exited
    await unlocked(dataDir)
  }
}

/** The server may still be closing PGlite after npm is gone: waits until its lock on the folder is gone. */
async function unlocked (dataDir: string): Promise<void> {
  for (;;) {
    try {
      DataDirLock.acquire(dataDir, 'bench').release()
      return
    } catch (error) {
      if (!(error instanceof DataDirInUseError)) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const first: Array<{ wall: number, cpu: number }> = []
const restart: Array<{ wall: number, cpu: number }> = []
const show = (time: { wall: number, cpu: number }): string => `${time.wall.toFixed(2)} s (CPU ${time.cpu.toFixed(2)} s)`
for (let run = 0; run < runs; run++) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hl-startup-'))
  try {
    first.push(await timeStart(dataDir))
    restart.push(await timeStart(dataDir))
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
  console.log(`run ${run + 1}: first start ${show(first.at(-1)!)}, restart ${show(restart.at(-1)!)}`)
}
const [load1] = os.loadavg()
console.log(fromSource ? 'from source (tsx compiling TypeScript at start):' : 'npm start (the build in dist/server):')
const summary = (name: string, times: Array<{ wall: number, cpu: number }>, target: number): string =>
  `${name}: median ${median(times.map((time) => time.wall)).toFixed(2)} s, best ${Math.min(...times.map((time) => time.wall)).toFixed(2)} s, CPU median ${median(times.map((time) => time.cpu)).toFixed(2)} s (target < ${target} s)`
console.log(summary('first start (empty data folder → /readyz 200)', first, TARGET.first))
console.log(summary('restart (same folder → /readyz 200)', restart, TARGET.restart))
console.log(`machine: ${os.cpus().length} cores, load average ${load1!.toFixed(1)} (wall times grow with the load; CPU seconds much less)`)
