// The in-process event hub behind the two WebSockets: scoped events for users, state pushes for terminals.
import fp from 'fastify-plugin'
import { unitAncestorIds } from '../../repositories/units.ts'

export type LiveEvent =
  | { type: 'rating', rating: Record<string, unknown> }
  | { type: 'alert', alert: Record<string, unknown> }
  | { type: 'case', case: Record<string, unknown> }

interface UserSubscriber {
  /** Scope root; null = the whole tree. */
  rootUnitId: string | null
  /** Officer users only see events about themselves. */
  officerId: string | null
  /** `text` is the event as JSON, serialised once for every subscriber. */
  send: (event: LiveEvent, text: string) => void
}

interface TerminalSubscriber {
  terminalId: string
  counterId: string
  /** Sends the terminal its fresh state (the route knows how to build it). */
  refresh: () => Promise<void>
  revoke: () => void
}

export interface LiveHub {
  subscribeUser: (subscriber: UserSubscriber) => () => void
  subscribeTerminal: (subscriber: TerminalSubscriber) => () => void
  /** Delivers an event about `unitId` (and `officerId`) to every user whose scope contains it. */
  publish: (unitId: string, officerId: string | null, event: LiveEvent) => Promise<void>
  /** Pushes fresh state to the terminals at a counter (officer signed in or out). */
  refreshCounter: (counterId: string) => Promise<void>
  /** Pushes fresh state to every terminal (scale or criteria changed). */
  refreshAllTerminals: () => Promise<void>
  /** Tells a revoked terminal and closes its socket. */
  revokeTerminal: (terminalId: string) => void
  /** Forget cached unit ancestry after the tree changed. */
  unitsChanged: () => void
  userCount: () => number
}

declare module 'fastify' {
  interface FastifyInstance {
    live: LiveHub
  }
}

export default fp(async (app) => {
  const users = new Set<UserSubscriber>()
  const terminals = new Set<TerminalSubscriber>()
  const ancestry = new Map<string, Promise<string[]>>()

  function ancestorsOf (unitId: string): Promise<string[]> {
    let cached = ancestry.get(unitId)
    if (cached === undefined) {
      cached = unitAncestorIds(app.db, unitId)
      cached.catch(() => ancestry.delete(unitId))
      ancestry.set(unitId, cached)
    }
    return cached
  }

  const refreshEach = async (list: TerminalSubscriber[]): Promise<void> => {
    await Promise.all(list.map((subscriber) => subscriber.refresh().catch((error: unknown) => app.log.warn({ err: error }, 'terminal state push failed'))))
  }

  const hub: LiveHub = {
    subscribeUser (subscriber) {
      users.add(subscriber)
      return () => { users.delete(subscriber) }
    },
    subscribeTerminal (subscriber) {
      terminals.add(subscriber)
      return () => { terminals.delete(subscriber) }
    },
    async publish (unitId, officerId, event) {
      if (users.size === 0) return
      const ancestors = await ancestorsOf(unitId)
      let text: string | null = null
      for (const subscriber of users) {
        if (subscriber.rootUnitId !== null && !ancestors.includes(subscriber.rootUnitId)) continue
        if (subscriber.officerId !== null && subscriber.officerId !== officerId) continue
        text ??= JSON.stringify(event)
        subscriber.send(event, text)
      }
    },
    async refreshCounter (counterId) {
      await refreshEach([...terminals].filter((subscriber) => subscriber.counterId === counterId))
    },
    async refreshAllTerminals () {
      await refreshEach([...terminals])
    },
    revokeTerminal (terminalId) {
      for (const subscriber of terminals) if (subscriber.terminalId === terminalId) subscriber.revoke()
    },
    unitsChanged () {
      ancestry.clear()
    },
    userCount: () => users.size
  }
  app.decorate('live', hub)
}, { name: 'live', dependencies: ['db'] })
