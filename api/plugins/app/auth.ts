// Who is calling: a signed-in user (session cookie), an API token (statistics), a terminal, or a queue system (bearer tokens).
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import type { Role, TerminalKind } from '../../../db/schema.ts'
import { ApiError, forbidden, unauthorized } from '../../errors.ts'
import { hashToken } from '../../lib/secrets.ts'
import { isUnitWithin } from '../../repositories/units.ts'
import { deleteExpiredSessions, extendSession, findSessionUser } from '../../repositories/users.ts'
import { findActiveApiToken, touchApiToken } from '../../repositories/api-tokens.ts'
import { findTerminalByToken } from '../../repositories/terminals.ts'

export const SESSION_COOKIE = 'hl_session'

export type Actor =
  | { kind: 'user', userId: string, username: string, role: Role, unitId: string | null, officerId: string | null, sessionHash: string }
  | { kind: 'apiToken', tokenId: string, unitId: string }

export interface TerminalIdentity {
  id: string
  unitId: string
  counterId: string
  kind: TerminalKind
  /** When the terminal was paired (or its counter made, if later): a rating dated before it is not trusted (services/ingest.ts). */
  trustedSince: Date
}

/** A centre's queue system, by its integration token (an API token of purpose 'queue'). */
export interface QueueTokenIdentity {
  tokenId: string
  /** The subtree whose counters it may report calls to. */
  unitId: string
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null
    terminal: TerminalIdentity | null
    queueToken: QueueTokenIdentity | null
  }
  interface FastifyInstance {
    /** preHandler: a signed-in user with one of `roles` (any role when empty). */
    requireUser: (...roles: Role[]) => preHandlerAsyncHookHandler
    /** preHandler: a signed-in user or a Bearer API token (read-only statistics). */
    authenticateStats: preHandlerAsyncHookHandler
    /** preHandler: a terminal's Bearer token. */
    requireTerminal: preHandlerAsyncHookHandler
    /** preHandler: a queue system's integration token (the only credential POST /api/v1/queue/calls accepts). */
    requireQueueToken: preHandlerAsyncHookHandler
    /** Forget cached terminal tokens (after a revocation). */
    forgetTerminal: (terminalId: string) => void
    /** Whether the unit is inside the actor's subtree. */
    unitInScope: (actor: Actor, unitId: string) => Promise<boolean>
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function bearer (request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (header === undefined) return null
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  return match?.[1] ?? null
}

/** The subprotocol a terminal's live socket asks for; the server answers with it (never with the token). */
export const TERMINAL_PROTOCOL = 'hailong.terminal.v1'
/** A browser cannot set Authorization on a WebSocket: the terminal offers its token as a second subprotocol. */
export const TOKEN_PROTOCOL_PREFIX = 'hailong.token.'

/** Whether the request asks to become a WebSocket. */
export function isUpgrade (request: FastifyRequest): boolean {
  return request.headers.upgrade?.toLowerCase() === 'websocket'
}

/** The token offered as a `hailong.token.<token>` subprotocol on a WebSocket upgrade. */
function protocolToken (request: FastifyRequest): string | null {
  const header = request.headers['sec-websocket-protocol']
  if (typeof header !== 'string' || !isUpgrade(request)) return null
  for (const protocol of header.split(',')) {
    const trimmed = protocol.trim()
    if (trimmed.startsWith(TOKEN_PROTOCOL_PREFIX)) return trimmed.slice(TOKEN_PROTOCOL_PREFIX.length)
  }
  return null
}

export default fp(async (app) => {
  app.decorateRequest('actor', null)
  app.decorateRequest('terminal', null)
  app.decorateRequest('queueToken', null)

  const ttlMs = app.config.sessionTtlHours * 3600_000
  const maxMs = app.config.sessionMaxHours * 3600_000

  // Expired session rows are deleted (also at each sign-in): an idle server does not keep them for ever.
  const cleanup = setInterval(() => {
    deleteExpiredSessions(app.db).catch((error: unknown) => app.log.warn({ err: error }, 'deleting expired sessions failed'))
  }, 3600_000)
  cleanup.unref()
  app.addHook('onClose', async () => { clearInterval(cleanup) })

  /** Finds the session's user; refreshes the sliding expiry at most once a minute. */
  async function userFromSession (request: FastifyRequest): Promise<Actor | null> {
    const secret = request.cookies[SESSION_COOKIE]
    if (secret === undefined || secret === '') return null
    const sessionHash = hashToken(secret)
    const session = await findSessionUser(app.db, sessionHash)
    const now = Date.now()
    if (session === undefined || !session.active) return null
    if (session.expiresAt.getTime() <= now || session.createdAt.getTime() + maxMs <= now) return null
    if (Date.now() - session.lastSeenAt.getTime() > 60_000) {
      // The sliding expiry never passes the absolute one: SESSION_MAX_HOURS after sign-in.
      await extendSession(app.db, sessionHash, new Date(Math.min(Date.now() + ttlMs, session.createdAt.getTime() + maxMs)))
    }
    const { userId, username, role, unitId, officerId } = session
    return { kind: 'user', userId, username, role, unitId, officerId, sessionHash }
  }

  /**
   * A cookie-authenticated change must come from our own pages (or a configured origin); so must every WebSocket
   * upgrade, whose events a page of another origin (even another port of the same host) could otherwise read.
   */
  function checkOrigin (request: FastifyRequest): void {
    if (SAFE_METHODS.has(request.method) && !isUpgrade(request)) return
    const origin = request.headers.origin
    if (origin === undefined) return
    const own = `${request.protocol}://${request.host}`
    if (origin !== own && !app.config.trustedOrigins.includes(origin)) {
      throw forbidden('ORIGIN_REJECTED', `Requests from ${origin} are not allowed`)
    }
  }

  app.decorate('requireUser', (...roles: Role[]) => async function requireUser (request: FastifyRequest, _reply: FastifyReply) {
    const actor = await userFromSession(request)
    if (actor === null) throw unauthorized('AUTH_REQUIRED', 'Sign in first')
    checkOrigin(request)
    if (roles.length > 0 && actor.kind === 'user' && !roles.includes(actor.role)) {
      throw forbidden('FORBIDDEN', 'Your role does not allow this')
    }
    request.actor = actor
  })

  app.decorate('authenticateStats', async function authenticateStats (request: FastifyRequest) {
    const token = bearer(request)
    if (token !== null) {
      const row = await findActiveApiToken(app.db, hashToken(token))
      if (row === undefined) throw unauthorized('AUTH_REQUIRED', 'The API token is unknown or revoked')
      // A token answers for the person who issued it: deactivating them stops it at once (docs/security.md, round 2).
      if (row.ownerActive === false) {
        throw unauthorized('API_TOKEN_OWNER_INACTIVE', 'The user who created this API token is deactivated; ask an admin for a new token')
      }
      if (row.lastUsedAt === null || Date.now() - row.lastUsedAt.getTime() > 60_000) await touchApiToken(app.db, row.id)
      request.actor = { kind: 'apiToken', tokenId: row.id, unitId: row.unitId }
      return
    }
    const actor = await userFromSession(request)
    if (actor === null) throw unauthorized('AUTH_REQUIRED', 'Sign in or send an API token')
    request.actor = actor
  })

  // Terminals post often: a token checked in the last few seconds is not looked up again. A revocation
  // here clears the entry at once; another server process sharing the database notices within TERMINAL_CACHE_MS.
  const TERMINAL_CACHE_MS = 5000
  const terminalCache = new Map<string, { identity: TerminalIdentity, checkedAt: number }>()

  app.decorate('requireTerminal', async function requireTerminal (request: FastifyRequest) {
    // Never from the URL: a query string ends up in proxy and server logs.
    const token = bearer(request) ?? protocolToken(request)
    if (isUpgrade(request)) checkOrigin(request)
    if (token === null) throw new ApiError(401, 'TERMINAL_TOKEN_INVALID', 'This device is not paired')
    const tokenHash = hashToken(token)
    const cached = terminalCache.get(tokenHash)
    if (cached !== undefined && Date.now() - cached.checkedAt < TERMINAL_CACHE_MS) {
      request.terminal = cached.identity
      return
    }
    const row = await findTerminalByToken(app.db, tokenHash)
    if (row === undefined) {
      terminalCache.delete(tokenHash)
      throw new ApiError(401, 'TERMINAL_TOKEN_INVALID', 'This device is not paired or was revoked; pair it again')
    }
    const paired = (row.pairedAt ?? row.createdAt).getTime()
    const trustedSince = new Date(Math.max(paired, row.counterCreatedAt.getTime()))
    const identity: TerminalIdentity = { id: row.id, unitId: row.unitId, counterId: row.counterId, kind: row.kind, trustedSince }
    if (terminalCache.size > 10000) terminalCache.clear()
    terminalCache.set(tokenHash, { identity, checkedAt: Date.now() })
    request.terminal = identity
  })

  app.decorate('requireQueueToken', async function requireQueueToken (request: FastifyRequest) {
    const token = bearer(request)
    // Only a token of purpose 'queue': a statistics token, a terminal's token or a session cookie is refused alike.
    const row = token === null ? undefined : await findActiveApiToken(app.db, hashToken(token), 'queue')
    if (row === undefined) {
      throw new ApiError(401, 'QUEUE_TOKEN_INVALID', 'Send the unit\'s queue integration token as Authorization: Bearer …')
    }
    if (row.ownerActive === false) {
      throw unauthorized('API_TOKEN_OWNER_INACTIVE', 'The user who created this token is deactivated; ask an admin for a new token')
    }
    if (row.lastUsedAt === null || Date.now() - row.lastUsedAt.getTime() > 60_000) await touchApiToken(app.db, row.id)
    request.queueToken = { tokenId: row.id, unitId: row.unitId }
  })

  app.decorate('forgetTerminal', (terminalId: string) => {
    for (const [tokenHash, entry] of terminalCache) if (entry.identity.id === terminalId) terminalCache.delete(tokenHash)
  })

  app.decorate('unitInScope', async (actor: Actor, unitId: string) => {
    return isUnitWithin(app.db, actor.unitId, unitId)
  })
}, { name: 'auth', dependencies: ['db', 'config'] })
