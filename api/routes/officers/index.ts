// /api/v1/officers: officers of the units in scope, their PINs (set and reset, stored hashed); officer users see only themselves.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '../../errors.ts'
import { findOfficer, listOfficers, rowToOfficer } from '../../repositories/officers.ts'
import { nothingToChange, unitWithinScope, type UserActor, userActor } from '../../repositories/organisation.ts'
import { ErrorResponse, IdParams, ListOf } from '../../../contract/common.ts'
import { Officer, OfficerCreateBody, OfficerListQuery, OfficerUpdateBody } from '../../../contract/organisation.ts'
import { changeOfficer, createOfficer } from '../../services/officers.ts'

import type { OfficerRow, Db } from '../../../db/schema.ts'

const officerNotFound = () => notFound('Officer', 'OFFICER_NOT_FOUND')

/** Whether the actor may see this officer: an officer user only itself, others within their subtree. */
async function canSee (db: Db, actor: UserActor, officer: OfficerRow): Promise<boolean> {
  if (actor.role === 'officer') return actor.officerId === officer.id
  return unitWithinScope(db, actor, officer.unit_id)
}

const officers: FastifyPluginAsyncTypebox = async (app) => {
  const readers = app.requireUser('admin', 'supervisor', 'analyst', 'officer')
  const writers = app.requireUser('admin', 'supervisor')

  app.get(
    '/',
    {
      schema: {
        tags: ['officers'],
        summary: 'Officers in your scope (an officer user: only itself)',
        querystring: OfficerListQuery,
        response: { 200: ListOf(Officer), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: readers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const { unitId, active } = request.query
      if (unitId !== undefined && !(await unitWithinScope(app.db, actor, unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
      // A pure list: the replica, or the primary while this client's last change is not replayed there yet.
      const rows = await listOfficers(await app.readerFor(request), actor.role === 'officer' ? null : actor.unitId, {
        unitId,
        active,
        // An officer user without a linked record sees nobody: the nil UUID matches no officer.
        ...(actor.role === 'officer' ? { officerId: actor.officerId ?? '00000000-0000-0000-0000-000000000000' } : {})
      })
      return { items: rows.map(rowToOfficer) }
    }
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: ['officers'],
        summary: 'One officer',
        params: IdParams,
        response: { 200: Officer, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: readers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const row = await findOfficer(app.db, request.params.id)
      if (row === undefined || !(await canSee(app.db, actor, row))) throw officerNotFound()
      return rowToOfficer(row)
    }
  )

  app.post(
    '/',
    {
      schema: {
        tags: ['officers'],
        summary: 'Create an officer with a PIN',
        body: OfficerCreateBody,
        response: { 201: Officer, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
      },
      preHandler: writers
    },
    async (request, reply) => {
      const actor = userActor(request.actor)
      const created = await createOfficer(app.db, actor, request.body)
      return reply.code(201).send(created)
    }
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: ['officers'],
        summary: 'Change an officer, move it to another unit, or reset its PIN',
        description: 'A new `pin` also clears the failure count and any lockout. Deactivating an officer ends its open shift.',
        params: IdParams,
        body: OfficerUpdateBody,
        response: { 200: Officer, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
      },
      preHandler: writers
    },
    async (request) => {
      const actor = userActor(request.actor)
      nothingToChange(request.body)
      const result = await changeOfficer(app.db, actor, request.params.id, request.body)
      if (result.counterId !== undefined) {
        await app.live.refreshCounter(result.counterId).catch((error: unknown) => app.log.warn({ err: error }, 'terminal refresh failed'))
      }
      return result.officer
    }
  )
}

export default officers
