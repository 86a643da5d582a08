// One connection state for the whole dashboard: any call that cannot reach the server (or the live socket closing) marks it
// unreachable; it then probes with growing delays (and at once on "Thử lại ngay"), and when the server answers every page reloads.
import { useEffect, useState } from 'preact/hooks'

const DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 15_000]

let reachable = true
/** Counts the returns of the server: pages reload their data when it changes. */
let round = 0
let attempt = 0
let timer: ReturnType<typeof setTimeout> | null = null
const listeners = new Set<() => void>()
const notify = (): void => { for (const listener of listeners) listener() }

/** Does the server answer at all (any HTTP answer counts, even 401)? */
async function probe (): Promise<void> {
  timer = null
  try {
    await fetch('/healthz', { cache: 'no-store' })
    markReachable()
  } catch {
    schedule()
  }
}

function schedule (): void {
  if (timer !== null) return
  timer = setTimeout(() => { void probe() }, DELAYS_MS[Math.min(attempt++, DELAYS_MS.length - 1)])
}

/** A call got an HTTP answer. */
export function markReachable (): void {
  if (reachable) return
  reachable = true
  attempt = 0
  round += 1
  if (timer !== null) clearTimeout(timer)
  timer = null
  notify()
}

/** A call (or the live socket) could not reach the server: show it once for the whole app and start retrying. */
export function markUnreachable (): void {
  if (reachable) {
    reachable = false
    notify()
  }
  schedule()
}

/** Probe now (the retry button, the browser coming back online). */
export function retryNow (): void {
  if (timer !== null) clearTimeout(timer)
  attempt = 0
  void probe()
}

addEventListener('online', () => { if (!reachable) retryNow() })

export interface Connection { reachable: boolean, round: number, retry: () => void }

export function useConnection (): Connection {
  const [, rerender] = useState(0)
  useEffect(() => {
    const listener = (): void => rerender((n) => n + 1)
    listeners.add(listener)
    return () => { listeners.delete(listener) }
  }, [])
  return { reachable, round, retry: retryNow }
}

/** Something hints the server went away (the live socket closed): ask it, and show the state only if it does not answer. */
export function verify (): void {
  fetch('/healthz', { cache: 'no-store' }).then(markReachable, markUnreachable)
}
