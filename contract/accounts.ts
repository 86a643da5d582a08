// Schemas of users, sessions and API tokens.
import { Type, type Static } from 'typebox'
import { Uuid } from './common.ts'

export const RoleSchema = Type.Union(
  [Type.Literal('admin'), Type.Literal('supervisor'), Type.Literal('analyst'), Type.Literal('officer')],
  { description: 'What the user may do, within its unit subtree' }
)
export type Role = Static<typeof RoleSchema>

export const User = Type.Object(
  {
    id: Uuid,
    username: Type.String(),
    displayName: Type.String(),
    role: RoleSchema,
    unitId: Type.Union([Uuid, Type.Null()], { description: "Root of the user's scope; null = the whole tree (admins only)" }),
    officerId: Type.Union([Uuid, Type.Null()], { description: 'The officer record of an officer user' }),
    active: Type.Boolean()
  },
  { $id: 'User' }
)
export type User = Static<typeof User>

/** The signed-in user (sign-in and GET /auth/me). */
export const SessionResponse = Type.Object({ user: User })
export type SessionResponse = Static<typeof SessionResponse>

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 200 })
})
export type LoginBody = Static<typeof LoginBody>

const Username = Type.String({
  pattern: '^[a-zA-Z0-9._-]{3,64}$',
  description: 'Sign-in name: 3–64 letters, digits, . _ - (unique, case-insensitive)'
})
const Password = Type.String({
  minLength: 8,
  maxLength: 200,
  pattern: '^[^\\u0000]*$',
  description: 'At least 8 characters; stored hashed, never returned'
})
const DisplayName = Type.String({ maxLength: 200, pattern: '^[^\\u0000]*$', description: 'Name shown in the dashboard' })

export const UserListQuery = Type.Object({
  unitId: Type.Optional(Type.String({ format: 'uuid', description: "Only users scoped inside this unit's subtree" })),
  role: Type.Optional(RoleSchema)
})
export type UserListQuery = Static<typeof UserListQuery>

export const UserCreateBody = Type.Object(
  {
    username: Username,
    displayName: Type.Optional(DisplayName),
    password: Password,
    role: RoleSchema,
    unitId: Type.Optional(
      Type.Union([Type.Null(), Uuid], {
        description:
          "Root of the new user's scope, inside yours; null only for an admin of the whole tree; an officer user defaults to its officer's unit"
      })
    ),
    officerId: Type.Optional(
      Type.Union([Type.Null(), Uuid], { description: 'Required for (and only for) role officer: the officer record the user is' })
    )
  },
  { additionalProperties: false }
)
export type UserCreateBody = Static<typeof UserCreateBody>

export const UserUpdateBody = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    password: Type.Optional(Password),
    role: Type.Optional(RoleSchema),
    unitId: Type.Optional(Type.Union([Type.Null(), Uuid], { description: "Moves the user's scope" })),
    officerId: Type.Optional(Type.Union([Type.Null(), Uuid])),
    active: Type.Optional(Type.Boolean({ description: 'false signs the user out everywhere at once' }))
  },
  { additionalProperties: false, minProperties: 1 }
)
export type UserUpdateBody = Static<typeof UserUpdateBody>

/** What a token may do; each purpose is accepted only by its own routes. */
export const ApiTokenPurposeSchema = Type.Union([Type.Literal('stats'), Type.Literal('queue')], {
  description: 'stats: reads statistics of its subtree; queue: the centre\'s queue system reports calls (POST /api/v1/queue/calls), nothing else'
})
export type ApiTokenPurpose = Static<typeof ApiTokenPurposeSchema>

export const ApiToken = Type.Object(
  {
    id: Uuid,
    name: Type.String({ description: 'What the token is for, e.g. "Cổng dữ liệu tỉnh"' }),
    unitId: Type.String({ format: 'uuid', description: 'The subtree whose statistics the token reads' }),
    createdBy: Type.Union([Type.Null(), Uuid]),
    createdAt: Type.String({ format: 'date-time' }),
    lastUsedAt: Type.Union([Type.Null(), Type.String({ format: 'date-time' })]),
    revokedAt: Type.Union([Type.Null(), Type.String({ format: 'date-time' })], {
      description: 'Set once revoked: the token stops working at once'
    }),
    purpose: ApiTokenPurposeSchema
  },
  { description: 'A read-only statistics token, or a queue system\'s integration token (its secret is never shown again)' }
)
export type ApiToken = Static<typeof ApiToken>

export const ApiTokenCreated = Type.Object(
  {
    ...ApiToken.properties,
    token: Type.String({ description: 'The bearer token, shown only this once: send it as `Authorization: Bearer …`' })
  },
  { description: 'A new API token, with its secret' }
)
export type ApiTokenCreated = Static<typeof ApiTokenCreated>

export const ApiTokenCreateBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$',
      description: 'What the token is for'
    }),
    unitId: Uuid,
    purpose: Type.Optional(Type.Union([Type.Literal('stats'), Type.Literal('queue')], {
      default: 'stats',
      description: 'stats (default): reads statistics; queue: an integration token for the centre\'s queue system'
    }))
  },
  { additionalProperties: false }
)
export type ApiTokenCreateBody = Static<typeof ApiTokenCreateBody>

export const ApiTokenListQuery = Type.Object({
  includeRevoked: Type.Optional(Type.Boolean({ default: false, description: 'Also list revoked tokens' }))
})
export type ApiTokenListQuery = Static<typeof ApiTokenListQuery>
