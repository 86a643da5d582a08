// A private PostgreSQL cluster in a temporary folder, on its own port, that the suite may crash and restart freely.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

/** A free TCP port on 127.0.0.1 (the kernel picks it; nothing holds it afterwards). */
export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** The server binaries: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin (Debian), else pg_config's. */
async function binDir (): Promise<string> {
  if (process.env.PG_BIN !== undefined && process.env.PG_BIN !== '') return process.env.PG_BIN
  const debian = '/usr/lib/postgresql'
  if (fs.existsSync(debian)) {
    const versions = fs.readdirSync(debian).filter((name) => fs.existsSync(path.join(debian, name, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))
    if (versions.length > 0) return path.join(debian, versions[0]!, 'bin')
  }
  try {
    const { stdout } = await run('pg_config', ['--bindir'])
    const dir = stdout.trim()
    if (fs.existsSync(path.join(dir, 'initdb'))) return dir
  } catch { /* not installed */ }
  throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql or set PG_BIN')
}

/** PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user. */
async function owner (): Promise<{ uid: number, gid: number, asOwner: (command: string, args: string[]) => [string, string[]] } | null> {
  if (process.getuid?.() !== 0) return null
  const { stdout: uid } = await run('id', ['-u', 'postgres'])
  const { stdout: gid } = await run('id', ['-g', 'postgres'])
  return { uid: Number(uid), gid: Number(gid), asOwner: (command, args) => ['runuser', ['-u', 'postgres', '--', command, ...args]] }
}

export class PrivatePostgres {
  private constructor (
    private readonly bin: string,
    /** Holds the data folder, the socket and the server log. */
    readonly folder: string,
    readonly port: number,
    private readonly as: Awaited<ReturnType<typeof owner>>
  ) {}

  get dataDir (): string { return path.join(this.folder, 'data') }
  get logFile (): string { return path.join(this.folder, 'postgres.log') }

  /** URL of a database in this cluster (trust authentication, user postgres). */
  url (database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`
  }

  /** initdb into a fresh temporary folder, then start on a free port. */
  static async start (): Promise<PrivatePostgres> {
    const bin = await binDir()
    const as = await owner()
    const folder = await fsp.mkdtemp(path.join(os.tmpdir(), 'hl-reliability-pg-'))
    if (as !== null) await fsp.chown(folder, as.uid, as.gid)
    const cluster = new PrivatePostgres(bin, folder, await freePort(), as)
    // --no-sync only skips flushing initdb's own files; the server itself runs with fsync on, as in production.
    await cluster.exec('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'])
    await cluster.exec('pg_ctl', ['-D', cluster.dataDir, '-l', cluster.logFile, '-w', '-t', '120', '-o',
      `-p ${cluster.port} -k ${folder} -c listen_addresses=127.0.0.1 -c max_connections=60 -c fsync=on -c synchronous_commit=on`, 'start'])
    return cluster
  }

  /** Stops and starts the server: `immediate` is a crash (no checkpoint, recovery from the WAL at start). */
  async restart (mode: 'fast' | 'immediate'): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-w', '-t', '120', '-m', mode, 'restart'])
  }

  /** Creates an empty database and answers its URL. */
  async createDatabase (name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() })
    await client.connect()
    try {
      await client.query(`create database ${name}`)
    } finally {
      await client.end()
    }
    return this.url(name)
  }

  /** Stops the server and removes the folder. */
  async destroy (): Promise<void> {
    await this.exec('pg_ctl', ['-D', this.dataDir, '-w', '-t', '60', '-m', 'immediate', 'stop']).catch(() => {})
    await fsp.rm(this.folder, { recursive: true, force: true })
  }

  private async exec (tool: string, args: string[]): Promise<void> {
    const command = path.join(this.bin, tool)
    const [file, argv] = this.as === null ? [command, args] : this.as.asOwner(command, args)
    try {
      await run(file, argv, { timeout: 180_000 })
    } catch (error) {
      const detail = error as { stderr?: string, message: string }
      const log = await fsp.readFile(this.logFile, 'utf8').catch(() => '')
      throw new Error(`${tool} ${args.at(-1)} failed: ${detail.stderr?.trim() || detail.message}\n${log.split('\n').slice(-15).join('\n')}`)
    }
  }
}
