// The device side (a terminal itself, at /api/v1/terminal): its state, officer sign-in and sign-out, ratings, live state.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ApiError, websocketRequired } from '../../errors.ts'
import { ErrorResponse, NoContent } from '../../../contract/common.ts'
import { OfficerSignInBody, RatingsBody, RatingsResponse, TerminalOfficer, TerminalState } from '../../../contract/terminals.ts'
import { IngestUnavailableError } from '../../services/ingest.ts'
import { officerSignIn } from '../../services/officer-sign-in.ts'
import { LiveClose } from '../../plugins/app/live.ts'
import { terminalState } from '../../repositories/terminal-state.ts'
import { terminalActive, touchTerminal } from '../../repositories/terminals.ts'

const device: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireTerminal)
  // Staff see when a device was last heard from; at most one write a minute per terminal.
  const lastSeenWritten = new Map<string, number>()
  app.addHook('onResponse', async (request) => {
    const device = request.terminal
    if (device === null || Date.now() - (lastSeenWritten.get(device.id) ?? 0) < 60_000) return
    lastSeenWritten.set(device.id, Date.now())
    await touchTerminal(app.db, device.id).catch(() => {})
  })

  app.get(
    '/state',
    {
      schema: {
        tags: ['terminal'],
        summary: 'What this terminal shows',
        security: [{ bearer: [] }],
        response: { 200: TerminalState, 401: ErrorResponse }
      }
    },
    async (request) => terminalState(app.db, request.terminal!.id, app.config.misuse.cooldownSeconds)
  )

  // Holds the lockouts of unknown staff codes for as long as the app runs.
  const officers = officerSignIn(app.db)

  app.put(
    '/officer',
    {
      schema: {
        tags: ['terminal'],
        summary: "An officer of this counter's unit signs in with staff code and PIN (starts a shift)",
        description:
          'Only officers of the unit the counter belongs to. Five wrong PINs lock the staff code for 15 minutes (423 OFFICER_LOCKED); an unknown staff code answers exactly as a known one. An inactive counter is refused with 409 COUNTER_INACTIVE.',
        security: [{ bearer: [] }],
        body: OfficerSignInBody,
        response: { 200: TerminalOfficer, 401: ErrorResponse, 409: ErrorResponse, 423: ErrorResponse, 429: ErrorResponse }
      },
      // After requireTerminal (a preHandler of this plugin), so the limit is per terminal, whatever its headers say.
      config: {
        rateLimit: {
          max: 20,
          timeWindow: '1 minute',
          hook: 'preHandler',
          keyGenerator: (request) => `pin:terminal:${request.terminal?.id ?? 'none'}`
        }
      }
    },
    async (request) => {
      const { officer, changedCounterIds } = await officers.signIn(request.terminal!, request.body.staffCode, request.body.pin)
      await Promise.all(changedCounterIds.map((counterId) => app.live.refreshCounter(counterId)))
      return officer
    }
  )

  app.delete(
    '/officer',
    {
      schema: {
        tags: ['terminal'],
        summary: 'The officer signs out at this counter (ends the shift)',
        security: [{ bearer: [] }],
        response: { 204: NoContent, 401: ErrorResponse }
      }
    },
    async (request, reply) => {
      const device = request.terminal!
      const ended = await officers.signOut(device)
      if (ended) await app.live.refreshCounter(device.counterId)
      return reply.code(204).send(null)
    }
  )

  app.post(
    '/ratings',
    {
      schema: {
        tags: ['terminal'],
        summary: 'Store up to 100 ratings; each item answers created, duplicate or rejected',
        description:
          'Idempotent by rating id: a replayed id answers `duplicate` and is never stored twice. A 200 means every created/duplicate item is durably stored. A 503 means nothing was stored: retry later.',
        security: [{ bearer: [] }],
        body: RatingsBody,
        response: { 200: RatingsResponse, 400: ErrorResponse, 401: ErrorResponse, 503: ErrorResponse }
      }
    },
    async (request) => {
      try {
        const results = await app.ingest.submit(request.terminal!, request.body.ratings)
        for (const result of results) {
          if (result.status === 'duplicate') app.metrics.ratingsDuplicate.inc()
          else if (result.status === 'rejected') app.metrics.ratingsRejected.inc({ code: result.error?.code ?? 'UNKNOWN' })
        }
        return { results }
      } catch (error) {
        if (error instanceof IngestUnavailableError) {
          request.log.error({ err: error }, 'ingest failed')
          throw new ApiError(503, 'STORAGE_UNAVAILABLE', 'Ratings could not be stored right now; nothing was stored, retry later')
        }
        throw error
      }
    }
  )

  app.route({
    method: 'GET',
    url: '/live',
    schema: {
      hide: true,
      tags: ['terminal'],
      summary:
        'WebSocket: state pushes ({type:"state"}) and revocation ({type:"revoked"}); token as Authorization: Bearer, or from a browser as the subprotocols ["hailong.terminal.v1", "hailong.token.<token>"] (never in the URL)'
    },
    // A plain GET (no Upgrade) gets a JSON error with a code, not an empty 404.
    handler: async () => {
      throw websocketRequired()
    },
    wsHandler: (socket, request) => {
      const device = request.terminal!
      const send = (message: unknown): void => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message))
      }
      const refresh = async (): Promise<void> => {
        if (!(await terminalActive(app.db, device.id))) return revoke()
        send({ type: 'state', state: await terminalState(app.db, device.id, app.config.misuse.cooldownSeconds) })
      }
      const revoke = (): void => {
        send({ type: 'revoked' })
        socket.close(LiveClose.ENDED, 'terminal revoked')
      }
      const unsubscribe = app.live.subscribeTerminalSocket({
        terminalId: device.id,
        counterId: device.counterId,
        address: request.ip,
        refresh,
        revoke
      })
      if (unsubscribe === 'TOO_MANY') return socket.close(LiveClose.TOO_MANY, 'too many live sockets')
      socket.on('close', unsubscribe)
      socket.on('message', () => {
        /* terminals only listen */
      })
      refresh().catch((error: unknown) => request.log.warn({ err: error }, 'first state push failed'))
    }
  })
}

export default device
