// Schemas of users, sessions and API tokens.
import { Type, type Static } from 'typebox'
import { Uuid } from './common.ts'

export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('supervisor'), Type.Literal('analyst'), Type.Literal('officer')], { description: 'What the user may do, within its unit subtree' })

export const User = Type.Object({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String(),
  role: RoleSchema,
  unitId: Type.Union([Uuid, Type.Null()], { description: 'Root of the user\'s scope; null = the whole tree (admins only)' }),
  officerId: Type.Union([Uuid, Type.Null()], { description: 'The officer record of an officer user' }),
  active: Type.Boolean()
}, { $id: 'User' })
export type User = Static<typeof User>

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 200 })
})
