// /api/v1/cases: the follow-up of unsatisfied ratings, paged in scope; owned, resolved, reopened and annotated by supervisors.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '../../errors.ts'
import { caseTimeline, findCase, rowToCase } from '../../repositories/cases.ts'
import { unitWithinScope, userActor, type UserActor } from '../../repositories/organisation.ts'
import { Case, CaseChangeBody, CaseEvent, CaseEventBody, CaseListQuery, CasePage } from '../../../contract/cases.ts'
import { ErrorResponse, IdParams, ListOf } from '../../../contract/common.ts'
import { addCaseEvent, casePage, changeCase, listPhoneView } from '../../services/cases.ts'
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
  const followers = app.requireUser('admin', 'supervisor')

  /** Tells every dashboard in scope what the case is now. */
  const announce = async (item: Case): Promise<void> => {
    await app.live
      // Live events never carry the call-back number.
      .publish(item.unitId, item.officerId, { type: 'case', case: { ...item, phone: null } })
      .catch((error: unknown) => app.log.warn({ err: error }, 'case event failed'))
  }

  app.get(
    '/',
    {
      schema: {
        tags: ['cases'],
        summary: 'Follow-up cases in your scope, a page at a time',
        description:
          'Oldest rating first by default (the most urgent open cases); `order=newest` for the newest. `from`/`to` filter by the ' +
          'rating time, or with `by=resolved` by the resolution time (resolved cases only). Pass `nextCursor` back as `cursor` ' +
          'for the next page: the pages stay put while new cases arrive. `total` counts every page. Officer users see only ' +
          'the cases about themselves.',
        querystring: CaseListQuery,
        response: { 200: CasePage, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: readers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const query = request.query
      const { from, until } = range(query.from, query.to)
      if (query.unitId !== undefined && !(await unitWithinScope(app.db, actor, query.unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
      // The list reads the replica, or the primary while this client's last change is not replayed there yet.
      return casePage(await app.readerFor(request), actor, query, { from, until })
    }
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'One case',
        description: 'Admins and supervisors in scope see the call-back number whole here (lists mask it); officers and analysts never see it.',
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
      // The one place the whole call-back number is shown: to an admin or supervisor whose scope holds the case.
      return rowToCase(row, Date.now(), listPhoneView(actor) === 'masked' ? 'whole' : 'none')
    }
  )

  app.get(
    '/:id/events',
    {
      schema: {
        tags: ['cases'],
        summary: "A case's timeline: opened, assigned, notes, call-backs, resolved, reopened — with who and when",
        params: IdParams,
        response: { 200: ListOf(CaseEvent), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: readers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const row = await findCase(app.db, request.params.id)
      if (row === undefined || !(await canSee(app.db, actor, row.unit_id, row.officer_id))) throw caseNotFound()
      return { items: await caseTimeline(app.db, row) }
    }
  )

  app.post(
    '/:id/events',
    {
      schema: {
        tags: ['cases'],
        summary: "Add a remark or a call-back to a case's timeline",
        params: IdParams,
        body: CaseEventBody,
        response: { 201: ListOf(CaseEvent), 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: followers
    },
    async (request, reply) => {
      const actor = userActor(request.actor)
      await addCaseEvent(app.db, actor, request.params.id, request.body)
      const row = (await findCase(app.db, request.params.id))!
      reply.code(201)
      return { items: await caseTimeline(app.db, row) }
    }
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: ['cases'],
        summary: 'Resolve a case with a note, reopen it, or give it an owner',
        description:
          '`{ status: "resolved", note }` resolves (409 CASE_ALREADY_RESOLVED when it is); `{ status: "open", note? }` reopens a ' +
          'resolved case, its due time starting again from now (409 CASE_NOT_RESOLVED when it is open); `{ assigneeId }` ' +
          'gives it to an active admin or supervisor whose scope holds it (400 ASSIGNEE_INVALID otherwise), null to nobody.',
        params: IdParams,
        body: CaseChangeBody,
        response: { 200: Case, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
      },
      preHandler: followers
    },
    async (request) => {
      const changed = await changeCase(app.db, userActor(request.actor), request.params.id, request.body)
      await announce(changed)
      return changed
    }
  )
}

export default cases
