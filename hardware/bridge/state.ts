// The bridge's small state file: each box's terminal token (after pairing) and its last known rating scale.
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { ScaleLevel } from './api-client.ts'

export interface BoxState {
  terminalId?: string
  token?: string
  scale?: ScaleLevel[]
  /** The highest boot counter this serial said HELLO with in its current epoch. */
  boot?: number
  /** Bumped when the boot counter went back or the serial showed up on two ports at once: it keeps rating ids distinct. */
  epoch?: number
  /** The last queue call (calledAt|ticket) given to a press: never given to a second one. */
  usedCall?: string
}

/** A JSON file rewritten atomically (temp file, fsync, rename), mode 0600: it holds tokens. */
export class BridgeState {
  private boxes: Record<string, BoxState> = {}

  private constructor (readonly path: string) {}

  static async open (path: string): Promise<BridgeState> {
    const state = new BridgeState(path)
    await mkdir(dirname(path), { recursive: true })
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as { boxes?: Record<string, BoxState> }
      state.boxes = parsed.boxes ?? {}
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
    return state
  }

  get (serial: string): BoxState {
    return this.boxes[serial] ?? {}
  }

  /** Saves a change; writes run one at a time (HELLO and a drain may both save), each a complete file. */
  async update (serial: string, change: BoxState): Promise<void> {
    this.boxes[serial] = { ...this.get(serial), ...change }
    const write = this.chain.then(() => this.write(), () => this.write())
    this.chain = write.catch(() => {})
    await write
  }

  private chain: Promise<void> = Promise.resolve()

  private async write (): Promise<void> {
    const next = join(dirname(this.path), `.state.${process.pid}.tmp`)
    const file = await open(next, 'w', 0o600)
    try {
      await file.write(JSON.stringify({ boxes: this.boxes }, null, 2) + '\n')
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(next, this.path)
  }
}
