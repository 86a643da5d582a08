// /api/v1/alert-rules and /api/v1/alerts: rules per unit (admins and supervisors in scope write, analysts read)
// and the alerts the server fires from them, acknowledged with an optional note.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '../../errors.ts'
import { unitWithinScope, userActor, nothingToChange } from '../../repositories/organisation.ts'
import {
  Alert,
  AlertAcknowledgeBody,
  AlertListQuery,
  AlertRule,
  AlertRuleCreateBody,
  AlertRuleListQuery,
  AlertRuleUpdateBody
} from '../../../contract/alerts.ts'
import { ErrorResponse, NoContent, IdParams, ListOf } from '../../../contract/common.ts'
import { alertEvent } from '../../services/alerts.ts'
import { acknowledgeAlertAs, changeAlertRule, createAlertRule, removeAlertRule } from '../../services/alert-rules.ts'
import { listAlertRules, listAlerts, rowToAlert, rowToAlertRule } from '../../repositories/alerts.ts'
import { range } from '../../lib/local-range.ts'

const alerts: FastifyPluginAsyncTypebox = async (app) => {
  const readers = app.requireUser('admin', 'supervisor', 'analyst')
  const writers = app.requireUser('admin', 'supervisor')

  app.get(
    '/alert-rules',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alert rules of the units in your scope',
        querystring: AlertRuleListQuery,
        response: { 200: ListOf(AlertRule), 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: readers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const { unitId } = request.query
      if (unitId !== undefined && !(await unitWithinScope(app.db, actor, unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
      const rows = await listAlertRules(app.db, actor.unitId, unitId)
      return { items: rows.map(rowToAlertRule) }
    }
  )

  app.post(
    '/alert-rules',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Create an alert rule for a unit',
        description:
          "The rule applies to the ratings of the unit's subtree and is evaluated by the server as they arrive. Parameters left out take their defaults (share: 60 minutes, 30 %, 10 ratings; streak: 3); a parameter of the other kind answers 400 INVALID_RULE_PARAMETERS.",
        body: AlertRuleCreateBody,
        response: { 201: AlertRule, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: writers
    },
    async (request, reply) => {
      const actor = userActor(request.actor)
      const created = await createAlertRule(app.db, actor, request.body)
      void app.changes.announce({ kind: 'alert-rules' })
      return reply.code(201).send(created)
    }
  )

  app.patch(
    '/alert-rules/:id',
    {
      schema: {
        tags: ['alerts'],
        summary: "Change an alert rule's parameters, or enable or disable it",
        params: IdParams,
        body: AlertRuleUpdateBody,
        response: { 200: AlertRule, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: writers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const body = request.body
      nothingToChange(body)
      const updated = await changeAlertRule(app.db, actor, request.params.id, body)
      void app.changes.announce({ kind: 'alert-rules' })
      return updated
    }
  )

  app.delete(
    '/alert-rules/:id',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Delete an alert rule',
        description: 'Its alerts stay as history (their ruleId becomes null).',
        params: IdParams,
        response: { 204: NoContent, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: writers
    },
    async (request, reply) => {
      const actor = userActor(request.actor)
      await removeAlertRule(app.db, actor, request.params.id)
      void app.changes.announce({ kind: 'alert-rules' })
      return reply.code(204).send(null)
    }
  )

  app.get(
    '/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts fired in your scope: open first, then the newest',
        querystring: AlertListQuery,
        response: { 200: ListOf(Alert), 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: readers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const query = request.query
      const { from, until } = range(query.from, query.to)
      if (query.unitId !== undefined && !(await unitWithinScope(app.db, actor, query.unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
      const rows = await listAlerts(app.db, actor.unitId, {
        unitId: query.unitId,
        acknowledged: query.acknowledged,
        from,
        until,
        limit: query.limit ?? 100
      })
      return { items: rows.map(rowToAlert) }
    }
  )

  app.post(
    '/alerts/:id/acknowledge',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an alert, with an optional note',
        description:
          'Its rule may fire again, on ratings counted after the acknowledgement. Acknowledging twice answers 409 ALERT_ALREADY_ACKNOWLEDGED.',
        params: IdParams,
        body: AlertAcknowledgeBody,
        response: { 200: Alert, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
      },
      // The note is optional, and so is the body: none at all reads as {}.
      preValidation: async (request) => {
        request.body ??= {}
      },
      preHandler: writers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const acknowledged = await acknowledgeAlertAs(app.db, actor, request.params.id, request.body.note)
      const { ruleId, unitId, counterId, acknowledgedAt } = acknowledged
      // Every process's evaluator (through the change feed): the rule may fire again on later ratings.
      void app.changes.announce({ kind: 'alert-acknowledged', ruleId, unitId, counterId, acknowledgedAt })
      // Other open screens drop the alert from their lists.
      await app.live
        .publish(acknowledged.unitId, null, alertEvent(acknowledged))
        .catch((error: unknown) => app.log.warn({ err: error }, 'alert event failed'))
      return acknowledged
    }
  )
}

export default alerts
