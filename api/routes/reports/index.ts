// /api/v1/reports/monthly: the monthly report of a unit subtree and period as a PDF (the official form), for users in scope and API tokens.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AnalyticsInputError, byCounter, byOfficer, byUnit, caseFigures, labels, summary } from '../../../analytics/queries.ts'
import { toLocalDate } from '../../../analytics/calendar.ts'
import { ApiError, badRequest } from '../../errors.ts'
import { findUnit } from '../../repositories/organisation.ts'
import { unitAncestorIds } from '../../repositories/units.ts'
import { ErrorResponse } from '../../../contract/common.ts'
import { ReportQuery } from '../../../contract/reports.ts'
import { monthlyReportPdf } from '../../services/monthly-report.ts'
import { withReasonLabels } from '../../services/follow-up.ts'

/** "Tỉnh Hải Dương" → "Hải Dương": the place of the date line. */
/** The report's symbol when it covers the whole tree (no unit code): Hài Lòng's own. */
const WHOLE_SYSTEM_CODE = 'HL'

const placeOf = (name: string): string => name.replace(/^(tỉnh|thành phố|tp\.?)\s+/iu, '').trim()

const reports: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', app.authenticateStats)

  app.get(
    '/monthly',
    {
      schema: {
        tags: ['stats'],
        summary: 'The monthly report as a PDF in the form of Decree 30/2020/NĐ-CP (A4, Vietnamese fonts embedded)',
        security: [{ session: [] }, { bearer: [] }],
        produces: ['application/pdf'],
        querystring: ReportQuery,
        response: {
          200: { description: 'application/pdf', type: 'string', format: 'binary' },
          400: { ...ErrorResponse, description: 'RANGE_INVALID, RANGE_TOO_LONG or VALIDATION_FAILED' },
          401: { ...ErrorResponse, description: 'AUTH_REQUIRED' },
          404: { ...ErrorResponse, description: 'UNIT_NOT_FOUND: not in your scope' }
        }
      }
    },
    async (request, reply) => {
      const actor = request.actor
      if (actor === null) throw new ApiError(401, 'AUTH_REQUIRED', 'Sign in or send an API token')
      const query = request.query
      let unitId: string | null = actor.unitId
      if (query.unitId !== undefined) {
        if (!(await app.unitInScope(actor, query.unitId))) throw new ApiError(404, 'UNIT_NOT_FOUND', 'Unit not found')
        unitId = query.unitId
      }
      // An officer's report holds only their own ratings, as their statistics do.
      const officerId = actor.kind === 'user' && actor.role === 'officer' ? actor.officerId : null
      const to = query.to ?? toLocalDate(new Date())
      const from = query.from ?? (/^\d{4}-\d{2}-\d{2}$/.test(to) ? `${to.slice(0, 8)}01` : to)
      const filter = { unitId, from, to, counterId: null, officerId, includeMisuse: false }
      // Figures and names as of the replica's replay point (the scope check above read the primary).
      const db = await app.readerFor(request)
      let figures
      try {
        figures = await Promise.all([
          summary(db, filter),
          byUnit(db, filter),
          byCounter(db, filter),
          byOfficer(db, filter, { minSample: app.config.minSample }),
          labels(db),
          caseFigures(db, filter).then((figures) => withReasonLabels(db, unitId, figures))
        ])
      } catch (error) {
        if (error instanceof AnalyticsInputError) throw badRequest(error.code, error.message)
        throw error
      }
      const [total, units, counters, officers, names, cases] = figures
      const unit = unitId === null ? undefined : await findUnit(db, unitId)
      const ancestors = unit === undefined ? [] : await unitAncestorIds(db, unit.id)
      const parent = unit?.parent_id == null ? undefined : await findUnit(db, unit.parent_id)
      const top = ancestors.length === 0 ? unit : ((await findUnit(db, ancestors.at(-1)!)) ?? unit)
      const lang = query.lang === 'en' ? 'en' : 'vi'
      const pdf = await monthlyReportPdf({
        lang,
        unit:
          unit === undefined
            ? { name: lang === 'vi' ? 'Toàn hệ thống' : 'Whole system', code: WHOLE_SYSTEM_CODE }
            : { name: unit.name, code: unit.code },
        superior: parent?.name ?? null,
        place: placeOf(top?.name ?? ''),
        from,
        to,
        madeOn: toLocalDate(new Date()),
        summary: total,
        units: units.rows,
        counters: counters.rows,
        officers: officers.rows,
        cases: cases.total,
        labels: names
      })
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="bao-cao-hai-long-${from}-${to}.pdf"`)
        .send(pdf as unknown as string)
    }
  )
}

export default reports
