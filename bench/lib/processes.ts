// What the benchmarks share: a free port, a child process started and waited for, a scratch PostgreSQL database.
import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

const root = fileURLToPath(new URL('../../', import.meta.url))

export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/**
 * `node --import tsx <args>` from the project root with PORT set; resolves once `readyPath` answers below 500.
 * Node itself, not `npx tsx`: killing the child then stops the server, not a wrapper.
 */
export async function startProcess (args: string[], env: Record<string, string>, port: number, readyPath: string): Promise<ChildProcess> {
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", is passed to the servers (profiling).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '')
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'inherit', 'inherit'] })
  const started = Date.now()
  while (Date.now() - started < 60_000 && child.exitCode === null) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${readyPath}`)
      if (response.status < 500) return child
    } catch { /* not yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error(`${args.join(' ')} did not start`)
}

export interface ScratchDatabase {
  url: string
  drop: () => Promise<void>
}

/** A fresh database on the server at `serverUrl`, dropped by `drop()`. */
export async function scratchDatabase (serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now()}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  return {
    url: Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString(),
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`).catch(() => {})
      await admin.end()
    }
  }
}

/** CPU seconds (user + system) each process has used so far, by pid (Linux /proc; empty elsewhere). */
export async function cpuSeconds (pids: number[]): Promise<Map<number, number>> {
  const { readFile } = await import('node:fs/promises')
  const totals = new Map<number, number>()
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null)
    if (stat === null) continue
    // "pid (comm) state ppid …": fields after the closing parenthesis; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    totals.set(pid, (Number(fields[11]) + Number(fields[12])) / 100)
  }
  return totals
}

/** CPU seconds used between two `cpuSeconds` readings by the processes alive at the second (new ones count whole). */
export function cpuUsedBetween (before: Map<number, number>, after: Map<number, number>, pids?: number[]): number {
  let used = 0
  for (const [pid, seconds] of after) if (pids === undefined || pids.includes(pid)) used += seconds - (before.get(pid) ?? 0)
  return used
}
