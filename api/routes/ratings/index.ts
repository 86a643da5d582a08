// GET /api/v1/ratings: the raw ratings in scope, newest first, a page at a time (officer users: only their own).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { badRequest, notFound } from '../../errors.ts'
import { unitWithinScope, userActor } from '../../repositories/organisation.ts'
import { findCounterPlace } from '../../repositories/counters.ts'
import { findOfficer } from '../../repositories/officers.ts'
import { listRatingPage, type RatingPosition } from '../../repositories/ratings.ts'
import { ErrorResponse } from '../../../contract/common.ts'
import { RatingListQuery, RatingPage } from '../../../contract/ratings.ts'
import { range } from '../../lib/local-range.ts'

/** counted_at as PostgreSQL prints it (microseconds kept, which a JS Date would lose), then the id. */
const CURSOR = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}(?::\d{2}){0,2})\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/

function encodeCursor (countedKey: string, id: string): string {
  return Buffer.from(`${countedKey}|${id}`).toString('base64url')
}

function decodeCursor (cursor: string): RatingPosition {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString())
  if (match === null) throw badRequest('INVALID_CURSOR', 'The cursor is not one this API gave')
  return { countedKey: match[1]!, id: match[2]! }
}

const ratings: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', {
    schema: {
      tags: ['ratings'],
      summary: 'Ratings in your scope, newest first',
      description: 'A page at a time: pass the answer\'s nextCursor as cursor for the next. Officer users see only the ratings credited to them. Suspected misuse only with includeMisuse=true.',
      querystring: RatingListQuery,
      response: { 200: RatingPage, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse }
    },
    preHandler: app.requireUser('admin', 'supervisor', 'analyst', 'officer')
  }, async (request) => {
    const actor = userActor(request.actor)
    const query = request.query
    const { from, until } = range(query.from, query.to)
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
    const limit = query.limit ?? 50
    if (actor.role === 'officer') {
      if (query.officerId !== undefined && query.officerId !== actor.officerId) throw notFound('Officer', 'OFFICER_NOT_FOUND')
    } else {
      if (query.unitId !== undefined && !await unitWithinScope(app.db, actor, query.unitId)) throw notFound('Unit', 'UNIT_NOT_FOUND')
      if (query.counterId !== undefined) {
        const counter = await findCounterPlace(app.db, query.counterId)
        if (counter === undefined || !await unitWithinScope(app.db, actor, counter.unit_id)) throw notFound('Counter', 'COUNTER_NOT_FOUND')
      }
      if (query.officerId !== undefined) {
        const officer = await findOfficer(app.db, query.officerId)
        if (officer === undefined || !await unitWithinScope(app.db, actor, officer.unit_id)) throw notFound('Officer', 'OFFICER_NOT_FOUND')
      }
    }
    const { unitId, counterId, officerId, includeMisuse } = query
    const filter = { unitId, counterId, officerId, includeMisuse, from, until }
    // The page reads the replica (its replay point); the scope checks above read the primary.
    const page = await listRatingPage(await app.readerFor(request), actor, filter, { after: cursor, limit })
    return { items: page.items, nextCursor: page.next === null ? null : encodeCursor(page.next.countedKey, page.next.id) }
  })
}

export default ratings
