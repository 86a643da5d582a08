// Sign in and out with a server-side session in an HttpOnly, SameSite=Strict cookie.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { unauthorized } from '../../errors.ts'
import { AttemptLimit } from '../../lib/attempt-limiter.ts'
import { releaseCountedAttempt, reserveAttempt, resetAttempts } from '../../services/attempts.ts'
import { SESSION_COOKIE } from '../../plugins/app/auth.ts'
import {
  createSession,
  deleteExpiredSessions,
  deleteSession,
  findUserById,
  findUserByUsername,
  rowToUser
} from '../../repositories/users.ts'
import { LoginBody, SessionResponse } from '../../../contract/accounts.ts'
import { ErrorResponse, NoContent } from '../../../contract/common.ts'
import { writeAudit } from '../../repositories/audit.ts'
import { hashSecret, hashToken, newToken, verifySecret } from '../../lib/secrets.ts'

// Compared against when the username is unknown, so timing does not reveal which usernames exist.
const decoyHash = await hashSecret('decoy password never used')

const auth: FastifyPluginAsyncTypebox = async (app) => {
  // Wrong passwords for a username from one address lock that address out (5 in 15 minutes); a slower limit per
  // username over all addresses (30 an hour) stops a guesser spread over many. A guesser at one address so cannot
  // lock the owner out from theirs. The route config limits each address across usernames. The counts are in the
  // database: every API process counts against the same limits.
  const failuresAtAddress = new AttemptLimit('login-address', 5, 15 * 60_000)
  const failuresOfUsername = new AttemptLimit('login-username', 30, 60 * 60_000)
  const secureCookie = (request: { protocol: string }): boolean => request.protocol === 'https'

  app.post(
    '/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets the session cookie',
        body: LoginBody,
        response: { 200: SessionResponse, 401: ErrorResponse, 429: ErrorResponse }
      },
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } }
    },
    async (request, reply) => {
      const { username, password } = request.body
      const key = username.toLowerCase()
      const atAddress = JSON.stringify([key, request.ip])
      // Counted as a failure before the password is checked, so concurrent guesses cannot all pass the check.
      const countedAt = await reserveAttempt(app.db, [
        { limit: failuresAtAddress, key: atAddress },
        { limit: failuresOfUsername, key }
      ])
      const row = await findUserByUsername(app.db, username)
      const valid = await verifySecret(password, row?.password_hash ?? decoyHash)
      if (row === undefined || !valid || !row.active) throw unauthorized('INVALID_CREDENTIALS', 'Wrong username or password')
      await resetAttempts(app.db, failuresAtAddress, atAddress)
      await releaseCountedAttempt(app.db, failuresOfUsername, key, countedAt)
      // A fresh session id at every login (no fixation); a session presented with the request is ended.
      const previous = request.cookies[SESSION_COOKIE]
      if (previous !== undefined) {
        await deleteSession(app.db, hashToken(previous))
        app.changes.announce({ kind: 'session', sessionHash: hashToken(previous) })
      }
      // Expired sessions are deleted, not only refused: a sign-in clears every user's dead rows.
      await deleteExpiredSessions(app.db)
      const secret = newToken('hls')
      // The sliding expiry starts within the absolute one (SESSION_MAX_HOURS).
      const lifetimeHours = Math.min(app.config.sessionTtlHours, app.config.sessionMaxHours)
      const expiresAt = new Date(Date.now() + lifetimeHours * 3600_000)
      await createSession(app.db, hashToken(secret), row.id, expiresAt)
      await writeAudit(
        app.db,
        {
          kind: 'user',
          userId: row.id,
          username: row.username,
          role: row.role,
          unitId: row.unit_id,
          officerId: row.officer_id,
          sessionHash: ''
        },
        { action: 'login', entity: 'user', entityId: row.id, unitId: row.unit_id }
      )
      reply.setCookie(SESSION_COOKIE, secret, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: secureCookie(request),
        maxAge: lifetimeHours * 3600
      })
      return { user: rowToUser(row) }
    }
  )

  app.post(
    '/logout',
    {
      schema: { tags: ['auth'], summary: 'Sign out; the session ends at once', response: { 204: NoContent, 401: ErrorResponse } },
      preHandler: app.requireUser()
    },
    async (request, reply) => {
      const actor = request.actor!
      if (actor.kind === 'user') {
        await deleteSession(app.db, actor.sessionHash)
        // The session's live sockets close now, not at their next check.
        app.changes.announce({ kind: 'session', sessionHash: actor.sessionHash })
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.code(204).send(null)
    }
  )

  app.get(
    '/me',
    {
      schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: SessionResponse, 401: ErrorResponse } },
      preHandler: app.requireUser()
    },
    async (request) => {
      const actor = request.actor!
      const row = actor.kind === 'user' ? await findUserById(app.db, actor.userId) : undefined
      if (row === undefined) throw unauthorized('AUTH_REQUIRED', 'Sign in first')
      return { user: rowToUser(row) }
    }
  )
}

export default auth
