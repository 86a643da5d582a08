// Schemas of the reports: the monthly report (PDF) of a unit subtree.
import { Type, type Static } from 'typebox'

export const ReportQuery = Type.Object({
  unitId: Type.Optional(Type.String({ format: 'uuid', description: 'The issuing unit (root of the subtree); default: your own scope' })),
  from: Type.Optional(Type.String({
    description: 'First local day, YYYY-MM-DD; default: the first day of the month of `to`', examples: ['2026-11-01']
  })),
  to: Type.Optional(Type.String({ description: 'Last local day, YYYY-MM-DD; default: today', examples: ['2026-11-30'] })),
  lang: Type.Optional(Type.Union([Type.Literal('vi'), Type.Literal('en')], {
    default: 'vi', description: 'Vietnamese (default) or English'
  }))
}, { additionalProperties: false })
export type ReportQuery = Static<typeof ReportQuery>
