// /api/v1/alert-rules and /api/v1/alerts: rules per unit (admins and supervisors in scope write, analysts read)
// and the alerts the server fires from them, acknowledged with an optional note.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { conflict, notFound } from '../../errors.ts'
import { subtreeOf, unitWithinScope, userActor, nothingToChange } from '../../repositories/organisation.ts'
import { Alert, AlertAcknowledgeBody, AlertListQuery, AlertRule, AlertRuleCreateBody, AlertRuleListQuery, AlertRuleUpdateBody } from '../../../contract/alerts.ts'
import { ErrorResponse, NoContent, IdParams, ListOf } from '../../../contract/common.ts'
import { alertEvent, findAlert, listAlerts, rowToAlert, rowToAlertRule, ruleParameters } from '../../services/alerts.ts'
import { writeAudit } from '../../services/audit.ts'
import { range } from '../local-range.ts'

const ruleNotFound = () => notFound('Alert rule', 'ALERT_RULE_NOT_FOUND')
const alertNotFound = () => notFound('Alert', 'ALERT_NOT_FOUND')

const alerts: FastifyPluginAsyncTypebox = async (app) => {
  const readers = app.requireUser('admin', 'supervisor', 'analyst')
  const writers = app.requireUser('admin', 'supervisor')

  app.get('/alert-rules', {
    schema: {
      tags: ['alerts'],
      summary: 'Alert rules of the units in your scope',
      querystring: AlertRuleListQuery,
      response: { 200: ListOf(AlertRule), 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: readers
  }, async (request) => {
    const actor = userActor(request.actor)
    const { unitId } = request.query
    if (unitId !== undefined && !await unitWithinScope(app.db, actor, unitId)) throw notFound('Unit', 'UNIT_NOT_FOUND')
    let query = app.db.selectFrom('alert_rules').selectAll()
    if (actor.unitId !== null) query = query.where('unit_id', 'in', subtreeOf(actor.unitId))
    if (unitId !== undefined) query = query.where('unit_id', 'in', subtreeOf(unitId))
    const rows = await query.orderBy('created_at').orderBy('id').execute()
    return { items: rows.map(rowToAlertRule) }
  })

  app.post('/alert-rules', {
    schema: {
      tags: ['alerts'],
      summary: 'Create an alert rule for a unit',
      description: 'The rule applies to the ratings of the unit\'s subtree and is evaluated by the server as they arrive. Parameters left out take their defaults (share: 60 minutes, 30 %, 10 ratings; streak: 3); a parameter of the other kind answers 400 INVALID_RULE_PARAMETERS.',
      body: AlertRuleCreateBody,
      response: { 201: AlertRule, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: writers
  }, async (request, reply) => {
    const actor = userActor(request.actor)
    const body = request.body
    const parameters = ruleParameters(body.kind, body.parameters)
    const created = await app.db.transaction().execute(async (trx) => {
      if (!await unitWithinScope(trx, actor, body.unitId)) throw notFound('Unit', 'UNIT_NOT_FOUND')
      const row = await trx.insertInto('alert_rules').values({
        unit_id: body.unitId, kind: body.kind, parameters: JSON.stringify(parameters), enabled: body.enabled ?? true, created_by: actor.userId
      }).returningAll().executeTakeFirstOrThrow()
      const rule = rowToAlertRule(row)
      await writeAudit(trx, actor, { action: 'create', entity: 'alert_rule', entityId: rule.id, unitId: rule.unitId, after: rule })
      return rule
    })
    app.alerts.rulesChanged()
    return reply.code(201).send(created)
  })

  app.patch('/alert-rules/:id', {
    schema: {
      tags: ['alerts'],
      summary: 'Change an alert rule\'s parameters, or enable or disable it',
      params: IdParams,
      body: AlertRuleUpdateBody,
      response: { 200: AlertRule, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: writers
  }, async (request) => {
    const actor = userActor(request.actor)
    const body = request.body
    nothingToChange(body)
    const updated = await app.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('alert_rules').selectAll().where('id', '=', request.params.id).forUpdate().executeTakeFirst()
      if (row === undefined || !await unitWithinScope(trx, actor, row.unit_id)) throw ruleNotFound()
      const before = rowToAlertRule(row)
      const parameters = body.parameters === undefined ? undefined : ruleParameters(row.kind, { ...row.parameters, ...body.parameters })
      const changed = await trx.updateTable('alert_rules').set({
        ...(parameters !== undefined ? { parameters: JSON.stringify(parameters) } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
        updated_at: new Date()
      }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow()
      const after = rowToAlertRule(changed)
      await writeAudit(trx, actor, { action: 'update', entity: 'alert_rule', entityId: row.id, unitId: row.unit_id, before, after })
      return after
    })
    app.alerts.rulesChanged()
    return updated
  })

  app.delete('/alert-rules/:id', {
    schema: {
      tags: ['alerts'],
      summary: 'Delete an alert rule',
      description: 'Its alerts stay as history (their ruleId becomes null).',
      params: IdParams,
      response: { 204: NoContent, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: writers
  }, async (request, reply) => {
    const actor = userActor(request.actor)
    await app.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('alert_rules').selectAll().where('id', '=', request.params.id).forUpdate().executeTakeFirst()
      if (row === undefined || !await unitWithinScope(trx, actor, row.unit_id)) throw ruleNotFound()
      await trx.deleteFrom('alert_rules').where('id', '=', row.id).execute()
      await writeAudit(trx, actor, { action: 'delete', entity: 'alert_rule', entityId: row.id, unitId: row.unit_id, before: rowToAlertRule(row) })
    })
    app.alerts.rulesChanged()
    return reply.code(204).send(null)
  })

  app.get('/alerts', {
    schema: {
      tags: ['alerts'],
      summary: 'Alerts fired in your scope: open first, then the newest',
      querystring: AlertListQuery,
      response: { 200: ListOf(Alert), 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: readers
  }, async (request) => {
    const actor = userActor(request.actor)
    const query = request.query
    const { from, until } = range(query.from, query.to)
    if (query.unitId !== undefined && !await unitWithinScope(app.db, actor, query.unitId)) throw notFound('Unit', 'UNIT_NOT_FOUND')
    const rows = await listAlerts(app.db, actor.unitId, { unitId: query.unitId, acknowledged: query.acknowledged, from, until, limit: query.limit ?? 100 })
    return { items: rows.map(rowToAlert) }
  })

  app.post('/alerts/:id/acknowledge', {
    schema: {
      tags: ['alerts'],
      summary: 'Acknowledge an alert, with an optional note',
      description: 'Its rule may fire again, on ratings counted after the acknowledgement. Acknowledging twice answers 409 ALERT_ALREADY_ACKNOWLEDGED.',
      params: IdParams,
      body: AlertAcknowledgeBody,
      response: { 200: Alert, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
    },
    // The note is optional, and so is the body: none at all reads as {}.
    preValidation: async (request) => { request.body ??= {} },
    preHandler: writers
  }, async (request) => {
    const actor = userActor(request.actor)
    const note = request.body.note?.trim()
    const acknowledged = await app.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('alerts').select(['id', 'unit_id', 'acknowledged_at']).where('id', '=', request.params.id).forUpdate().executeTakeFirst()
      if (row === undefined || !await unitWithinScope(trx, actor, row.unit_id)) throw alertNotFound()
      if (row.acknowledged_at !== null) throw conflict('ALERT_ALREADY_ACKNOWLEDGED', 'This alert is already acknowledged')
      await trx.updateTable('alerts')
        .set({ acknowledged_at: new Date(), acknowledged_by: actor.userId, note: note === undefined || note === '' ? null : note })
        .where('unit_id', '=', row.unit_id).where('id', '=', row.id).execute()
      const after = rowToAlert((await findAlert(trx, row.id))!)
      await writeAudit(trx, actor, { action: 'acknowledge', entity: 'alert', entityId: row.id, unitId: row.unit_id, after })
      return after
    })
    app.alerts.acknowledged(acknowledged)
    // Other open screens drop the alert from their lists.
    await app.live.publish(acknowledged.unitId, null, alertEvent(acknowledged)).catch((error: unknown) => app.log.warn({ err: error }, 'alert event failed'))
    return acknowledged
  })
}

export default alerts
