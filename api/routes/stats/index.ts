// Statistics endpoints under /api/v1/stats: figures for a unit subtree and period, as JSON or CSV, for users in scope and API tokens.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import {
  AnalyticsInputError,
  byChannel,
  byCounter,
  caseFigures,
  byOfficer,
  byUnit,
  heatmap,
  labels,
  summary,
  timeseries,
  type FigureFilter,
  visits,
  type Figures
} from '../../../analytics/queries.ts'
import { toLocalDate, DAY } from '../../../analytics/calendar.ts'
import { ApiError, badRequest } from '../../errors.ts'
import { findUnit } from '../../repositories/organisation.ts'
import { ErrorResponse } from '../../../contract/common.ts'
import {
  BucketRow,
  CaseStats,
  ChannelRow,
  CounterRow,
  Figures as FiguresSchema,
  HeatmapRow,
  OfficerRow,
  RowsOf,
  StatsQuery,
  TimeseriesQuery,
  UnitRow,
  VisitStats,
  type StatsQueryType
} from '../../../contract/stats.ts'
import { withReasonLabels } from '../../services/follow-up.ts'
import { caseFiguresCsv, figuresCsv, keyColumns, visitsCsv, type Lang } from './csv.ts'
import type { Db } from '../../../db/schema.ts'

const errors = {
  400: { ...ErrorResponse, description: 'Bad query: RANGE_INVALID, RANGE_TOO_LONG, INTERVAL_INVALID or VALIDATION_FAILED' },
  401: { ...ErrorResponse, description: 'AUTH_REQUIRED: no session and no valid API token' },
  404: { ...ErrorResponse, description: 'UNIT_NOT_FOUND or OFFICER_NOT_FOUND: not in your scope' }
}

const common = {
  tags: ['stats'],
  security: [{ session: [] }, { bearer: [] }] as Array<Record<string, string[]>>,
  produces: ['application/json', 'text/csv'],
  description:
    'JSON (the default) gives raw fractions for rates (0.739…), for machines. `format=csv` gives a file for people opening ' +
    'it in Excel: UTF-8 with a BOM, CRLF line ends; first a title line (`Đơn vị: …;Kỳ: 01/11/2026 – 30/11/2026`, in English ' +
    '`Unit: …,Period: 2026-11-01 – 2026-11-30`), then an empty line, then the table (a reader skips the first two lines). ' +
    '`lang=vi` (default): fields separated by `;`, rates in per cent with one decimal and a decimal comma (`73,9`), headers ' +
    'marked `(%)`; `lang=en`: separated by `,` with a decimal point (`73.9`). Counts are plain integers. Names and codes ' +
    'come first, ids last; officers in Vietnamese alphabetical order, units by code, counters by unit and number (as in JSON).'
}

type Kind = keyof typeof keyColumns

const stats: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.authenticateStats)

  /** The filter this actor may see: default scope root, out-of-scope units and other officers are 404s. */
  async function filterFor (request: FastifyRequest, query: StatsQueryType): Promise<FigureFilter> {
    const actor = request.actor
    if (actor === null) throw new ApiError(401, 'AUTH_REQUIRED', 'Sign in or send an API token')
    let unitId: string | null = actor.unitId
    if (query.unitId !== undefined) {
      if (!(await app.unitInScope(actor, query.unitId))) throw new ApiError(404, 'UNIT_NOT_FOUND', 'Unit not found')
      unitId = query.unitId
    }
    let officerId = query.officerId ?? null
    if (actor.kind === 'user' && actor.role === 'officer') {
      // An officer sees only their own figures.
      if (officerId !== null && officerId !== actor.officerId) throw new ApiError(404, 'OFFICER_NOT_FOUND', 'Officer not found')
      officerId = actor.officerId
    }
    const to = query.to ?? toLocalDate(new Date())
    const from =
      query.from ?? (/^\d{4}-\d{2}-\d{2}$/.test(to) ? toLocalDate(new Date(new Date(`${to}T00:00:00+07:00`).getTime() - 29 * DAY)) : to)
    return { unitId, from, to, counterId: query.counterId ?? null, officerId, includeMisuse: query.includeMisuse ?? false }
  }

  async function answer<R extends Figures | { rows: Figures[] }> (
    request: FastifyRequest,
    reply: FastifyReply,
    kind: Kind,
    query: StatsQueryType,
    compute: (db: Db, filter: FigureFilter) => Promise<R>
  ): Promise<R> {
    // The scope check reads the primary (a unit moved out of scope is out at once); the figure reads the replica.
    const filter = await filterFor(request, query)
    const db = await app.readerFor(request)
    let result: R
    try {
      result = await compute(db, filter)
    } catch (error) {
      if (error instanceof AnalyticsInputError) throw badRequest(error.code, error.message)
      throw error
    }
    if (query.format !== 'csv') return result
    const rows = ('rows' in result ? result.rows : [result]) as Array<Figures & Record<string, unknown>>
    const lang: Lang = query.lang === 'en' ? 'en' : 'vi'
    const unitName = filter.unitId === null ? null : (await findUnit(db, filter.unitId))?.name ?? null
    const csv = figuresCsv(rows, keyColumns[kind], await labels(db), lang, { unitName, from: filter.from, to: filter.to })
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="hai-long-${kind}-${filter.from}-${filter.to}.csv"`)
      .send(csv) as unknown as R
  }

  app.get(
    '/summary',
    {
      schema: {
        ...common,
        summary: 'Figures for a unit subtree and period',
        querystring: StatsQuery,
        response: { 200: FiguresSchema, ...errors }
      }
    },
    async (request, reply) => answer(request, reply, 'summary', request.query, (db, filter) => summary(db, filter))
  )

  app.get(
    '/officers',
    {
      schema: {
        ...common,
        summary: 'Figures per officer (by name), with the small-sample mark',
        querystring: StatsQuery,
        response: { 200: RowsOf(OfficerRow, 'One row per officer credited with ratings'), ...errors }
      }
    },
    async (request, reply) =>
      answer(request, reply, 'officers', request.query, (db, filter) => byOfficer(db, filter, { minSample: app.config.minSample }))
  )

  app.get(
    '/counters',
    {
      schema: {
        ...common,
        summary: 'Figures per counter',
        querystring: StatsQuery,
        response: { 200: RowsOf(CounterRow, 'One row per counter with ratings'), ...errors }
      }
    },
    async (request, reply) => answer(request, reply, 'counters', request.query, (db, filter) => byCounter(db, filter))
  )

  app.get(
    '/units',
    {
      schema: {
        ...common,
        summary: 'Figures per child unit, each over its whole subtree',
        querystring: StatsQuery,
        response: { 200: RowsOf(UnitRow, 'One row per child unit of the root'), ...errors }
      }
    },
    async (request, reply) => answer(request, reply, 'units', request.query, (db, filter) => byUnit(db, filter))
  )

  app.get(
    '/cases',
    {
      schema: {
        ...common,
        summary: 'The follow-up of unsatisfied citizens: cases opened, resolved, on time, time to resolve, open and overdue now',
        description:
          'Per child unit of the root (each over its whole subtree) and in total. `opened` counts cases opened in the period, ' +
          '`resolved` those resolved in it (whenever opened); `resolvedWithinSla` those resolved by their due time (the ' +
          "unit's SLA in working days, Monday to Saturday morning); times from opening to resolution in seconds (the CSV: " +
          'hours with one decimal); `openNow` and `overdueNow` are as of the request, whatever the period. Call-back phone ' +
          'numbers are never part of it. ' + common.description,
        querystring: StatsQuery,
        response: { 200: CaseStats, ...errors }
      }
    },
    async (request, reply) => {
      const filter = await filterFor(request, request.query)
      const db = await app.readerFor(request)
      let result: CaseStats
      try {
        result = await withReasonLabels(db, filter.unitId, await caseFigures(db, filter))
      } catch (error) {
        if (error instanceof AnalyticsInputError) throw badRequest(error.code, error.message)
        throw error
      }
      if (request.query.format !== 'csv') return result
      const lang: Lang = request.query.lang === 'en' ? 'en' : 'vi'
      const unitName = filter.unitId === null ? null : (await findUnit(db, filter.unitId))?.name ?? null
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="hai-long-cases-${filter.from}-${filter.to}.csv"`)
        .send(caseFiguresCsv(result, lang, { unitName, from: filter.from, to: filter.to }) as never) as unknown as CaseStats
    }
  )

  app.get(
    '/timeseries',
    {
      schema: {
        ...common,
        summary: 'Figures per hour, day, week or month (local time), empty buckets included',
        querystring: TimeseriesQuery,
        response: { 200: RowsOf(BucketRow, 'One row per bucket, oldest first'), ...errors }
      }
    },
    async (request, reply) =>
      answer(request, reply, 'timeseries', request.query, (db, filter) =>
        timeseries(db, { ...filter, interval: request.query.interval ?? 'day' })
      )
  )

  app.get(
    '/heatmap',
    {
      schema: {
        ...common,
        summary: 'Figures by local weekday × hour of day (7 × 24 rows)',
        querystring: StatsQuery,
        response: { 200: RowsOf(HeatmapRow, 'Monday 0:00 first, Sunday 23:00 last'), ...errors }
      }
    },
    async (request, reply) => answer(request, reply, 'heatmap', request.query, (db, filter) => heatmap(db, filter))
  )

  app.get(
    '/channels',
    {
      schema: {
        ...common,
        summary: 'Figures per channel: the counter\'s touch terminal, the button box, and rated later from a phone',
        querystring: StatsQuery,
        response: { 200: RowsOf(ChannelRow, 'Three rows: touch, button, phone (zeros included)'), ...errors }
      }
    },
    async (request, reply) => answer(request, reply, 'channels', request.query, (db, filter) => byChannel(db, filter))
  )

  app.get(
    '/visits',
    {
      schema: {
        ...common,
        summary: 'Share of visits rated (ratings with a ticket ÷ tickets called) and dossiers rated, per counter and day',
        description:
          'Tickets called come from the queue system (POST /api/v1/queue/calls): distinct tickets per counter and local day. ' +
          'Ratings with a ticket are counted on the local day they count for. Per counter and local day (`rows`), per counter ' +
          '(`counters`) and in all (`total`); `dossiersRated` counts distinct dossiers over each row\'s own span. At most 366 ' +
          'days. Not for officer users (a counter\'s visits are not one officer\'s figures): 403 FORBIDDEN. ' + common.description,
        querystring: StatsQuery,
        response: {
          200: VisitStats,
          ...errors,
          403: { ...ErrorResponse, description: 'FORBIDDEN: an officer user (the share of visits rated is per counter)' }
        }
      }
    },
    async (request, reply) => {
      const actor = request.actor
      if (actor?.kind === 'user' && actor.role === 'officer') throw new ApiError(403, 'FORBIDDEN', 'Officers see their own figures only')
      const filter = await filterFor(request, request.query)
      const db = await app.readerFor(request)
      let result: VisitStats
      try {
        result = await visits(db, filter)
      } catch (error) {
        if (error instanceof AnalyticsInputError) throw badRequest(error.code, error.message)
        throw error
      }
      if (request.query.format !== 'csv') return result
      const lang: Lang = request.query.lang === 'en' ? 'en' : 'vi'
      const unitName = filter.unitId === null ? null : (await findUnit(db, filter.unitId))?.name ?? null
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="hai-long-visits-${filter.from}-${filter.to}.csv"`)
        .send(visitsCsv(result, lang, { unitName, from: filter.from, to: filter.to }) as never) as unknown as VisitStats
    }
  )
}

export default stats
