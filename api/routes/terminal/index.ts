// The device side: terminal state, officer sign-in and sign-out at the counter, rating ingest, live state.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { ApiError, conflict, websocketRequired } from '../../errors.ts'
import { ErrorResponse, NoContent } from '../../../contract/common.ts'
import { OfficerSignInBody, RatingsBody, RatingsResponse, TerminalOfficer, TerminalState } from '../../../contract/terminals.ts'
import { writeAudit } from '../../services/audit.ts'
import { IngestUnavailableError } from '../../services/ingest.ts'
import { hashSecret, verifySecret } from '../../services/secrets.ts'
import { lockCounter } from '../../repositories/counters.ts'
import { claimPinAttempt, clearPinFailures, type PinClaim } from '../../repositories/officers.ts'
import { LiveClose } from '../../plugins/app/live.ts'
import { endShift, startShift } from '../../services/shifts.ts'
import { rowToTerminalOfficer, terminalState } from '../../services/terminal-state.ts'

/** Wrong PINs in a row before an officer is locked out, and for how long. */
const PIN_ATTEMPTS = 5
const LOCK_MINUTES = 15

const decoyPinHash = await hashSecret('000000')
/** No officer has this id: the claim an unknown staff code runs finds no row. */
const NO_OFFICER = '00000000-0000-0000-0000-000000000000'

/**
 * Lockouts of staff codes that do not exist at a unit, kept in memory: the same count, lock and answers as a real
 * officer's (officers.pin_failures), so probing cannot tell a real code from an unknown one. Bounded: the oldest
 * entries go first.
 */
class UnknownCodeLockouts {
  private readonly entries = new Map<string, { failures: number, lockedUntil: number }>()

  constructor (private readonly attempts: number, private readonly lockMinutes: number, private readonly maxEntries = 10000) {}

  claim (key: string, now = Date.now()): PinClaim {
    const entry = this.entries.get(key) ?? { failures: 0, lockedUntil: 0 }
    if (entry.lockedUntil > now) return { claimed: false }
    this.entries.delete(key)
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
    const locking = entry.failures + 1 >= this.attempts
    this.entries.set(key, locking ? { failures: 0, lockedUntil: now + this.lockMinutes * 60_000 } : { failures: entry.failures + 1, lockedUntil: entry.lockedUntil })
    return { claimed: true, locking }
  }
}

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

  /** Unknown staff codes get a lockout of their own, so that a locked code and an unknown one answer alike. */
  const unknownCodes = new UnknownCodeLockouts(PIN_ATTEMPTS, LOCK_MINUTES)
  const locked = (): ApiError => new ApiError(423, 'OFFICER_LOCKED', `Too many wrong PINs: sign-in with this staff code is locked for up to ${LOCK_MINUTES} minutes; a supervisor can reset the PIN`)
  const wrong = (): ApiError => new ApiError(401, 'INVALID_CREDENTIALS', 'Wrong staff code or PIN')

  app.put('/officer', {
    schema: {
      tags: ['terminal'], summary: 'An officer of this counter\'s unit signs in with staff code and PIN (starts a shift)',
      description: 'Only officers of the unit the counter belongs to. Five wrong PINs lock the staff code for 15 minutes (423 OFFICER_LOCKED); an unknown staff code answers exactly as a known one. An inactive counter is refused with 409 COUNTER_INACTIVE.',
      security: [{ bearer: [] }],
      body: OfficerSignInBody,
      response: { 200: TerminalOfficer, 401: ErrorResponse, 409: ErrorResponse, 423: ErrorResponse, 429: ErrorResponse }
    },
    // After requireTerminal (a preHandler of this plugin), so the limit is per terminal, whatever its headers say.
    config: { rateLimit: { max: 20, timeWindow: '1 minute', hook: 'preHandler', keyGenerator: (request) => `pin:terminal:${request.terminal?.id ?? 'none'}` } }
  }, async (request) => {
    const device = request.terminal!
    const counter = await app.db.selectFrom('counters').select(['id', 'unit_id', 'active']).where('id', '=', device.counterId).executeTakeFirst()
    if (counter === undefined) throw new ApiError(401, 'TERMINAL_TOKEN_INVALID', 'This terminal\'s counter no longer exists; pair it again')
    // Before any PIN is looked at, as the supervisor's route does: no attempt is spent on a closed counter.
    if (!counter.active) throw conflict('COUNTER_INACTIVE', 'This counter is inactive; a supervisor must activate it first')
    const staffCode = request.body.staffCode.trim().toLowerCase()
    // Only the officers of the counter's own unit: a code of another centre is unknown here.
    const officer = await app.db.selectFrom('officers').selectAll()
      .where('unit_id', '=', counter.unit_id)
      .where((eb) => eb(eb.fn('lower', ['staff_code']), '=', staffCode)).executeTakeFirst()
    // An unknown code runs the same UPDATE (on no row), so both paths cost about the same.
    const dbClaim = await claimPinAttempt(app.db, officer?.id ?? NO_OFFICER, PIN_ATTEMPTS, LOCK_MINUTES)
    const claim = officer === undefined ? unknownCodes.claim(`${counter.unit_id}:${staffCode}`) : dbClaim
    if (!claim.claimed) throw locked()
    const valid = await verifySecret(request.body.pin, officer?.pin_hash ?? decoyPinHash)
    if (officer === undefined || officer.pin_hash === null || !officer.active || !valid) {
      throw claim.locking ? locked() : wrong()
    }
    const change = await app.db.transaction().execute(async (trx) => {
      await clearPinFailures(trx, officer.id)
      const current = await lockCounter(trx, device.counterId)
      if (current === undefined) throw new ApiError(401, 'TERMINAL_TOKEN_INVALID', 'This terminal\'s counter no longer exists; pair it again')
      if (!current.active) throw conflict('COUNTER_INACTIVE', 'This counter is inactive; a supervisor must activate it first')
      const shift = await startShift(trx, current, officer.id)
      await writeAudit(trx, { kind: 'terminal', terminalId: device.id }, { action: 'sign_in', entity: 'assignment', entityId: officer.id, unitId: device.unitId, after: { counterId: device.counterId, officerId: officer.id } })
      return shift
    })
    await Promise.all(change.changedCounterIds.map((counterId) => app.live.refreshCounter(counterId)))
    return rowToTerminalOfficer(officer)
  })

  app.delete('/officer', {
    schema: { tags: ['terminal'], summary: 'The officer signs out at this counter (ends the shift)', security: [{ bearer: [] }], response: { 204: NoContent, 401: ErrorResponse } }
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
    schema: { hide: true, tags: ['terminal'], summary: 'WebSocket: state pushes ({type:"state"}) and revocation ({type:"revoked"}); token as Authorization: Bearer, or from a browser as the subprotocols ["hailong.terminal.v1", "hailong.token.<token>"] (never in the URL)' },
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
        socket.close(LiveClose.ENDED, 'terminal revoked')
      }
      const unsubscribe = app.live.subscribeTerminalSocket({ terminalId: device.id, counterId: device.counterId, address: request.ip, refresh, revoke })
      if (unsubscribe === 'TOO_MANY') return socket.close(LiveClose.TOO_MANY, 'too many live sockets')
      socket.on('close', unsubscribe)
      socket.on('message', () => { /* terminals only listen */ })
      refresh().catch((error: unknown) => request.log.warn({ err: error }, 'first state push failed'))
    }
  })
}

export default terminal
