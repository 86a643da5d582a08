// Terminals for admins and supervisors (create with a pairing code, list, revoke) and pairing for devices.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../db/schema.ts'
import { ApiError, notFound } from '../../errors.ts'
import { findTerminal, rowToTerminal } from '../../repositories/terminals.ts'
import { unitSubtreeIds } from '../../repositories/units.ts'
import { ErrorResponse, IdParams, ListOf } from '../../../contract/common.ts'
import { CreateTerminalBody, CreatedTerminal, PairBody, PairResponse, Terminal, TerminalListQuery } from '../../../contract/terminals.ts'
import { writeAudit } from '../../services/audit.ts'
import { hashPairingCode, hashToken, newPairingCode, newToken } from '../../services/secrets.ts'
import { randomBytes } from 'node:crypto'

const PAIRING_MINUTES = 15

/** "Máy tính bảng quầy 2", or "… (2)", "… (3)" when the unit already has a terminal of that name (a replaced tablet). */
async function defaultTerminalName (db: Kysely<Database>, unitId: string, base: string): Promise<string> {
  const taken = new Set((await db.selectFrom('terminals').select('name').where('unit_id', '=', unitId).where('name', 'like', `${base}%`).execute()).map((row) => row.name))
  if (!taken.has(base)) return base
  let n = 2
  while (taken.has(`${base} (${n})`)) n += 1
  return `${base} (${n})`
}

const terminals: FastifyPluginAsyncTypebox = async (app) => {
  const manage = app.requireUser('admin', 'supervisor')
  // server.ts loads the key (PAIRING_SECRET or DATA_DIR/pairing.key); an app built without one (embedded use)
  // keeps a key for its own lifetime: its codes then end with the process, which is the safe way to fail.
  const pairingKey = app.config.pairingSecret ?? randomBytes(32).toString('base64url')

  app.get('/', {
    schema: {
      tags: ['terminals'], summary: 'Terminals in your scope',
      querystring: TerminalListQuery,
      response: { 200: ListOf(Terminal), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: manage
  }, async (request) => {
    const actor = request.actor!
    const root = request.query.unitId ?? actor.unitId
    if (root !== null && !(await app.unitInScope(actor, root))) throw notFound('Unit', 'UNIT_NOT_FOUND')
    let query = app.db.selectFrom('terminals').selectAll().orderBy('created_at')
    if (root !== null) query = query.where('unit_id', 'in', await unitSubtreeIds(app.db, root))
    if (request.query.counterId !== undefined) query = query.where('counter_id', '=', request.query.counterId)
    return { items: (await query.execute()).map((row) => rowToTerminal(row)) }
  })

  app.post('/', {
    schema: {
      tags: ['terminals'], summary: 'Create a terminal at a counter; answers a pairing code valid for 15 minutes',
      body: CreateTerminalBody,
      response: { 201: CreatedTerminal, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: manage
  }, async (request, reply) => {
    const actor = request.actor!
    const counter = await app.db.selectFrom('counters').select(['id', 'unit_id', 'number']).where('id', '=', request.body.counterId).executeTakeFirst()
    if (counter === undefined || !(await app.unitInScope(actor, counter.unit_id))) throw notFound('Counter', 'COUNTER_NOT_FOUND')
    const pairingCode = newPairingCode()
    const expiresAt = new Date(Date.now() + PAIRING_MINUTES * 60_000)
    const row = await app.db.transaction().execute(async (trx) => {
      const created = await trx.insertInto('terminals').values({
        unit_id: counter.unit_id, counter_id: counter.id, kind: request.body.kind,
        name: request.body.name ?? await defaultTerminalName(trx, counter.unit_id, `${request.body.kind === 'touch' ? 'Máy tính bảng' : 'Hộp nút bấm'} quầy ${counter.number}`),
        token_hash: null, pairing_code_hash: hashPairingCode(pairingCode, pairingKey), pairing_expires_at: expiresAt, paired_at: null, revoked_at: null, last_seen_at: null
      }).returningAll().executeTakeFirstOrThrow()
      await writeAudit(trx, actor, { action: 'create', entity: 'terminal', entityId: created.id, unitId: created.unit_id, after: rowToTerminal(created) })
      return created
    })
    return reply.code(201).send({ terminal: rowToTerminal(row), pairingCode, pairingExpiresAt: expiresAt.toISOString() })
  })

  app.post('/:id/revoke', {
    schema: {
      tags: ['terminals'], summary: 'Revoke a terminal: its token stops working at once and its live socket closes',
      params: IdParams,
      response: { 200: Terminal, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: manage
  }, async (request) => {
    const actor = request.actor!
    const before = await findTerminal(app.db, request.params.id)
    if (before === undefined || !(await app.unitInScope(actor, before.unit_id))) throw notFound('Terminal', 'TERMINAL_NOT_FOUND')
    const row = await app.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('terminals')
        .set({ revoked_at: sql`coalesce(revoked_at, now())`, pairing_code_hash: null })
        .where('id', '=', before.id).returningAll().executeTakeFirstOrThrow()
      await writeAudit(trx, actor, { action: 'revoke', entity: 'terminal', entityId: before.id, unitId: before.unit_id, before: rowToTerminal(before), after: rowToTerminal(updated) })
      return updated
    })
    app.forgetTerminal(row.id)
    // Through the change feed: its socket closes here now (and, with LISTEN/NOTIFY, in every process).
    app.changes.announce({ kind: 'terminal', terminalId: row.id })
    return rowToTerminal(row)
  })

  app.post('/pair', {
    schema: {
      tags: ['terminals'], summary: 'A device pairs with the code shown on the dashboard; answers its token once',
      body: PairBody,
      response: { 200: PairResponse, 400: ErrorResponse, 429: ErrorResponse }
    },
    config: { rateLimit: { max: 10, timeWindow: '1 minute' } }
  }, async (request) => {
    const code = request.body.pairingCode.replace(/[\s-]/g, '')
    const token = newToken('hlt')
    // One UPDATE claims the code: a second device racing with the same code finds nothing.
    const row = await app.db.updateTable('terminals')
      .set({ token_hash: hashToken(token), paired_at: sql`now()`, pairing_code_hash: null, pairing_expires_at: null })
      .where('pairing_code_hash', '=', hashPairingCode(code, pairingKey))
      .where('pairing_expires_at', '>', sql<Date>`now()`)
      .where('revoked_at', 'is', null)
      .where('paired_at', 'is', null)
      .returning(['id', 'unit_id'])
      .executeTakeFirst()
    if (row === undefined) throw new ApiError(400, 'PAIRING_CODE_INVALID', 'This pairing code is wrong, expired or already used; create a new one on the dashboard')
    await writeAudit(app.db, { kind: 'terminal', terminalId: row.id }, { action: 'pair', entity: 'terminal', entityId: row.id, unitId: row.unit_id })
    return { terminalId: row.id, token }
  })
}

export default terminals
