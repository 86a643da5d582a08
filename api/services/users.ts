// User accounts as managers change them: roles granted only downwards, passwords checked and hashed, audited in one transaction.
import type { Kysely } from 'kysely'
import type { Database, Role, UserRow, Db } from '../../db/schema.ts'
import type { User, UserCreateBody, UserUpdateBody } from '../../contract/accounts.ts'
import { ApiError, badRequest, conflict, forbidden, notFound } from '../errors.ts'
import { findOfficer } from '../repositories/officers.ts'
import { unitWithinScope, type UserActor } from '../repositories/organisation.ts'
import { deleteSessionsOfUser, insertUser, lockUser, officerLinked, rowToUser, updateUser, usernameTaken } from '../repositories/users.ts'
import { writeAudit } from '../repositories/audit.ts'
import { hashSecret } from '../lib/secrets.ts'
import { passwordMessages, passwordProblem } from '../lib/password-policy.ts'

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
export async function canSeeUser (db: Db, actor: UserActor, user: UserRow): Promise<boolean> {
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

/**
 * A user with a role the actor may give (403 ROLE_NOT_ALLOWED), a password the policy accepts, and access inside the
 * actor's scope; an officer user is linked to an officer record.
 */
export async function createUser (db: Kysely<Database>, actor: UserActor, body: UserCreateBody): Promise<User> {
  if (!grantable[actor.role].includes(body.role)) throw forbidden('ROLE_NOT_ALLOWED', `You cannot give the role ${body.role}`)
  checkPassword(body.password, body.username)
  const passwordHash = await hashSecret(body.password)
  const created = await db.transaction().execute(async (trx) => {
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
  return rowToUser(created)
}

/**
 * Changes a user in scope: role, scope, officer link, password or active flag. A new password or deactivation ends the
 * user's other sessions; nobody changes their own access. Answers the user as it is now.
 */
export async function changeUser (db: Kysely<Database>, actor: UserActor, id: string, request: UserUpdateBody): Promise<User> {
  const { password, ...body } = request
  const updated = await db.transaction().execute(async (trx) => {
    const before = await lockUser(trx, id)
    if (before === undefined || !(await canSeeUser(trx, actor, before))) throw userNotFound()
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
  return rowToUser(updated)
}
