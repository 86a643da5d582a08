// Who is calling: a signed-in user (session cookie), an API token (statistics) or a terminal (bearer token).
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { sql } from 'kysely'
import type { Role, TerminalKind } from '../../../db/schema.ts'
import { ApiError, forbidden, unauthorized } from '../../errors.ts'
import { hashToken } from '../../lib/secrets.ts'
import { isUnitWithin } from '../../repositories/units.ts'
import { deleteExpiredSessions } from '../../repositories/users.ts'

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

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null
    terminal: TerminalIdentity | null
  }
  interface FastifyInstance {
    /** preHandler: a signed-in user with one of `roles` (any role when empty). */
    requireUser: (...roles: Role[]) => preHandlerAsyncHookHandler
    /** preHandler: a signed-in user or a Bearer API token (read-only statistics). */
    authenticateStats: preHandlerAsyncHookHandler
    /** preHandler: a terminal's Bearer token. */
    requireTerminal: preHandlerAsyncHookHandler
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
    const row = await app.db.selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select(['users.id', 'users.username', 'users.role', 'users.unit_id', 'users.officer_id', 'users.active', 'sessions.last_seen_at', 'sessions.expires_at', 'sessions.created_at'])
      .where('sessions.id_hash', '=', sessionHash)
      .executeTakeFirst()
    if (row === undefined || !row.active || row.expires_at.getTime() <= Date.now() || row.created_at.getTime() + maxMs <= Date.now()) return null
    if (Date.now() - row.last_seen_at.getTime() > 60_000) {
      // The sliding expiry never passes the absolute one: SESSION_MAX_HOURS after sign-in.
      const expiresAt = new Date(Math.min(Date.now() + ttlMs, row.created_at.getTime() + maxMs))
      await app.db.updateTable('sessions')
        .set({ last_seen_at: sql`now()`, expires_at: expiresAt })
        .where('id_hash', '=', sessionHash).execute()
    }
    return { kind: 'user', userId: row.id, username: row.username, role: row.role, unitId: row.unit_id, officerId: row.officer_id, sessionHash }
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
      const row = await app.db.selectFrom('api_tokens').leftJoin('users', 'users.id', 'api_tokens.created_by')
        .select(['api_tokens.id', 'api_tokens.unit_id', 'api_tokens.last_used_at', 'users.active as owner_active'])
        .where('api_tokens.token_hash', '=', hashToken(token)).where('api_tokens.revoked_at', 'is', null).executeTakeFirst()
      if (row === undefined) throw unauthorized('AUTH_REQUIRED', 'The API token is unknown or revoked')
      // A token answers for the person who issued it: deactivating them stops it at once (docs/security.md, round 2).
      if (row.owner_active === false) throw unauthorized('API_TOKEN_OWNER_INACTIVE', 'The user who created this API token is deactivated; ask an admin for a new token')
      if (row.last_used_at === null || Date.now() - row.last_used_at.getTime() > 60_000) {
        await app.db.updateTable('api_tokens').set({ last_used_at: sql`now()` }).where('id', '=', row.id).execute()
      }
      request.actor = { kind: 'apiToken', tokenId: row.id, unitId: row.unit_id }
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
    const row = await app.db.selectFrom('terminals').innerJoin('counters', 'counters.id', 'terminals.counter_id')
      .select(['terminals.id', 'terminals.unit_id', 'terminals.counter_id', 'terminals.kind', 'terminals.paired_at', 'terminals.created_at', 'counters.created_at as counter_created_at'])
      .where('terminals.token_hash', '=', tokenHash).where('terminals.revoked_at', 'is', null).executeTakeFirst()
    if (row === undefined) {
      terminalCache.delete(tokenHash)
      throw new ApiError(401, 'TERMINAL_TOKEN_INVALID', 'This device is not paired or was revoked; pair it again')
    }
    const paired = (row.paired_at ?? row.created_at).getTime()
    const identity: TerminalIdentity = { id: row.id, unitId: row.unit_id, counterId: row.counter_id, kind: row.kind, trustedSince: new Date(Math.max(paired, row.counter_created_at.getTime())) }
    if (terminalCache.size > 10000) terminalCache.clear()
    terminalCache.set(tokenHash, { identity, checkedAt: Date.now() })
    request.terminal = identity
  })

  app.decorate('forgetTerminal', (terminalId: string) => {
    for (const [tokenHash, entry] of terminalCache) if (entry.identity.id === terminalId) terminalCache.delete(tokenHash)
  })

  app.decorate('unitInScope', async (actor: Actor, unitId: string) => {
    return isUnitWithin(app.db, actor.unitId, unitId)
  })
}, { name: 'auth', dependencies: ['db', 'config'] })
