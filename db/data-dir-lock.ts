// One owner per PGlite data directory: an exclusive OS lock on DATA_DIR/owner.lock, held for as long as the database is open.
//
// PGlite is single-process: a second process opening the same files (even briefly) left them unopenable. The lock is
// an open-file-description lock (fcntl F_OFD_SETLK on Linux, flock on macOS, LockFileEx on Windows) taken through
// fs-native-extensions, so the kernel drops it with its holder's last file descriptor: a server killed with SIGKILL
// leaves nothing behind, and a reused pid cannot fake a holder. The file also says who holds it (pid, port), but only
// for the refusal message: ownership is the lock, never the file's content.
import fs from 'node:fs'
import path from 'node:path'
import fsx from 'fs-native-extensions'

export const LOCK_FILE = 'owner.lock'

export interface LockHolder {
  pid: number
  /** What holds it: "npm start", "npm run demo", … */
  owner: string
  /** The HTTP port once the server listens; null for commands. */
  port: number | null
  since: string
}

/** Refuses a second opener before it reads or writes a byte of the database. */
export class DataDirInUseError extends Error {
  constructor (
    readonly dataDir: string,
    readonly holder: LockHolder | null
  ) {
    const who =
      holder === null
        ? 'another process'
        : `process ${holder.pid} (${holder.owner}${holder.port === null ? '' : `, listening on port ${holder.port}`})`
    const stop = holder === null ? 'stop it' : `stop it (Ctrl+C in its terminal, or kill ${holder.pid})`
    super(
      `the data directory ${dataDir} is in use by ${who}: PGlite allows one process at a time; ${stop} and run this again, or set DATA_DIR to another folder`
    )
    this.name = 'DataDirInUseError'
  }
}

function readHolder (file: string): LockHolder | null {
  try {
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockHolder>
    if (typeof holder.pid !== 'number' || typeof holder.owner !== 'string') return null
    return {
      pid: holder.pid,
      owner: holder.owner,
      port: typeof holder.port === 'number' ? holder.port : null,
      since: String(holder.since ?? '')
    }
  } catch {
    // The holder is between taking the lock and writing its name.
    return null
  }
}

export class DataDirLock {
  private fd: number | null
  private holder: LockHolder

  private constructor (
    readonly file: string,
    fd: number,
    owner: string
  ) {
    this.fd = fd
    this.holder = { pid: process.pid, owner, port: null, since: new Date().toISOString() }
    this.write()
  }

  /** Takes the lock or throws DataDirInUseError naming the holder. Creates only `dataDir` and the lock file. */
  static acquire (dataDir: string, owner: string): DataDirLock {
    fs.mkdirSync(dataDir, { recursive: true })
    const file = path.join(dataDir, LOCK_FILE)
    // Not truncated on open: the holder's name stays readable for the refusal below.
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644)
    let locked = false
    try {
      locked = fsx.tryLock(fd)
    } finally {
      if (!locked) fs.closeSync(fd)
    }
    if (!locked) throw new DataDirInUseError(dataDir, readHolder(file))
    return new DataDirLock(file, fd, owner)
  }

  /** Adds the port the server listens on, for the next opener's refusal message. */
  announcePort (port: number): void {
    this.holder = { ...this.holder, port }
    this.write()
  }

  /** Releases the lock (the kernel does it anyway if the process dies). */
  release (): void {
    if (this.fd === null) return
    const fd = this.fd
    this.fd = null
    try {
      fs.ftruncateSync(fd, 0)
    } finally {
      fs.closeSync(fd)
    }
  }

  private write (): void {
    if (this.fd === null) return
    const text = `${JSON.stringify(this.holder)}\n`
    fs.ftruncateSync(this.fd, 0)
    fs.writeSync(this.fd, text, 0, 'utf8')
  }
}
