// Terminals for admins and supervisors (create with a pairing code, list, revoke) and pairing for devices.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '../../errors.ts'
import { findTerminal, listTerminals, rowToTerminal } from '../../repositories/terminals.ts'
import { findCounterPlace } from '../../repositories/counters.ts'
import { ErrorResponse, IdParams, ListOf } from '../../../contract/common.ts'
import { CreateTerminalBody, CreatedTerminal, PairBody, PairResponse, Terminal, TerminalListQuery } from '../../../contract/terminals.ts'
import { createTerminal, pairTerminal, revokeTerminal } from '../../services/terminals.ts'
import { randomBytes } from 'node:crypto'

const terminals: FastifyPluginAsyncTypebox = async (app) => {
  const manage = app.requireUser('admin', 'supervisor')
  // server.ts loads the key (PAIRING_SECRET or DATA_DIR/pairing.key); an app built without one (embedded use)
  // keeps a key for its own lifetime: its codes then end with the process, which is the safe way to fail.
  const pairingKey = app.config.pairingSecret ?? randomBytes(32).toString('base64url')

  app.get('/', {
    schema: {
      tags: ['terminals'],
      summary: 'Terminals in your scope',
      querystring: TerminalListQuery,
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
      tags: ['terminals'],
      summary: 'Create a terminal at a counter; answers a pairing code valid for 15 minutes',
      body: CreateTerminalBody,
      response: { 201: CreatedTerminal, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: manage
  }, async (request, reply) => {
    const actor = request.actor!
    const counter = await findCounterPlace(app.db, request.body.counterId)
    if (counter === undefined || !(await app.unitInScope(actor, counter.unit_id))) throw notFound('Counter', 'COUNTER_NOT_FOUND')
    return reply.code(201).send(await createTerminal(app.db, actor, counter, request.body, pairingKey))
  })

  app.post('/:id/revoke', {
    schema: {
      tags: ['terminals'],
      summary: 'Revoke a terminal: its token stops working at once and its live socket closes',
      params: IdParams,
      response: { 200: Terminal, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: manage
  }, async (request) => {
    const actor = request.actor!
    const before = await findTerminal(app.db, request.params.id)
    if (before === undefined || !(await app.unitInScope(actor, before.unit_id))) throw notFound('Terminal', 'TERMINAL_NOT_FOUND')
    const terminal = await revokeTerminal(app.db, actor, before)
    app.forgetTerminal(terminal.id)
    // Through the change feed: its socket closes here now (and, with LISTEN/NOTIFY, in every process).
    app.changes.announce({ kind: 'terminal', terminalId: terminal.id })
    return terminal
  })

  app.post('/pair', {
    schema: {
      tags: ['terminals'],
      summary: 'A device pairs with the code shown on the dashboard; answers its token once',
      body: PairBody,
      response: { 200: PairResponse, 400: ErrorResponse, 429: ErrorResponse }
    },
    config: { rateLimit: { max: 10, timeWindow: '1 minute' } }
  }, async (request) => pairTerminal(app.db, request.body.pairingCode, pairingKey))
}

export default terminals
