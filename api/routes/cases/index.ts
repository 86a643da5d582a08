// /api/v1/cases: the follow-up of unsatisfied ratings, listed in scope and resolved with a note by supervisors.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '../../errors.ts'
import { findCase, listCases, rowToCase } from '../../repositories/cases.ts'
import { unitWithinScope, userActor, type UserActor } from '../../repositories/organisation.ts'
import { Case, CaseListQuery, CaseResolveBody } from '../../../contract/cases.ts'
import { ErrorResponse, IdParams, ListOf } from '../../../contract/common.ts'
import { resolveCaseAs } from '../../services/cases.ts'
import { range } from '../../lib/local-range.ts'
import type { Db } from '../../../db/schema.ts'

const caseNotFound = () => notFound('Case', 'CASE_NOT_FOUND')
/** Whether the actor may see the case: officer users their own, others within their subtree. */
async function canSee (db: Db, actor: UserActor, unitId: string, officerId: string | null): Promise<boolean> {
  if (actor.role === 'officer') return officerId !== null && officerId === actor.officerId
  return unitWithinScope(db, actor, unitId)
}

const cases: FastifyPluginAsyncTypebox = async (app) => {
  const readers = app.requireUser('admin', 'supervisor', 'analyst', 'officer')
  const resolvers = app.requireUser('admin', 'supervisor')

  app.get(
    '/',
    {
      schema: {
        tags: ['cases'],
        summary: 'Follow-up cases in your scope, oldest rating first',
        description: 'Officer users see only the cases about themselves.',
        querystring: CaseListQuery,
        response: { 200: ListOf(Case), 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: readers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const query = request.query
      const { from, until } = range(query.from, query.to)
      if (query.unitId !== undefined && !(await unitWithinScope(app.db, actor, query.unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
      // The list reads the replica, or the primary while this client's last change is not replayed there yet.
      const rows = await listCases(await app.readerFor(request), actor, {
        status: query.status,
        unitId: query.unitId,
        counterId: query.counterId,
        officerId: query.officerId,
        from,
        until,
        limit: query.limit ?? 200
      })
      const now = Date.now()
      return { items: rows.map((row) => rowToCase(row, now)) }
    }
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'One case',
        params: IdParams,
        response: { 200: Case, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: readers
    },
    async (request) => {
      const actor = userActor(request.actor)
      // One case, as a supervisor reads it right after resolving it: always the primary.
      const row = await findCase(app.db, request.params.id)
      if (row === undefined || !(await canSee(app.db, actor, row.unit_id, row.officer_id))) throw caseNotFound()
      return rowToCase(row)
    }
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'Resolve a case with a note',
        description:
          'The note says what was done (the answer, the apology). A resolved case stays resolved: resolving it again answers 409 CASE_ALREADY_RESOLVED.',
        params: IdParams,
        body: CaseResolveBody,
        response: { 200: Case, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
      },
      preHandler: resolvers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const resolved = await resolveCaseAs(app.db, actor, request.params.id, request.body.note)
      await app.live
        .publish(resolved.unitId, resolved.officerId, { type: 'case', case: resolved })
        .catch((error: unknown) => app.log.warn({ err: error }, 'case event failed'))
      return resolved
    }
  )
}

export default cases
