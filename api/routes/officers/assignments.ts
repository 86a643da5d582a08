// GET /api/v1/officers/:id/assignments: an officer's shifts, newest first, with the counter as citizens know it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '../../errors.ts'
import { findOfficer } from '../../repositories/officers.ts'
import { unitWithinScope, userActor } from '../../repositories/organisation.ts'
import { listShiftsOfOfficer } from '../../repositories/shifts.ts'
import { ErrorResponse, IdParams, ListOf } from '../../../contract/common.ts'
import { Shift, ShiftListQuery } from '../../../contract/ratings.ts'

const officerAssignments: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/:id/assignments',
    {
      schema: {
        tags: ['officers'],
        summary: "An officer's shifts, newest first",
        description: 'Officer users see only their own; others see the shifts at counters in their scope of an officer in their scope.',
        params: IdParams,
        querystring: ShiftListQuery,
        response: { 200: ListOf(Shift), 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: app.requireUser('admin', 'supervisor', 'analyst', 'officer')
    },
    async (request) => {
      const actor = userActor(request.actor)
      const officer = await findOfficer(app.db, request.params.id)
      const visible =
        officer !== undefined &&
        (actor.role === 'officer' ? actor.officerId === officer.id : await unitWithinScope(app.db, actor, officer.unit_id))
      if (!visible) throw notFound('Officer', 'OFFICER_NOT_FOUND')
      // An officer user sees all of their own shifts; others only those at counters in their scope.
      const scopeRoot = actor.role === 'officer' ? null : actor.unitId
      return { items: await listShiftsOfOfficer(app.db, officer.id, scopeRoot, request.query.limit ?? 50) }
    }
  )
}

export default officerAssignments
