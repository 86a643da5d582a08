// The bridge's delivery back-off: the terminal outbox's algorithm (exponential, "equal jitter"), without importing terminal code.

/**
 * Wait before retry number `attempt` (0 = the first retry): half the ceiling plus a random half, the ceiling
 * doubling from `baseMs` up to `capMs`. The jitter keeps a centre's bridges and tablets from retrying in step
 * after an outage; the floor of half the ceiling keeps a flapping API from being hammered.
 */
export function retryDelay (attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 30))
  return Math.round(ceiling / 2 + random() * ceiling / 2)
}
