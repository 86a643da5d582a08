// The bridge's data-folder lock: one bridge per dataDir; the lock dies with its holder (kill -9, a reused pid).
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'

/** Who holds a lock: the pid, and that process's start time (so a reused pid is told apart). */
export interface LockOwner { pid: number, started: string | null, host: string, since: string }

/** A second bridge on the same data folder: the message is the one line an installer needs. */
export class DataDirLockedError extends Error {
  constructor (readonly dir: string, readonly owner: LockOwner) {
    super(`another bridge (pid ${owner.pid}, since ${owner.since}) already uses data folder ${dir}; stop it first (systemctl stop hailong-bridge), or give this one another dataDir`)
    this.name = 'DataDirLockedError'
  }
}

/**
 * A process's start time as the kernel counts it (field 22 of /proc/PID/stat, clock ticks since boot),
 * or null where there is no /proc. Together with the pid it names one process for the life of the machine.
 */
export async function processStartTime (pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return fields[19] ?? null
  } catch {
    return null
  }
}

function processExists (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Whether the process that wrote `owner` still runs: its pid is alive and, where /proc tells, started at the same tick. */
export async function ownerAlive (owner: LockOwner): Promise<boolean> {
  if (owner.host !== hostname()) return true // another machine sharing the folder: it cannot be checked from here
  if (!Number.isInteger(owner.pid) || owner.pid <= 0 || !processExists(owner.pid)) return false
  if (owner.started === null) return true
  const started = await processStartTime(owner.pid)
  return started === null || started === owner.started
}

/**
 * `dataDir/bridge.lock`, created atomically (a hard link of a complete temp file, so it is never seen
 * half-written) with the holder's pid and start time. A lock whose holder is gone is taken over; one
 * whose holder runs throws DataDirLockedError. Released by `release()`; after kill -9 the next start
 * finds the holder gone.
 */
export class DataDirLock {
  private constructor (readonly path: string, private readonly content: string) {}

  static async acquire (dir: string): Promise<DataDirLock> {
    await mkdir(dir, { recursive: true })
    const path = join(dir, 'bridge.lock')
    const owner: LockOwner = {
      pid: process.pid, started: await processStartTime(process.pid), host: hostname(), since: new Date().toISOString()
    }
    const content = JSON.stringify(owner) + '\n'
    const temp = join(dir, `.bridge.lock.${process.pid}.tmp`)
    const file = await open(temp, 'w', 0o644)
    try { await file.write(content); await file.sync() } finally { await file.close() }
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await link(temp, path)
          return new DataDirLock(path, content)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        }
        let text: string
        try { text = await readFile(path, 'utf8') } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
          throw error
        }
        let held: LockOwner | null = null
        try { held = JSON.parse(text) as LockOwner } catch { held = null }
        // A lock file that does not parse was torn by a crash while being written by an older version: stale.
        if (held !== null && await ownerAlive(held)) throw new DataDirLockedError(dir, held)
        // Stale: move it aside (atomic; of two bridges starting at once only one moves it), then check it was the stale one.
        const aside = join(dir, `.bridge.lock.stale.${process.pid}`)
        try { await rename(path, aside) } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
          throw error
        }
        const moved = await readFile(aside, 'utf8').catch(() => '')
        if (moved !== text) {
          // Another bridge took the stale lock between our read and our rename: put its lock back and yield to it.
          await link(aside, path).catch(() => {})
          await unlink(aside).catch(() => {})
          let other: LockOwner | null = null
          try { other = JSON.parse(moved) as LockOwner } catch { other = null }
          if (other !== null) throw new DataDirLockedError(dir, other)
          continue
        }
        await unlink(aside)
      }
      throw new Error(`could not lock data folder ${dir}: the lock file keeps changing`)
    } finally {
      await unlink(temp).catch(() => {})
    }
  }

  /** Removes the lock file if it is still ours. */
  async release (): Promise<void> {
    const text = await readFile(this.path, 'utf8').catch(() => null)
    if (text === this.content) await unlink(this.path).catch(() => {})
  }
}
