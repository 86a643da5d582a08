// GET /api/v1/officers/:id/assignments: an officer's shifts, newest first, with the counter as citizens know it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '../../errors.ts'
import { findOfficer } from '../../repositories/officers.ts'
import { subtreeOf, unitWithinScope, userActor } from '../../repositories/organisation.ts'
import { ErrorResponse, IdParams, ListOf } from '../../../contract/common.ts'
import { Shift, ShiftListQuery } from '../../../contract/ratings.ts'

const officerAssignments: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/:id/assignments', {
    schema: {
      tags: ['officers'],
      summary: 'An officer\'s shifts, newest first',
      description: 'Officer users see only their own; others see the shifts at counters in their scope of an officer in their scope.',
      params: IdParams,
      querystring: ShiftListQuery,
      response: { 200: ListOf(Shift), 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: app.requireUser('admin', 'supervisor', 'analyst', 'officer')
  }, async (request) => {
    const actor = userActor(request.actor)
    const officer = await findOfficer(app.db, request.params.id)
    const visible = officer !== undefined && (actor.role === 'officer' ? actor.officerId === officer.id : await unitWithinScope(app.db, actor, officer.unit_id))
    if (!visible) throw notFound('Officer', 'OFFICER_NOT_FOUND')
    let query = app.db.selectFrom('assignments')
      .innerJoin('counters', 'counters.id', 'assignments.counter_id')
      .select(['assignments.id', 'assignments.unit_id', 'assignments.counter_id', 'counters.number', 'counters.name', 'assignments.officer_id', 'assignments.started_at', 'assignments.ended_at'])
      .where('assignments.officer_id', '=', officer.id)
    if (actor.role !== 'officer' && actor.unitId !== null) query = query.where('assignments.unit_id', 'in', subtreeOf(actor.unitId))
    const rows = await query.orderBy('assignments.started_at', 'desc').orderBy('assignments.id', 'desc').limit(request.query.limit ?? 50).execute()
    return {
      items: rows.map((row) => ({
        id: row.id,
        unitId: row.unit_id,
        counterId: row.counter_id,
        counterNumber: row.number,
        counterName: row.name,
        officerId: row.officer_id,
        startedAt: row.started_at.toISOString(),
        endedAt: row.ended_at === null ? null : row.ended_at.toISOString()
      }))
    }
  })
}

export default officerAssignments
