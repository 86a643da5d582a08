// /api/v1/counters: counters of the units in scope, and the shifts that credit an officer with a counter's ratings.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '../../errors.ts'
import { findCounter, listCounters, rowToAssignment, rowToCounter } from '../../repositories/counters.ts'
import { nothingToChange, unitWithinScope, userActor } from '../../repositories/organisation.ts'
import { ErrorResponse, IdParams, ListOf } from '../../../contract/common.ts'
import {
  Assignment,
  AssignmentBody,
  Counter,
  CounterCreateBody,
  CounterListQuery,
  CounterUpdateBody
} from '../../../contract/organisation.ts'
import { changeCounter, createCounter, endShiftAt, startShiftAt } from '../../services/counters.ts'

const counterNotFound = () => notFound('Counter', 'COUNTER_NOT_FOUND')

const counters: FastifyPluginAsyncTypebox = async (app) => {
  const readers = app.requireUser('admin', 'supervisor', 'analyst')
  const writers = app.requireUser('admin', 'supervisor')

  /** Pushes fresh state to the terminals at these counters; a failed push never fails the change. */
  async function refresh (...counterIds: Array<string | undefined>): Promise<void> {
    for (const counterId of new Set(counterIds)) {
      if (counterId !== undefined) {
        await app.live.refreshCounter(counterId).catch((error: unknown) => app.log.warn({ err: error }, 'terminal refresh failed'))
      }
    }
  }

  app.get(
    '/',
    {
      schema: {
        tags: ['counters'],
        summary: 'Counters in your scope, with the officer serving at each',
        querystring: CounterListQuery,
        response: { 200: ListOf(Counter), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: readers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const { unitId, active } = request.query
      if (unitId !== undefined && !(await unitWithinScope(app.db, actor, unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
      // A pure list: the replica, or the primary while this client's last change is not replayed there yet.
      const rows = await listCounters(await app.readerFor(request), actor.unitId, { unitId, active })
      return { items: rows.map(rowToCounter) }
    }
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: ['counters'],
        summary: 'One counter, with the officer serving there',
        params: IdParams,
        response: { 200: Counter, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: readers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const row = await findCounter(app.db, request.params.id)
      if (row === undefined || !(await unitWithinScope(app.db, actor, row.unit_id))) throw counterNotFound()
      return rowToCounter(row)
    }
  )

  app.post(
    '/',
    {
      schema: {
        tags: ['counters'],
        summary: 'Create a counter in a unit of your scope',
        body: CounterCreateBody,
        response: { 201: Counter, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
      },
      preHandler: writers
    },
    async (request, reply) => {
      const actor = userActor(request.actor)
      const created = await createCounter(app.db, actor, request.body)
      return reply.code(201).send(created)
    }
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: ['counters'],
        summary: 'Renumber, rename, or (de)activate a counter',
        description: 'Deactivating a counter ends its open shift.',
        params: IdParams,
        body: CounterUpdateBody,
        response: { 200: Counter, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
      },
      preHandler: writers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const body = request.body
      nothingToChange(body)
      const updated = await changeCounter(app.db, actor, request.params.id, body)
      await refresh(updated.id)
      return updated
    }
  )

  app.put(
    '/:id/assignment',
    {
      schema: {
        tags: ['counters'],
        summary: 'Start a shift: the officer serves at this counter from now',
        description:
          "Ends, in the same transaction, the officer's open shift at any other counter and this counter's previous shift. Repeating the call for the officer already serving here changes nothing.",
        params: IdParams,
        body: AssignmentBody,
        response: { 200: Assignment, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
      },
      preHandler: writers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const result = await startShiftAt(app.db, actor, request.params.id, request.body.officerId)
      await refresh(...result.changedCounterIds)
      return rowToAssignment(result.shift)
    }
  )

  app.delete(
    '/:id/assignment',
    {
      schema: {
        tags: ['counters'],
        summary: "End the counter's open shift",
        params: IdParams,
        response: { 200: Assignment, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: writers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const ended = await endShiftAt(app.db, actor, request.params.id)
      await refresh(ended.counter_id)
      return rowToAssignment(ended)
    }
  )
}

export default counters
