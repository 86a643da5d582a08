// /api/v1/counters: counters of the units in scope, and the shifts that credit an officer with a counter's ratings.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { conflict, notFound } from '../../errors.ts'
import {
  counterNumberTaken,
  endAssignment,
  findCounter,
  insertCounter,
  listCounters,
  lockCounter,
  openAssignmentAtCounter,
  rowToAssignment,
  rowToCounter,
  updateCounter
} from '../../repositories/counters.ts'
import { startShift } from '../../repositories/shifts.ts'
import { findOfficer } from '../../repositories/officers.ts'
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
import { writeAudit } from '../../repositories/audit.ts'

const counterNotFound = () => notFound('Counter', 'COUNTER_NOT_FOUND')
const numberTaken = (number: number) => conflict('COUNTER_NUMBER_TAKEN', `Counter number ${number} is already used in this unit`)

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
      const rows = await listCounters(app.db, actor.unitId, { unitId, active })
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
      const body = request.body
      const created = await app.db.transaction().execute(async (trx) => {
        if (!(await unitWithinScope(trx, actor, body.unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
        if (await counterNumberTaken(trx, body.unitId, body.number)) throw numberTaken(body.number)
        const id = await insertCounter(trx, { unitId: body.unitId, number: body.number, name: body.name, active: body.active ?? true })
        const counter = rowToCounter((await findCounter(trx, id))!)
        await writeAudit(trx, actor, { action: 'create', entity: 'counter', entityId: id, unitId: body.unitId, after: counter })
        return counter
      })
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
      const updated = await app.db.transaction().execute(async (trx) => {
        const locked = await lockCounter(trx, request.params.id)
        if (locked === undefined || !(await unitWithinScope(trx, actor, locked.unit_id))) throw counterNotFound()
        const before = rowToCounter((await findCounter(trx, locked.id))!)
        if (body.number !== undefined && (await counterNumberTaken(trx, locked.unit_id, body.number, locked.id))) {
          throw numberTaken(body.number)
        }
        await updateCounter(trx, locked.id, body)
        // A closed counter credits nobody: its shift ends with it.
        const shift = body.active === false ? await openAssignmentAtCounter(trx, locked.id) : undefined
        if (shift !== undefined) await endAssignment(trx, shift.id)
        const after = rowToCounter((await findCounter(trx, locked.id))!)
        await writeAudit(trx, actor, { action: 'update', entity: 'counter', entityId: locked.id, unitId: locked.unit_id, before, after })
        return after
      })
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
      const { officerId } = request.body
      const result = await app.db.transaction().execute(async (trx) => {
        const counter = await lockCounter(trx, request.params.id)
        if (counter === undefined || !(await unitWithinScope(trx, actor, counter.unit_id))) throw counterNotFound()
        const officer = await findOfficer(trx, officerId, { lock: true })
        if (officer === undefined || !(await unitWithinScope(trx, actor, officer.unit_id))) throw notFound('Officer', 'OFFICER_NOT_FOUND')
        if (!counter.active) throw conflict('COUNTER_INACTIVE', 'This counter is inactive; activate it first')
        if (!officer.active) throw conflict('OFFICER_INACTIVE', 'This officer is inactive; activate the officer first')
        const change = await startShift(trx, counter, officer.id)
        if (change.changedCounterIds.length > 0) {
          await writeAudit(trx, actor, {
            action: 'start_shift',
            entity: 'assignment',
            entityId: change.shift.id,
            unitId: counter.unit_id,
            before: { ended: change.ended.map(rowToAssignment) },
            after: rowToAssignment(change.shift)
          })
        }
        return change
      })
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
      const ended = await app.db.transaction().execute(async (trx) => {
        const counter = await lockCounter(trx, request.params.id)
        if (counter === undefined || !(await unitWithinScope(trx, actor, counter.unit_id))) throw counterNotFound()
        const shift = await openAssignmentAtCounter(trx, counter.id)
        if (shift === undefined) throw notFound('Open shift at this counter', 'ASSIGNMENT_NOT_FOUND')
        const row = await endAssignment(trx, shift.id)
        await writeAudit(trx, actor, {
          action: 'end_shift',
          entity: 'assignment',
          entityId: row.id,
          unitId: counter.unit_id,
          before: rowToAssignment(shift),
          after: rowToAssignment(row)
        })
        return row
      })
      await refresh(ended.counter_id)
      return rowToAssignment(ended)
    }
  )
}

export default counters
