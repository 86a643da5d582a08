// The rating scale and the conduct criteria: read by any signed-in user, replaced by admins; terminals get the change live.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { forbidden } from '../../errors.ts'
import type { Actor } from '../../plugins/app/auth.ts'
import { CriteriaBody, CriteriaResponse, ScaleBody, ScaleResponse } from '../../../contract/catalogue.ts'
import { ErrorResponse } from '../../../contract/common.ts'
import { loadCriteria, loadScale } from '../../repositories/catalogue.ts'
import { setCriteria, setScale } from '../../services/catalogue.ts'

/** The scale and criteria are national: an admin of a subtree must not change them for every other province. */
function nationalAdmin (actor: Actor | null): void {
  if (actor === null || actor.unitId !== null) {
    throw forbidden('WHOLE_TREE_ADMIN_REQUIRED', 'Only an admin of the whole tree can change the national scale and criteria')
  }
}

const catalogue: FastifyPluginAsyncTypebox = async (app) => {
  const changed = async (): Promise<void> => {
    app.ingest.catalogueChanged()
    await app.live.refreshAllTerminals()
  }

  app.get(
    '/scale',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'The rating scale, highest level first',
        response: { 200: ScaleResponse, 401: ErrorResponse }
      },
      preHandler: app.requireUser()
    },
    async () => ({ items: await loadScale(app.db) })
  )

  app.put(
    '/scale',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Replace the rating scale (admins of the whole tree); stored ratings keep the level, category and weight they had',
        body: ScaleBody,
        response: { 200: ScaleResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse }
      },
      preHandler: app.requireUser('admin')
    },
    async (request) => {
      nationalAdmin(request.actor)
      await setScale(app.db, request.actor!, request.body.levels)
      await changed()
      return { items: await loadScale(app.db) }
    }
  )

  app.get(
    '/criteria',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'The active conduct criteria in display order',
        response: { 200: CriteriaResponse, 401: ErrorResponse }
      },
      preHandler: app.requireUser()
    },
    async () => ({ items: await loadCriteria(app.db) })
  )

  app.put(
    '/criteria',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Set the active criteria and their order (admins of the whole tree); codes left out are kept inactive',
        body: CriteriaBody,
        response: { 200: CriteriaResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse }
      },
      preHandler: app.requireUser('admin')
    },
    async (request) => {
      nationalAdmin(request.actor)
      await setCriteria(app.db, request.actor!, request.body.criteria)
      await changed()
      return { items: await loadCriteria(app.db) }
    }
  )
}

export default catalogue
