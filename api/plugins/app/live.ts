// The event hub behind the two WebSockets: scoped events for users, state pushes for terminals.
// A socket lives only as long as what opened it: its session (user) or its token (terminal) is re-checked on
// every committed change announced (app.changes) and every SWEEP_MS against the database.
// On a PostgreSQL server, events and changes cross to the other API processes of the database through LISTEN/NOTIFY
// (services/change-feed.ts); on PGlite there is one process by construction and everything stays in memory.
import fp from 'fastify-plugin'
import type { ScopedLiveEvent } from '../../../contract/live.ts'
import type { Role } from '../../../db/schema.ts'
import { unitAncestorIds } from '../../repositories/units.ts'
import { sessionStates } from '../../repositories/users.ts'
import { activeTerminalIds } from '../../repositories/terminals.ts'
import { findAlert, rowToAlert } from '../../repositories/alerts.ts'
import { alertEvent } from '../../services/alerts.ts'
import { ChangeFeed, type Change } from '../../services/change-feed.ts'
import { ListenConnection, notify, NOTIFY_PAYLOAD_LIMIT } from '../../../db/notify.ts'

/** What the hub publishes to users (contract/live.ts). */
export type LiveEvent = ScopedLiveEvent

/** WebSocket close codes the two sockets use (4000–4999 is the application's range). */
export const LiveClose = {
  /** The session or terminal token no longer holds: logout, expiry, deactivation, password change, revocation. Do not reconnect. */
  ENDED: 4401,
  /** The user's access changed (unit, role): reconnect to get the new scope. */
  SCOPE_CHANGED: 4409,
  /** Too many sockets for this session, terminal or address: retry later. */
  TOO_MANY: 4429
} as const

/** How often open sockets are re-checked against the database (session expiry, changes missed by LISTEN). */
const SWEEP_MS = 250

/** The NOTIFY channel of the API processes sharing a database. */
export const CHANGES_CHANNEL = 'hai_long_changes'

interface UserSubscriber {
  /** Scope root; null = the whole tree. */
  rootUnitId: string | null
  /** Officer users only see events about themselves. */
  officerId: string | null
  /** `text` is the event as JSON, serialised once for every subscriber. */
  send: (event: LiveEvent, text: string) => void
}

/** A user's live socket: a subscriber that lives only as long as its session and access. */
interface UserSocket extends UserSubscriber {
  userId: string
  sessionHash: string
  role: Role
  address: string
  close: (code: number, reason: string) => void
}

interface Subscribed extends UserSubscriber {
  socket: UserSocket | null
  /** The session's expiry as last read; no event is sent at or after it. */
  expiresAt: number
}

interface TerminalSubscriber {
  terminalId: string
  counterId: string
  /** The socket's client address; none for an in-process listener. */
  address?: string
  /** Sends the terminal its fresh state (the route knows how to build it). */
  refresh: () => Promise<void>
  revoke: () => void
}

export interface LiveHub {
  /** An in-process listener of users' events (no session behind it); the returned function removes it. */
  subscribeUser: (subscriber: UserSubscriber) => () => void
  /** Adds a user's socket, or answers why not (the caps); the returned function removes it. */
  subscribeUserSocket: (socket: UserSocket) => (() => void) | 'TOO_MANY'
  subscribeTerminal: (subscriber: TerminalSubscriber) => () => void
  /** Adds a terminal's socket, or answers why not (the caps). */
  subscribeTerminalSocket: (subscriber: TerminalSubscriber & { address: string }) => (() => void) | 'TOO_MANY'
  /** Delivers an event about `unitId` (and `officerId`) to every user whose scope contains it. */
  publish: (unitId: string, officerId: string | null, event: LiveEvent) => Promise<void>
  /** Delivers an event to the users of this process only (the other processes hear of it another way). */
  deliver: (unitId: string, officerId: string | null, event: LiveEvent) => Promise<void>
  /** Whether any user's socket or listener is open in this process. */
  hasUsers: () => boolean
  /** Pushes fresh state to the terminals at a counter (officer signed in or out). */
  refreshCounter: (counterId: string) => Promise<void>
  /** Pushes fresh state to every terminal (scale or criteria changed). */
  refreshAllTerminals: () => Promise<void>
  /** Tells a revoked terminal and closes its socket. */
  revokeTerminal: (terminalId: string) => void
  /** Forget cached unit ancestry after the tree changed (announces the change; resolves once the other processes are sent it). */
  unitsChanged: () => Promise<void>
  userCount: () => number
  /** Re-checks every open socket against the database now (what the timer does every SWEEP_MS). */
  sweep: () => Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    live: LiveHub
    /** Committed changes that in-memory state follows (see services/change-feed.ts). */
    changes: ChangeFeed
  }
}

export default fp(
  async (app) => {
    const users = new Set<Subscribed>()
    const terminals = new Set<TerminalSubscriber>()
    const ancestry = new Map<string, Promise<string[]>>()
    const changes = new ChangeFeed((error) => app.log.warn({ err: error }, 'change not sent to the other API processes'))
    const perSession = app.config.liveSocketsPerSession
    const perAddress = app.config.liveSocketsPerAddress

    function ancestorsOf (unitId: string): Promise<string[]> {
      let cached = ancestry.get(unitId)
      if (cached === undefined) {
        cached = unitAncestorIds(app.db, unitId)
        cached.catch(() => ancestry.delete(unitId))
        ancestry.set(unitId, cached)
      }
      return cached
    }

    function socketsFrom (address: string): number {
      let count = 0
      for (const subscriber of users) if (subscriber.socket?.address === address) count++
      for (const subscriber of terminals) if (subscriber.address === address) count++
      return count
    }

    function end (subscriber: Subscribed, code: number, reason: string): void {
      // Out of the set first: from here on it gets no event, whatever the socket does.
      if (!users.delete(subscriber)) return
      subscriber.socket?.close(code, reason)
    }

    const sockets = (list: Iterable<Subscribed>): Array<Subscribed & { socket: UserSocket }> =>
      [...list].filter((subscriber): subscriber is Subscribed & { socket: UserSocket } => subscriber.socket !== null)

    /** Closes the user sockets whose session ended or whose access differs from what they subscribed with. */
    async function revalidate (list: Array<Subscribed & { socket: UserSocket }>): Promise<void> {
      if (list.length === 0) return
      const states = new Map(
        (await sessionStates(app.db, [...new Set(list.map((subscriber) => subscriber.socket.sessionHash))])).map((row) => [
          row.id_hash,
          row
        ])
      )
      const now = Date.now()
      for (const subscriber of list) {
        const { socket } = subscriber
        const state = states.get(socket.sessionHash)
        if (state === undefined || !state.active || state.expires_at.getTime() <= now) {
          end(subscriber, LiveClose.ENDED, 'session ended')
        } else if (
          state.unit_id !== socket.rootUnitId ||
          state.role !== socket.role ||
          (socket.officerId !== null && state.officer_id !== socket.officerId)
        ) {
          end(subscriber, LiveClose.SCOPE_CHANGED, 'access changed')
        } else {
          subscriber.expiresAt = state.expires_at.getTime()
        }
      }
    }

    /** Revokes the terminal sockets whose terminal was revoked (or deleted), by this process or another. */
    async function revalidateTerminals (list: TerminalSubscriber[]): Promise<void> {
      if (list.length === 0) return
      const live = await activeTerminalIds(app.db, [...new Set(list.map((subscriber) => subscriber.terminalId))])
      for (const subscriber of list) {
        if (!live.has(subscriber.terminalId) && terminals.has(subscriber)) hub.revokeTerminal(subscriber.terminalId)
      }
    }

    const refreshEach = async (list: TerminalSubscriber[]): Promise<void> => {
      await Promise.all(
        list.map((subscriber) => subscriber.refresh().catch((error: unknown) => app.log.warn({ err: error }, 'terminal state push failed')))
      )
    }

    const revalidateQuietly = (list: Array<Subscribed & { socket: UserSocket }>): void => {
      revalidate(list).catch((error: unknown) => app.log.warn({ err: error }, 'live socket re-check failed'))
    }

    /** Sends `event` to the users here whose scope holds `unitId` (and `officerId`). */
    async function deliverHere (unitId: string, officerId: string | null, event: LiveEvent): Promise<void> {
      if (users.size === 0) return
      const ancestors = await ancestorsOf(unitId)
      const now = Date.now()
      let text: string | null = null
      for (const subscriber of users) {
        if (subscriber.expiresAt <= now) continue
        if (subscriber.rootUnitId !== null && !ancestors.includes(subscriber.rootUnitId)) continue
        if (subscriber.officerId !== null && subscriber.officerId !== officerId) continue
        text ??= JSON.stringify(event)
        subscriber.send(event, text)
      }
    }

    const refreshQuietly = (list: TerminalSubscriber[]): void => {
      void refreshEach(list)
    }

    changes.subscribe((change: Change) => {
      switch (change.kind) {
        case 'units':
          ancestry.clear()
          break
        case 'event':
          // Another process's event: its own sockets had it from that process.
          deliverHere(change.unitId, change.officerId, change.event)
            .catch((error: unknown) => app.log.warn({ err: error }, 'live delivery failed'))
          break
        case 'rule-alert':
          findAlert(app.db, change.alertId)
            .then((row) => (row === undefined ? undefined : deliverHere(row.unit_id, null, alertEvent(rowToAlert(row)))))
            .catch((error: unknown) => app.log.warn({ err: error }, 'live delivery failed'))
          break
        case 'counter':
          refreshQuietly([...terminals].filter((subscriber) => subscriber.counterId === change.counterId))
          break
        case 'catalogue':
          refreshQuietly([...terminals])
          break
        case 'session':
          for (const subscriber of sockets(users)) {
            if (subscriber.socket.sessionHash === change.sessionHash) end(subscriber, LiveClose.ENDED, 'session ended')
          }
          break
        case 'user':
          revalidateQuietly(sockets(users).filter((subscriber) => subscriber.socket.userId === change.userId))
          break
        case 'terminal':
          app.forgetTerminal(change.terminalId)
          hub.revokeTerminal(change.terminalId)
          break
      }
    })

    const hub: LiveHub = {
      subscribeUser (fields) {
        const subscriber: Subscribed = {
          rootUnitId: fields.rootUnitId,
          officerId: fields.officerId,
          send: fields.send,
          socket: null,
          expiresAt: Number.POSITIVE_INFINITY
        }
        users.add(subscriber)
        return () => {
          users.delete(subscriber)
        }
      },
      subscribeUserSocket (socket) {
        let ofSession = 0
        for (const other of users) if (other.socket?.sessionHash === socket.sessionHash) ofSession++
        if (ofSession >= perSession || socketsFrom(socket.address) >= perAddress) return 'TOO_MANY'
        // Valid now (the handshake checked it); the first sweep reads the session's expiry.
        const subscriber: Subscribed = {
          rootUnitId: socket.rootUnitId,
          officerId: socket.officerId,
          send: socket.send,
          socket,
          expiresAt: Number.POSITIVE_INFINITY
        }
        users.add(subscriber)
        return () => {
          users.delete(subscriber)
        }
      },
      subscribeTerminal (subscriber) {
        terminals.add(subscriber)
        return () => {
          terminals.delete(subscriber)
        }
      },
      subscribeTerminalSocket (subscriber) {
        let ofTerminal = 0
        for (const other of terminals) if (other.terminalId === subscriber.terminalId) ofTerminal++
        if (ofTerminal >= perSession || socketsFrom(subscriber.address) >= perAddress) return 'TOO_MANY'
        terminals.add(subscriber)
        return () => {
          terminals.delete(subscriber)
        }
      },
      async publish (unitId, officerId, event) {
        // Here directly, elsewhere through the feed: each socket gets the event once (the echo is dropped by origin).
        // A rule alert's details (a streak's rating ids) can be long: it goes by id, well within the payload limit.
        void changes.share(event.type === 'alert' && event.alert.kind === 'rule'
          ? { kind: 'rule-alert', alertId: event.alert.id }
          : { kind: 'event', unitId, officerId, event })
        await deliverHere(unitId, officerId, event)
      },
      deliver: deliverHere,
      hasUsers: () => users.size > 0,
      async refreshCounter (counterId) {
        void changes.share({ kind: 'counter', counterId })
        await refreshEach([...terminals].filter((subscriber) => subscriber.counterId === counterId))
      },
      async refreshAllTerminals () {
        void changes.share({ kind: 'catalogue' })
        await refreshEach([...terminals])
      },
      revokeTerminal (terminalId) {
        for (const subscriber of [...terminals]) {
          if (subscriber.terminalId !== terminalId) continue
          terminals.delete(subscriber)
          subscriber.revoke()
        }
      },
      unitsChanged () {
        return changes.announce({ kind: 'units' })
      },
      userCount: () => users.size,
      async sweep () {
        await Promise.all([revalidate(sockets(users)), revalidateTerminals([...terminals])])
      }
    }

    // One sweep at a time; none while no socket is open.
    let sweeping = false
    const timer = setInterval(() => {
      if (sweeping || (users.size === 0 && terminals.size === 0)) return
      sweeping = true
      hub
        .sweep()
        .catch((error: unknown) => app.log.warn({ err: error }, 'live socket sweep failed'))
        .finally(() => {
          sweeping = false
        })
    }, SWEEP_MS)
    timer.unref()

    const listen = app.config.databaseUrl === null ? null : await listenToOtherProcesses(app.config.databaseUrl)
    /**
     * A LISTEN connection that came back missed what was sent meanwhile. Caches forget, every socket is re-checked
     * against the database, terminals get fresh state, and user sockets close with SCOPE_CHANGED: a dashboard
     * reconnects at once (and shows it was cut off) rather than keeping a socket that silently lacks the gap's events.
     */
    function resync (): void {
      app.log.warn('LISTEN connection back: caches cleared, live sockets re-checked and asked to reconnect')
      ancestry.clear()
      for (const subscriber of sockets(users)) end(subscriber, LiveClose.SCOPE_CHANGED, 'events may have been missed')
      revalidateTerminals([...terminals])
        .then(() => refreshEach([...terminals]))
        .catch((error: unknown) => app.log.warn({ err: error }, 'terminal re-check failed'))
    }

    async function listenToOtherProcesses (databaseUrl: string): Promise<ListenConnection> {
      const connection = new ListenConnection({
        connectionString: databaseUrl,
        channel: CHANGES_CHANNEL,
        onPayload: (payload) => changes.receive(payload),
        onReconnect: () => resync(),
        onError: (error) => app.log.warn({ err: error }, 'LISTEN connection lost; reconnecting')
      })
      await connection.start()
      changes.attach({ payloadLimit: NOTIFY_PAYLOAD_LIMIT, send: (payloads) => notify(app.db, CHANGES_CHANNEL, payloads) })
      return connection
    }

    app.addHook('onClose', async () => {
      clearInterval(timer)
      // Before the database closes (its onClose runs after this one): what was announced is sent.
      await changes.flushed()
      await listen?.close()
    })

    app.decorate('changes', changes)
    app.decorate('live', hub)
  },
  { name: 'live', dependencies: ['db', 'config', 'auth'] }
)
