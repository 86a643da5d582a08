// /api/v1/api-tokens: read-only statistics tokens for a subtree; the secret is shown once, stored hashed, revocable at once.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { listApiTokens, rowToApiToken } from '../../repositories/api-tokens.ts'
import { userActor } from '../../repositories/organisation.ts'
import { ApiToken, ApiTokenCreateBody, ApiTokenCreated, ApiTokenListQuery } from '../../../contract/accounts.ts'
import { ErrorResponse, NoContent, IdParams, ListOf } from '../../../contract/common.ts'
import { createApiToken, revokeApiTokenAs } from '../../services/api-tokens.ts'

const apiTokens: FastifyPluginAsyncTypebox = async (app) => {
  const managers = app.requireUser('admin', 'supervisor')

  app.get(
    '/',
    {
      schema: {
        tags: ['api-tokens'],
        summary: 'API tokens for units in your scope (never their secrets)',
        querystring: ApiTokenListQuery,
        response: { 200: ListOf(ApiToken), 401: ErrorResponse, 403: ErrorResponse }
      },
      preHandler: managers
    },
    async (request) => {
      const actor = userActor(request.actor)
      const rows = await listApiTokens(app.db, actor.unitId, request.query.includeRevoked ?? false)
      return { items: rows.map(rowToApiToken) }
    }
  )

  app.post(
    '/',
    {
      schema: {
        tags: ['api-tokens'],
        summary: 'Create a read-only statistics token, or a queue system\'s integration token (purpose "queue"), for a unit subtree',
        description: 'The answer carries the token itself; it is shown only this once.',
        body: ApiTokenCreateBody,
        response: { 201: ApiTokenCreated, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: managers
    },
    async (request, reply) => {
      const actor = userActor(request.actor)
      const created = await createApiToken(app.db, actor, request.body)
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send(created)
    }
  )

  app.delete(
    '/:id',
    {
      schema: {
        tags: ['api-tokens'],
        summary: 'Revoke a token: it stops working at once',
        description: 'Revoking an already revoked token changes nothing and answers 204 again.',
        params: IdParams,
        response: { 204: NoContent, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
      },
      preHandler: managers
    },
    async (request, reply) => {
      const actor = userActor(request.actor)
      await revokeApiTokenAs(app.db, actor, request.params.id)
      return reply.code(204).send(null)
    }
  )
}

export default apiTokens
