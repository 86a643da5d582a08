// The API as a real server process (`node --import tsx api/server.ts`), so the suite can SIGKILL, SIGTERM and restart it.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
/** The harness's own fetch: simulated terminals replace the global one (terminals.ts). */
const directFetch = globalThis.fetch

export interface ApiProcessOptions {
  databaseUrl: string
  port: number
  adminPassword: string
  /** stdout and stderr of every run are appended here. */
  logFile: string
  env?: Record<string, string>
}

export interface Exit { code: number | null, signal: NodeJS.Signals | null }

export class ApiProcess {
  private child: ChildProcess | null = null
  private exit: Promise<Exit> | null = null
  private stopping = false
  /** Exits nobody asked for (a crash): each is a failure of the API. */
  readonly crashes: Exit[] = []

  constructor (readonly options: ApiProcessOptions) {}

  get baseUrl (): string { return `http://127.0.0.1:${this.options.port}` }
  get pid (): number | undefined { return this.child?.pid }
  get running (): boolean { return this.child !== null }

  /** Starts the server and waits until /readyz answers 200; answers how long that took (ms). */
  async start (timeoutMs = 180_000): Promise<number> {
    if (this.child !== null) throw new Error('the API is already running')
    const started = performance.now()
    const log = fs.openSync(this.options.logFile, 'a')
    const env: Record<string, string | undefined> = {
      ...process.env,
      DATABASE_URL: this.options.databaseUrl,
      PORT: String(this.options.port),
      HOST: '127.0.0.1',
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD: this.options.adminPassword,
      LOG_LEVEL: 'warn',
      ...this.options.env
    }
    // A test runner's loader hooks (tap's NODE_OPTIONS) are not the server's business.
    delete env.NODE_OPTIONS
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], { cwd: root, env, stdio: ['ignore', log, log] })
    fs.closeSync(log)
    this.child = child
    this.stopping = false
    this.exit = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.child = null
      if (!this.stopping) this.crashes.push({ code, signal })
      resolve({ code, signal })
    }))
    let exited: Exit | null = null
    void this.exit.then((exit) => { exited = exit })
    while (performance.now() - started < timeoutMs) {
      if (exited !== null) throw new Error(`the API exited while starting (${JSON.stringify(exited)}):\n${await this.logTail()}`)
      try {
        const response = await directFetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(5000) })
        await response.arrayBuffer()
        if (response.status === 200) return Math.round(performance.now() - started)
      } catch { /* not listening yet */ }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    child.kill('SIGKILL')
    throw new Error(`the API was not ready within ${timeoutMs} ms:\n${await this.logTail()}`)
  }

  /** Sends a signal; answers how the process ended. */
  async stop (signal: NodeJS.Signals, timeoutMs = 60_000): Promise<Exit> {
    const child = this.child
    const exit = this.exit
    if (child === null || exit === null) return { code: null, signal: null }
    this.stopping = true
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    try {
      return await exit
    } finally {
      clearTimeout(timer)
    }
  }

  /** Resolves when the running process ends on its own (after a signal sent elsewhere). */
  async exited (): Promise<Exit> {
    return this.exit ?? { code: null, signal: null }
  }

  /** Sends a signal without waiting. */
  signal (signal: NodeJS.Signals): void {
    this.stopping = true
    this.child?.kill(signal)
  }

  async logTail (lines = 30): Promise<string> {
    const text = await fsp.readFile(this.options.logFile, 'utf8').catch(() => '')
    return text.split('\n').slice(-lines).join('\n')
  }
}
