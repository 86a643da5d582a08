// Committed changes that in-memory state must follow: live sockets close, caches forget. One feed per app.
//
// Today every change is announced and delivered in this process. With several API processes, `announce` will
// also send the change through PostgreSQL NOTIFY, and each process's LISTEN handler will call `deliver` with
// what it hears: the listeners below stay as they are.

export type Change =
  /** The unit tree changed (a unit created, moved or recoded): cached ancestry is stale. */
  | { kind: 'units' }
  /** A user's row changed (active, role, unit, officer, password) or its sessions were deleted. */
  | { kind: 'user', userId: string }
  /** One session ended (logout, or replaced at sign-in). */
  | { kind: 'session', sessionHash: string }
  /** A terminal was revoked. */
  | { kind: 'terminal', terminalId: string }

export type ChangeListener = (change: Change) => void

export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>()

  /** Says that a change has been committed; call it after the transaction, never inside it. */
  announce (change: Change): void {
    this.deliver(change)
  }

  /** Hands a change to every listener (from `announce`, or later from another process's NOTIFY). */
  deliver (change: Change): void {
    for (const listener of this.listeners) {
      try {
        listener(change)
      } catch { /* one listener's fault must not keep the change from the others */ }
    }
  }

  subscribe (listener: ChangeListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }
}
