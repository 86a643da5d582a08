// The device side: terminal state, officer sign-in and sign-out at the counter, rating ingest, live state.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { sql } from 'kysely'
import { ApiError, websocketRequired } from '../../errors.ts'
import { ErrorResponse } from '../../schemas/common.ts'
import { OfficerSignInBody, RatingsBody, RatingsResponse, TerminalOfficer, TerminalState } from '../../schemas/terminals.ts'
import { writeAudit } from '../../services/audit.ts'
import { IngestUnavailableError } from '../../services/ingest.ts'
import { hashSecret, verifySecret } from '../../services/secrets.ts'
import { lockCounter } from '../../repositories/counters.ts'
import { endShift, startShift } from '../../services/shifts.ts'
import { rowToTerminalOfficer, terminalState } from '../../services/terminal-state.ts'

/** Wrong PINs in a row before an officer is locked out, and for how long. */
const PIN_ATTEMPTS = 5
const LOCK_MINUTES = 15

const decoyPinHash = await hashSecret('000000')

const terminal: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.requireTerminal)
  // Staff see when a device was last heard from; at most one write a minute per terminal.
  const lastSeenWritten = new Map<string, number>()
  app.addHook('onResponse', async (request) => {
    const device = request.terminal
    if (device === null || Date.now() - (lastSeenWritten.get(device.id) ?? 0) < 60_000) return
    lastSeenWritten.set(device.id, Date.now())
    await app.db.updateTable('terminals').set({ last_seen_at: sql`now()` }).where('id', '=', device.id).execute().catch(() => {})
  })

  app.get('/state', {
    schema: { tags: ['terminal'], summary: 'What this terminal shows', security: [{ bearer: [] }], response: { 200: TerminalState, 401: ErrorResponse } }
  }, async (request) => terminalState(app.db, request.terminal!.id, app.config.misuse.cooldownSeconds))

  app.put('/officer', {
    schema: {
      tags: ['terminal'], summary: 'An officer signs in at this counter with staff code and PIN (starts a shift)',
      security: [{ bearer: [] }],
      body: OfficerSignInBody,
      response: { 200: TerminalOfficer, 401: ErrorResponse, 423: ErrorResponse, 429: ErrorResponse }
    },
    config: { rateLimit: { max: 20, timeWindow: '1 minute', keyGenerator: (request) => `pin:${request.headers.authorization ?? request.ip}` } }
  }, async (request) => {
    const device = request.terminal!
    const officer = await app.db.selectFrom('officers').selectAll()
      .where((eb) => eb(eb.fn('lower', ['staff_code']), '=', request.body.staffCode.trim().toLowerCase())).executeTakeFirst()
    if (officer !== undefined && officer.pin_locked_until !== null && officer.pin_locked_until.getTime() > Date.now()) {
      const until = officer.pin_locked_until.toLocaleTimeString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit' })
      throw new ApiError(423, 'OFFICER_LOCKED', `Too many wrong PINs: sign-in is locked until ${until} (Asia/Ho_Chi_Minh); a supervisor can reset the PIN`)
    }
    const valid = await verifySecret(request.body.pin, officer?.pin_hash ?? decoyPinHash)
    if (officer === undefined || officer.pin_hash === null || !officer.active || !valid) {
      if (officer !== undefined) {
        const failures = officer.pin_failures + 1
        const locked = failures >= PIN_ATTEMPTS
        await app.db.updateTable('officers').set({
          pin_failures: locked ? 0 : failures,
          pin_locked_until: locked ? new Date(Date.now() + LOCK_MINUTES * 60_000) : null
        }).where('id', '=', officer.id).execute()
        if (locked) throw new ApiError(423, 'OFFICER_LOCKED', `Too many wrong PINs: sign-in is locked for ${LOCK_MINUTES} minutes; a supervisor can reset the PIN`)
      }
      throw new ApiError(401, 'INVALID_CREDENTIALS', 'Wrong staff code or PIN')
    }
    const change = await app.db.transaction().execute(async (trx) => {
      await trx.updateTable('officers').set({ pin_failures: 0, pin_locked_until: null }).where('id', '=', officer.id).execute()
      const counter = await lockCounter(trx, device.counterId)
      if (counter === undefined) throw new ApiError(401, 'TERMINAL_TOKEN_INVALID', 'This terminal\'s counter no longer exists; pair it again')
      const shift = await startShift(trx, counter, officer.id)
      await writeAudit(trx, { kind: 'terminal', terminalId: device.id }, { action: 'sign_in', entity: 'assignment', entityId: officer.id, unitId: device.unitId, after: { counterId: device.counterId, officerId: officer.id } })
      return shift
    })
    await Promise.all(change.changedCounterIds.map((counterId) => app.live.refreshCounter(counterId)))
    return rowToTerminalOfficer(officer)
  })

  app.delete('/officer', {
    schema: { tags: ['terminal'], summary: 'The officer signs out at this counter (ends the shift)', security: [{ bearer: [] }], response: { 204: Type.Null(), 401: ErrorResponse } }
  }, async (request, reply) => {
    const device = request.terminal!
    const ended = await app.db.transaction().execute(async (trx) => {
      const had = await endShift(trx, device.counterId) !== undefined
      if (had) await writeAudit(trx, { kind: 'terminal', terminalId: device.id }, { action: 'sign_out', entity: 'assignment', entityId: null, unitId: device.unitId, before: { counterId: device.counterId } })
      return had
    })
    if (ended) await app.live.refreshCounter(device.counterId)
    return reply.code(204).send(null)
  })

  app.post('/ratings', {
    schema: {
      tags: ['terminal'],
      summary: 'Store up to 100 ratings; each item answers created, duplicate or rejected',
      description: 'Idempotent by rating id: a replayed id answers `duplicate` and is never stored twice. A 200 means every created/duplicate item is durably stored. A 503 means nothing was stored: retry later.',
      security: [{ bearer: [] }],
      body: RatingsBody,
      response: { 200: RatingsResponse, 400: ErrorResponse, 401: ErrorResponse, 503: ErrorResponse }
    }
  }, async (request) => {
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
  })

  app.route({
    method: 'GET',
    url: '/live',
    schema: { hide: true, tags: ['terminal'], summary: 'WebSocket: state pushes ({type:"state"}) and revocation ({type:"revoked"}); token in ?token= or Authorization', querystring: Type.Object({ token: Type.Optional(Type.String()) }) },
    // A plain GET (no Upgrade) gets a JSON error with a code, not an empty 404.
    handler: async () => { throw websocketRequired() },
    wsHandler: (socket, request) => {
      const device = request.terminal!
      const send = (message: unknown): void => { if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message)) }
      const refresh = async (): Promise<void> => {
        const row = await app.db.selectFrom('terminals').select('revoked_at').where('id', '=', device.id).executeTakeFirst()
        if (row === undefined || row.revoked_at !== null) return revoke()
        send({ type: 'state', state: await terminalState(app.db, device.id, app.config.misuse.cooldownSeconds) })
      }
      const revoke = (): void => {
        send({ type: 'revoked' })
        socket.close(4401, 'terminal revoked')
      }
      const unsubscribe = app.live.subscribeTerminal({ terminalId: device.id, counterId: device.counterId, refresh, revoke })
      socket.on('close', unsubscribe)
      socket.on('message', () => { /* terminals only listen */ })
      refresh().catch((error: unknown) => request.log.warn({ err: error }, 'first state push failed'))
    }
  })
}

export default terminal
