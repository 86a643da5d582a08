// GET /api/v1/ratings: the raw ratings in scope, newest first, a page at a time (officer users: only their own).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { badRequest, notFound } from '../../errors.ts'
import { subtreeOf, unitWithinScope, userActor } from '../../repositories/organisation.ts'
import { ErrorResponse } from '../../../contract/common.ts'
import { RatingListQuery, RatingPage, type RatingListItem } from '../../../contract/ratings.ts'
import type { Category, CriteriaAnswers, TerminalKind } from '../../../db/schema.ts'
import { range } from '../../lib/local-range.ts'

const NOBODY = '00000000-0000-0000-0000-000000000000'
/** counted_at as PostgreSQL prints it (microseconds kept, which a JS Date would lose), then the id. */
const CURSOR = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}(?::\d{2}){0,2})\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/

function encodeCursor (countedKey: string, id: string): string {
  return Buffer.from(`${countedKey}|${id}`).toString('base64url')
}

function decodeCursor (cursor: string): { countedKey: string, id: string } {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString())
  if (match === null) throw badRequest('INVALID_CURSOR', 'The cursor is not one this API gave')
  return { countedKey: match[1]!, id: match[2]! }
}

interface RatingWithNamesRow {
  id: string
  unit_id: string
  counter_id: string
  counter_number: number
  officer_id: string | null
  officer_name: string | null
  level: number
  category: Category
  criteria: CriteriaAnswers
  rated_at: Date
  received_at: Date
  counted_at: Date
  counted_key: string
  source: TerminalKind
  misuse: boolean
}

function rowToRatingItem (row: RatingWithNamesRow): RatingListItem {
  return {
    id: row.id,
    unitId: row.unit_id,
    counterId: row.counter_id,
    counterNumber: row.counter_number,
    officerId: row.officer_id,
    officerName: row.officer_name,
    level: row.level,
    category: row.category,
    criteria: row.criteria,
    ratedAt: row.rated_at.toISOString(),
    receivedAt: row.received_at.toISOString(),
    countedAt: row.counted_at.toISOString(),
    source: row.source,
    misuse: row.misuse
  }
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
        const counter = await app.db.selectFrom('counters').select('unit_id').where('id', '=', query.counterId).executeTakeFirst()
        if (counter === undefined || !await unitWithinScope(app.db, actor, counter.unit_id)) throw notFound('Counter', 'COUNTER_NOT_FOUND')
      }
      if (query.officerId !== undefined) {
        const officer = await app.db.selectFrom('officers').select('unit_id').where('id', '=', query.officerId).executeTakeFirst()
        if (officer === undefined || !await unitWithinScope(app.db, actor, officer.unit_id)) throw notFound('Officer', 'OFFICER_NOT_FOUND')
      }
    }

    let list = app.db.selectFrom('ratings')
      .innerJoin('counters', 'counters.id', 'ratings.counter_id')
      .leftJoin('officers', 'officers.id', 'ratings.officer_id')
      .select([
        'ratings.id', 'ratings.unit_id', 'ratings.counter_id', 'counters.number as counter_number', 'ratings.officer_id',
        'officers.full_name as officer_name', 'ratings.level', 'ratings.category', 'ratings.criteria', 'ratings.rated_at',
        'ratings.received_at', 'ratings.counted_at', sql<string>`ratings.counted_at::text`.as('counted_key'), 'ratings.source', 'ratings.misuse'
      ])
    if (actor.role === 'officer') list = list.where('ratings.officer_id', '=', actor.officerId ?? NOBODY)
    else if (actor.unitId !== null) list = list.where('ratings.unit_id', 'in', subtreeOf(actor.unitId))
    if (query.unitId !== undefined) list = list.where('ratings.unit_id', 'in', subtreeOf(query.unitId))
    if (query.counterId !== undefined) list = list.where('ratings.counter_id', '=', query.counterId)
    if (query.officerId !== undefined) list = list.where('ratings.officer_id', '=', query.officerId)
    if (query.includeMisuse !== true) list = list.where('ratings.misuse', '=', false)
    if (from !== undefined) list = list.where('ratings.counted_at', '>=', from)
    if (until !== undefined) list = list.where('ratings.counted_at', '<', until)
    if (cursor !== undefined) list = list.where(sql<boolean>`(ratings.counted_at, ratings.id) < (${cursor.countedKey}::timestamptz, ${cursor.id}::uuid)`)
    const rows = await list.orderBy('ratings.counted_at', 'desc').orderBy('ratings.id', 'desc').limit(limit + 1).execute() as RatingWithNamesRow[]
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return {
      items: page.map(rowToRatingItem),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.counted_key, last.id) : null
    }
  })
}

export default ratings
