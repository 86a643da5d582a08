// /api/v1/units: the unit tree (any depth), read and changed within the caller's subtree.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { badRequest, conflict, forbidden, notFound } from '../../errors.ts'
import {
  findUnit,
  findUnitByCode,
  insertUnit,
  listUnits,
  lockUnitTree,
  nothingToChange,
  rowToUnit,
  unitWithinScope,
  updateUnit,
  userActor
} from '../../repositories/organisation.ts'
import { MAX_UNIT_DEPTH, placement } from '../../repositories/units.ts'
import { ErrorResponse, IdParams, ListOf } from '../../../contract/common.ts'
import { Unit, UnitCreateBody, UnitListQuery, UnitUpdateBody } from '../../../contract/organisation.ts'
import { writeAudit } from '../../repositories/audit.ts'

const unitNotFound = () => notFound('Unit', 'UNIT_NOT_FOUND')

/** The tree stops at MAX_UNIT_DEPTH levels (repositories/units.ts). */
const tooDeep = () => badRequest('UNIT_TOO_DEEP', `The unit tree may not be deeper than ${MAX_UNIT_DEPTH} levels`)

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
      const body = request.body
      const created = await app.db.transaction().execute(async (trx) => {
        if (body.parentId === null) {
          if (actor.unitId !== null) {
            throw forbidden('TOP_LEVEL_UNIT_FORBIDDEN', 'Only an admin of the whole tree can create a top-level unit')
          }
        } else if (!(await unitWithinScope(trx, actor, body.parentId))) {
          throw notFound('Parent unit', 'UNIT_NOT_FOUND')
        }
        if ((await findUnitByCode(trx, body.code)) !== undefined) {
          throw conflict('UNIT_CODE_TAKEN', `A unit with code ${body.code} already exists`)
        }
        if (body.parentId !== null && (await placement(trx, null, body.parentId)).deepest > MAX_UNIT_DEPTH) throw tooDeep()
        const row = await insertUnit(trx, body)
        await writeAudit(trx, actor, { action: 'create', entity: 'unit', entityId: row.id, unitId: row.id, after: rowToUnit(row) })
        return row
      })
      app.live.unitsChanged()
      return reply.code(201).send(rowToUnit(created))
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
      const moves = body.parentId !== undefined
      const updated = await app.db.transaction().execute(async (trx) => {
        if (moves) await lockUnitTree(trx)
        const before = await findUnit(trx, request.params.id)
        if (before === undefined || !(await unitWithinScope(trx, actor, before.id))) throw unitNotFound()
        // The root of a scope is changed by whoever holds the scope above it, or it could move itself out of reach.
        if (before.id === actor.unitId) {
          throw forbidden('UNIT_IS_SCOPE_ROOT', 'The unit your access is rooted at can only be changed by an admin above it')
        }
        if (moves && body.parentId !== before.parent_id) {
          if (body.parentId === null) {
            if (actor.unitId !== null) {
              throw forbidden('TOP_LEVEL_UNIT_FORBIDDEN', 'Only an admin of the whole tree can make a unit top-level')
            }
          } else {
            if (!(await unitWithinScope(trx, actor, body.parentId!))) throw notFound('Parent unit', 'UNIT_NOT_FOUND')
            const place = await placement(trx, before.id, body.parentId!)
            if (place.cycle) throw badRequest('UNIT_CYCLE', 'A unit cannot be moved under itself or one of its own descendants')
            if (place.deepest > MAX_UNIT_DEPTH) throw tooDeep()
          }
        }
        if (body.code !== undefined && body.code !== before.code && (await findUnitByCode(trx, body.code)) !== undefined) {
          throw conflict('UNIT_CODE_TAKEN', `A unit with code ${body.code} already exists`)
        }
        const row = await updateUnit(trx, before.id, body)
        await writeAudit(trx, actor, {
          action: 'update',
          entity: 'unit',
          entityId: row.id,
          unitId: row.id,
          before: rowToUnit(before),
          after: rowToUnit(row)
        })
        return row
      })
      app.live.unitsChanged()
      return rowToUnit(updated)
    }
  )
}

export default units
