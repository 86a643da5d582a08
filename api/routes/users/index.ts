// /api/v1/users: accounts in scope; a supervisor creates and changes only supervisors, analysts and officer users inside its subtree.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Role, UserRow, Db } from '../../../db/schema.ts'
import { ApiError, badRequest, conflict, forbidden, notFound } from '../../errors.ts'
import { findOfficer } from '../../repositories/officers.ts'
import { nothingToChange, unitWithinScope, type UserActor, userActor } from '../../repositories/organisation.ts'
import {
  deleteSessionsOfUser,
  findUserById,
  insertUser,
  listUsers,
  lockUser,
  officerLinked,
  rowToUser,
  updateUser,
  usernameTaken
} from '../../repositories/users.ts'
import { User, UserCreateBody, UserListQuery, UserUpdateBody } from '../../../contract/accounts.ts'
import { ErrorResponse, IdParams, ListOf } from '../../../contract/common.ts'
import { writeAudit } from '../../repositories/audit.ts'
import { hashSecret } from '../../lib/secrets.ts'
import { passwordMessages, passwordProblem } from '../../lib/password-policy.ts'

const userNotFound = () => notFound('User', 'USER_NOT_FOUND')

/** 400 with a stable code when the password may not be set for this username (common, or built on the username). */
function checkPassword (password: string, username: string): void {
  const problem = passwordProblem(password, username)
  if (problem !== null) throw badRequest(problem, passwordMessages[problem])
}

/** Roles each role may hand out. */
const grantable: Record<Role, Role[]> = {
  admin: ['admin', 'supervisor', 'analyst', 'officer'],
  supervisor: ['supervisor', 'analyst', 'officer'],
  analyst: [],
  officer: []
}

/** Whether the actor can see this user: its scope lies inside the actor's (whole-tree users only for whole-tree admins). */
async function canSee (db: Db, actor: UserActor, user: UserRow): Promise<boolean> {
  if (user.unit_id === null) return actor.unitId === null
  return unitWithinScope(db, actor, user.unit_id)
}

/** Checks a user's resulting access against what the actor may grant; answers the scope root to store. */
async function checkAccess (
  db: Db,
  actor: UserActor,
  access: { role: Role; unitId: string | null | undefined; officerId: string | null; userId?: string }
): Promise<string | null> {
  if (!grantable[actor.role].includes(access.role)) throw forbidden('ROLE_NOT_ALLOWED', `You cannot give the role ${access.role}`)
  let unitId = access.unitId ?? null
  if (access.role === 'officer') {
    if (access.officerId === null) {
      throw badRequest('OFFICER_REQUIRED', 'An officer user needs officerId: the officer record it signs in as')
    }
    const officer = await findOfficer(db, access.officerId)
    if (officer === undefined || !(await unitWithinScope(db, actor, officer.unit_id))) throw notFound('Officer', 'OFFICER_NOT_FOUND')
    if (await officerLinked(db, officer.id, access.userId)) {
      throw conflict('OFFICER_ALREADY_LINKED', 'Another user already signs in as this officer')
    }
    if (access.unitId === undefined || access.unitId === null) unitId = officer.unit_id
  } else if (access.officerId !== null) {
    throw badRequest('OFFICER_ONLY_FOR_OFFICER_ROLE', 'Only officer users are linked to an officer record')
  }
  if (unitId === null) {
    if (access.role !== 'admin') throw badRequest('UNIT_REQUIRED', 'Every user but an admin of the whole tree needs a unitId')
    if (actor.unitId !== null) throw forbidden('ROLE_NOT_ALLOWED', 'Only an admin of the whole tree can give access to the whole tree')
  } else if (!(await unitWithinScope(db, actor, unitId))) {
    throw notFound('Unit', 'UNIT_NOT_FOUND')
  }
  return unitId
}

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
      if (row === undefined || !(await canSee(app.db, actor, row))) throw userNotFound()
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
      const body = request.body
      if (!grantable[actor.role].includes(body.role)) throw forbidden('ROLE_NOT_ALLOWED', `You cannot give the role ${body.role}`)
      checkPassword(body.password, body.username)
      const passwordHash = await hashSecret(body.password)
      const created = await app.db.transaction().execute(async (trx) => {
        const unitId = await checkAccess(trx, actor, { role: body.role, unitId: body.unitId, officerId: body.officerId ?? null })
        if (await usernameTaken(trx, body.username)) throw conflict('USERNAME_TAKEN', `The username ${body.username} is taken`)
        const row = await insertUser(trx, {
          username: body.username,
          displayName: body.displayName ?? body.username,
          passwordHash,
          role: body.role,
          unitId,
          officerId: body.officerId ?? null
        })
        await writeAudit(trx, actor, { action: 'create', entity: 'user', entityId: row.id, unitId: row.unit_id, after: rowToUser(row) })
        return row
      })
      return reply.code(201).send(rowToUser(created))
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
      const { password, ...body } = request.body
      const updated = await app.db.transaction().execute(async (trx) => {
        const before = await lockUser(trx, request.params.id)
        if (before === undefined || !(await canSee(trx, actor, before))) throw userNotFound()
        // Checked once the user is known to be in scope, so the answer never tells an outsider the user exists.
        if (password !== undefined) checkPassword(password, before.username)
        const passwordHash = password === undefined ? undefined : await hashSecret(password)
        if (!grantable[actor.role].includes(before.role)) {
          throw forbidden('ROLE_NOT_ALLOWED', `You cannot change a user with the role ${before.role}`)
        }
        const accessChanges =
          body.role !== undefined || body.unitId !== undefined || body.officerId !== undefined || body.active !== undefined
        // Nobody locks themselves out, or widens their own access.
        if (before.id === actor.userId && accessChanges) {
          throw new ApiError(403, 'OWN_ACCESS_UNCHANGEABLE', 'You cannot change your own role, scope or active flag; ask another admin')
        }
        const role = body.role ?? before.role
        const officerId = body.officerId !== undefined ? body.officerId : role === 'officer' ? before.officer_id : null
        const unitId = accessChanges
          ? await checkAccess(trx, actor, {
            role,
            unitId: body.unitId !== undefined ? body.unitId : before.unit_id,
            officerId,
            userId: before.id
          })
          : before.unit_id
        const row = await updateUser(trx, before.id, {
          ...body,
          role,
          unitId,
          officerId,
          ...(passwordHash === undefined ? {} : { passwordHash })
        })
        if (passwordHash !== undefined || body.active === false) await deleteSessionsOfUser(trx, row.id, actor.sessionHash)
        await writeAudit(trx, actor, {
          action: 'update',
          entity: 'user',
          entityId: row.id,
          unitId: row.unit_id,
          before: rowToUser(before),
          after: { ...rowToUser(row), ...(passwordHash === undefined ? {} : { passwordChanged: true }) }
        })
        return row
      })
      // Committed: the user's live sockets are re-checked now (a deactivated, re-scoped or re-passworded user's close).
      app.changes.announce({ kind: 'user', userId: updated.id })
      return rowToUser(updated)
    }
  )
}

export default users
