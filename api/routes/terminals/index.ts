// Terminals for admins and supervisors (create with a pairing code, list, revoke) and pairing for devices.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ApiError, notFound } from '../../errors.ts'
import {
  claimPairingCode, findTerminal, freeTerminalName, insertTerminal, listTerminals, revokeTerminal, rowToTerminal
} from '../../repositories/terminals.ts'
import { findCounterPlace } from '../../repositories/counters.ts'
import { ErrorResponse, IdParams, ListOf, Uuid } from '../../../contract/common.ts'
import { CreateTerminalBody, CreatedTerminal, PairBody, PairResponse, Terminal } from '../../../contract/terminals.ts'
import { writeAudit } from '../../repositories/audit.ts'
import { hashPairingCode, hashToken, newPairingCode, newToken } from '../../lib/secrets.ts'
import { randomBytes } from 'node:crypto'

const PAIRING_MINUTES = 15

const terminals: FastifyPluginAsyncTypebox = async (app) => {
  const manage = app.requireUser('admin', 'supervisor')
  // server.ts loads the key (PAIRING_SECRET or DATA_DIR/pairing.key); an app built without one (embedded use)
  // keeps a key for its own lifetime: its codes then end with the process, which is the safe way to fail.
  const pairingKey = app.config.pairingSecret ?? randomBytes(32).toString('base64url')

  app.get('/', {
    schema: {
      tags: ['terminals'], summary: 'Terminals in your scope',
      querystring: Type.Object({ counterId: Type.Optional(Uuid), unitId: Type.Optional(Uuid) }),
      response: { 200: ListOf(Terminal), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: manage
  }, async (request) => {
    const actor = request.actor!
    const root = request.query.unitId ?? actor.unitId
    if (root !== null && !(await app.unitInScope(actor, root))) throw notFound('Unit', 'UNIT_NOT_FOUND')
    const rows = await listTerminals(app.db, root, { counterId: request.query.counterId })
    return { items: rows.map((row) => rowToTerminal(row)) }
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
    const counter = await findCounterPlace(app.db, request.body.counterId)
    if (counter === undefined || !(await app.unitInScope(actor, counter.unit_id))) throw notFound('Counter', 'COUNTER_NOT_FOUND')
    const pairingCode = newPairingCode()
    const expiresAt = new Date(Date.now() + PAIRING_MINUTES * 60_000)
    const row = await app.db.transaction().execute(async (trx) => {
      const kind = request.body.kind
      const defaultName = `${kind === 'touch' ? 'Máy tính bảng' : 'Hộp nút bấm'} quầy ${counter.number}`
      const name = request.body.name ?? await freeTerminalName(trx, counter.unit_id, defaultName)
      const created = await insertTerminal(trx, {
        unitId: counter.unit_id, counterId: counter.id, kind, name,
        pairingCodeHash: hashPairingCode(pairingCode, pairingKey), pairingExpiresAt: expiresAt
      })
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
      const updated = await revokeTerminal(trx, before.id)
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
    const row = await claimPairingCode(app.db, hashPairingCode(code, pairingKey), hashToken(token))
    if (row === undefined) throw new ApiError(400, 'PAIRING_CODE_INVALID', 'This pairing code is wrong, expired or already used; create a new one on the dashboard')
    const audit = { action: 'pair', entity: 'terminal', entityId: row.id, unitId: row.unitId }
    await writeAudit(app.db, { kind: 'terminal', terminalId: row.id }, audit)
    return { terminalId: row.id, token }
  })
}

export default terminals
