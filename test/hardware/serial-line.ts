// Test support for the button box: a socat pty pair that can be unplugged and replugged, and bounded waits.
import { spawn, type ChildProcess } from 'node:child_process'
import { access, mkdtemp, rm } from 'node:fs/promises'
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { SerialPort } from 'serialport'

/** Polls `check` every 25 ms until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** A fresh temporary folder, removed at teardown. */
export async function tempFolder (t: Test, prefix = 'hl-hw-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A TCP port nothing listens on right now (for an API that is down, then comes up on it). */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** A null-modem cable made of two ptys (socat): `boxPath` for the box, `bridgePath` for the bridge. */
export class PtyPair {
  readonly boxPath: string
  readonly bridgePath: string
  private socat: ChildProcess | null = null

  constructor (dir: string) {
    this.boxPath = join(dir, 'box')
    this.bridgePath = join(dir, 'bridge')
  }

  /** Plugs the cable in: starts socat and waits for both ends. */
  async plug (): Promise<void> {
    const socat = spawn('socat', [`pty,raw,echo=0,link=${this.boxPath}`, `pty,raw,echo=0,link=${this.bridgePath}`], { stdio: 'ignore' })
    this.socat = socat
    await waitFor('socat pty links', async () => {
      if (socat.exitCode !== null) throw new Error(`socat exited with ${socat.exitCode}`)
      try { await access(this.boxPath); await access(this.bridgePath); return true } catch { return false }
    }, 5000)
  }

  /** Pulls the cable: both ends see their port go away. */
  async unplug (): Promise<void> {
    const socat = this.socat
    this.socat = null
    if (socat === null || socat.exitCode !== null) return
    const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()))
    socat.kill('SIGTERM')
    await exited
  }
}

/** Opens the box's end of the pair as a serial port, closed at teardown. */
export async function openBoxEnd (t: Test, path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false })
  await new Promise<void>((resolve, reject) => port.open((error) => error === null ? resolve() : reject(error)))
  port.on('error', () => {})
  t.teardown(() => new Promise<void>((resolve) => port.isOpen ? port.close(() => resolve()) : resolve()))
  return port
}

/** A TCP relay to the API that can be switched off (connections dropped) and on, as a network outage would. */
export class SwitchableRelay {
  up = true
  private readonly server: Server
  private readonly sockets = new Set<Socket>()

  constructor (private readonly target: { host: string, port: number }) {
    this.server = createServer((client) => {
      if (!this.up) { client.destroy(); return }
      const upstream = connect(this.target)
      for (const socket of [client, upstream]) {
        this.sockets.add(socket)
        socket.on('error', () => {})
        socket.on('close', () => { this.sockets.delete(socket); client.destroy(); upstream.destroy() })
      }
      client.pipe(upstream).pipe(client)
    })
  }

  async listen (): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    const address = this.server.address() as AddressInfo
    return `http://127.0.0.1:${address.port}`
  }

  /** Drops every open connection and refuses new ones. */
  down (): void {
    this.up = false
    for (const socket of this.sockets) socket.destroy()
  }

  async close (): Promise<void> {
    this.down()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
