// /api/v1/units: the unit tree (any depth), read and changed within the caller's subtree.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '../../errors.ts'
import { findUnit, listUnits, nothingToChange, rowToUnit, unitWithinScope, userActor } from '../../repositories/organisation.ts'
import { MAX_UNIT_DEPTH } from '../../repositories/units.ts'
import { ErrorResponse, IdParams, ListOf } from '../../../contract/common.ts'
import { Unit, UnitCreateBody, UnitListQuery, UnitUpdateBody } from '../../../contract/organisation.ts'
import { changeUnit, createUnit } from '../../services/units.ts'
import { UnitFollowUp, UnitFollowUpBody } from '../../../contract/follow-up.ts'
import { unitFollowUp } from '../../repositories/follow-up.ts'
import { changeUnitFollowUp } from '../../services/follow-up.ts'

const unitNotFound = () => notFound('Unit', 'UNIT_NOT_FOUND')

const units: FastifyPluginAsyncTypebox = async (app) => {
  const readers = app.requireUser('admin', 'supervisor', 'analyst')
  const writers = app.requireUser('admin', 'supervisor')

  app.get(
    '/',
    {
      schema: {
        tags: ['units'],
        summary: 'The units in your scope, ordered by code',
        querystring: UnitListQuery,
        response: { 200: ListOf(Unit), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: readers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const { parentId } = request.query
      let rows
      if (parentId === 'root') {
        // The top of what the caller sees: the top-level units, or the caller's own root.
        const root = actor.unitId === null ? undefined : await findUnit(app.db, actor.unitId)
        rows = actor.unitId === null ? await listUnits(app.db, null, null) : root === undefined ? [] : [root]
      } else {
        if (parentId !== undefined && !(await unitWithinScope(app.db, actor, parentId))) throw unitNotFound()
        rows = await listUnits(app.db, actor.unitId, parentId)
      }
      return { items: rows.map(rowToUnit) }
    }
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: ['units'],
        summary: 'One unit',
        params: IdParams,
        response: { 200: Unit, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: readers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const row = await findUnit(app.db, request.params.id)
      if (row === undefined || !(await unitWithinScope(app.db, actor, row.id))) throw unitNotFound()
      return rowToUnit(row)
    }
  )

  app.post(
    '/',
    {
      schema: {
        tags: ['units'],
        summary: 'Create a unit under a parent in your scope',
        body: UnitCreateBody,
        response: { 201: Unit, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
      },
      preHandler: writers
    },
    async (request, reply) => {
      const actor = userActor(request.actor)
      const created = await createUnit(app.db, actor, request.body)
      await app.live.unitsChanged()
      return reply.code(201).send(created)
    }
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: ['units'],
        summary: "Rename, recode or move a unit below your scope's root",
        description: `Moving a unit under itself or one of its descendants is refused with code UNIT_CYCLE; a move that would put a unit below level ${MAX_UNIT_DEPTH} with UNIT_TOO_DEEP.`,
        params: IdParams,
        body: UnitUpdateBody,
        response: { 200: Unit, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
      },
      preHandler: writers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const body = request.body
      nothingToChange(body)
      const updated = await changeUnit(app.db, actor, request.params.id, body)
      await app.live.unitsChanged()
      return updated
    }
  )

  app.get(
    '/:id/follow-up',
    {
      schema: {
        tags: ['units'],
        summary: "The unit's follow-up question: its own settings and the ones that hold",
        params: IdParams,
        response: { 200: UnitFollowUp, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: writers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const settings = await unitFollowUp(app.db, request.params.id)
      if (settings === undefined || !(await unitWithinScope(app.db, actor, request.params.id))) throw unitNotFound()
      return settings
    }
  )

  app.put(
    '/:id/follow-up',
    {
      schema: {
        tags: ['units'],
        summary: 'Set what the terminals of this unit and the units below ask after an unsatisfied rating',
        description: 'The reasons (codes unique, vi/en labels), whether neutral ratings are asked too, the call-back offer and the ' +
          "number's retention after resolution. `{ settings: null }`: as the parent unit (the top: the defaults). The terminals " +
          'get the change at once.',
        params: IdParams,
        body: UnitFollowUpBody,
        response: { 200: UnitFollowUp, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: writers
    },
    async (request) => {
      const changed = await changeUnitFollowUp(app.db, userActor(request.actor), request.params.id, request.body.settings)
      await app.live.refreshAllTerminals().catch((error: unknown) => app.log.warn({ err: error }, 'terminal refresh failed'))
      return changed
    }
  )
}

export default units
