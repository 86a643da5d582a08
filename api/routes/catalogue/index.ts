// The rating scale and the conduct criteria: read by any signed-in user, replaced by admins; terminals get the change live.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { badRequest, forbidden } from '../../errors.ts'
import type { Actor } from '../../plugins/app/auth.ts'
import { CriteriaBody, CriteriaResponse, ScaleBody, ScaleResponse } from '../../../contract/catalogue.ts'
import { ErrorResponse } from '../../../contract/common.ts'
import { writeAudit } from '../../repositories/audit.ts'
import { loadCriteria, loadScale, replaceCriteria, replaceScale } from '../../repositories/catalogue.ts'

/** The scale and criteria are national: an admin of a subtree must not change them for every other province. */
function nationalAdmin (actor: Actor | null): void {
  if (actor === null || actor.unitId !== null) throw forbidden('WHOLE_TREE_ADMIN_REQUIRED', 'Only an admin of the whole tree can change the national scale and criteria')
}

const catalogue: FastifyPluginAsyncTypebox = async (app) => {
  const changed = async (): Promise<void> => {
    app.ingest.catalogueChanged()
    await app.live.refreshAllTerminals()
  }

  app.get('/scale', {
    schema: { tags: ['catalogue'], summary: 'The rating scale, highest level first', response: { 200: ScaleResponse, 401: ErrorResponse } },
    preHandler: app.requireUser()
  }, async () => ({ items: await loadScale(app.db) }))

  app.put('/scale', {
    schema: {
      tags: ['catalogue'],
      summary: 'Replace the rating scale (admins of the whole tree); stored ratings keep the level, category and weight they had',
      body: ScaleBody,
      response: { 200: ScaleResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse }
    },
    preHandler: app.requireUser('admin')
  }, async (request) => {
    nationalAdmin(request.actor)
    const levels = request.body.levels
    const numbers = levels.map((level) => level.level).sort((a, b) => a - b)
    if (new Set(numbers).size !== numbers.length || numbers.some((level, index) => level !== index + 1)) {
      throw badRequest('SCALE_INVALID', 'Levels must be numbered 1, 2, … without gaps or repeats')
    }
    const byLevel = [...levels].sort((a, b) => a.level - b.level)
    if (!byLevel.some((level) => level.category === 'satisfied') || !byLevel.some((level) => level.category === 'unsatisfied')) {
      throw badRequest('SCALE_INVALID', 'A scale needs at least one satisfied and one unsatisfied level')
    }
    for (let i = 1; i < byLevel.length; i++) {
      if (byLevel[i]!.weight < byLevel[i - 1]!.weight) throw badRequest('SCALE_INVALID', 'Higher levels cannot weigh less than lower ones')
    }
    const before = await loadScale(app.db)
    await app.db.transaction().execute(async (trx) => {
      await replaceScale(trx, levels)
      await writeAudit(trx, request.actor!, { action: 'update', entity: 'scale', entityId: null, unitId: null, before, after: levels })
    })
    await changed()
    return { items: await loadScale(app.db) }
  })

  app.get('/criteria', {
    schema: { tags: ['catalogue'], summary: 'The active conduct criteria in display order', response: { 200: CriteriaResponse, 401: ErrorResponse } },
    preHandler: app.requireUser()
  }, async () => ({ items: await loadCriteria(app.db) }))

  app.put('/criteria', {
    schema: {
      tags: ['catalogue'],
      summary: 'Set the active criteria and their order (admins of the whole tree); codes left out are kept inactive',
      body: CriteriaBody,
      response: { 200: CriteriaResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse }
    },
    preHandler: app.requireUser('admin')
  }, async (request) => {
    nationalAdmin(request.actor)
    const criteria = request.body.criteria
    if (new Set(criteria.map((criterion) => criterion.code)).size !== criteria.length) throw badRequest('CRITERIA_INVALID', 'Each criterion code may appear once')
    const before = await loadCriteria(app.db)
    await app.db.transaction().execute(async (trx) => {
      await replaceCriteria(trx, criteria)
      await writeAudit(trx, request.actor!, { action: 'update', entity: 'criteria', entityId: null, unitId: null, before, after: criteria })
    })
    await changed()
    return { items: await loadCriteria(app.db) }
  })
}

export default catalogue
