// /api/v1/users: accounts in scope; a supervisor creates and changes only supervisors, analysts and officer users inside its subtree.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { notFound } from '../../errors.ts'
import { nothingToChange, unitWithinScope, userActor } from '../../repositories/organisation.ts'
import { findUserById, listUsers, rowToUser } from '../../repositories/users.ts'
import { User, UserCreateBody, UserListQuery, UserUpdateBody } from '../../../contract/accounts.ts'
import { ErrorResponse, IdParams, ListOf } from '../../../contract/common.ts'
import { canSeeUser, changeUser, createUser } from '../../services/users.ts'

const userNotFound = () => notFound('User', 'USER_NOT_FOUND')

const users: FastifyPluginAsyncTypebox = async (app) => {
  const managers = app.requireUser('admin', 'supervisor')

  app.get(
    '/',
    {
      schema: {
        tags: ['users'],
        summary: 'Users whose scope lies inside yours',
        querystring: UserListQuery,
        response: { 200: ListOf(User), 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: managers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const { unitId, role } = request.query
      if (unitId !== undefined && !(await unitWithinScope(app.db, actor, unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
      const rows = await listUsers(app.db, actor.unitId, { unitId, role })
      return { items: rows.map(rowToUser) }
    }
  )

  app.get(
    '/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'One user',
        params: IdParams,
        response: { 200: User, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: managers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const row = await findUserById(app.db, request.params.id)
      if (row === undefined || !(await canSeeUser(app.db, actor, row))) throw userNotFound()
      return rowToUser(row)
    }
  )

  app.post(
    '/',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        description:
          'An admin creates any role; a supervisor creates supervisors, analysts and officer users inside its subtree. An officer user is linked to an officer record (officerId).',
        body: UserCreateBody,
        response: { 201: User, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
      },
      preHandler: managers
    },
    async (request, reply) => {
      const actor = userActor(request.actor)
      const created = await createUser(app.db, actor, request.body)
      return reply.code(201).send(created)
    }
  )

  app.patch(
    '/:id',
    {
      schema: {
        tags: ['users'],
        summary: "Change a user's role, scope, password or active flag",
        description:
          "A new password or deactivation ends the user's other sessions at once. You cannot change your own role, scope or active flag.",
        params: IdParams,
        body: UserUpdateBody,
        response: { 200: User, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse }
      },
      preHandler: managers
    },
    async (request) => {
      const actor = userActor(request.actor)
      nothingToChange(request.body)
      const updated = await changeUser(app.db, actor, request.params.id, request.body)
      // Committed: the user's live sockets are re-checked now (a deactivated, re-scoped or re-passworded user's close).
      app.changes.announce({ kind: 'user', userId: updated.id })
      return updated
    }
  )
}

export default users
