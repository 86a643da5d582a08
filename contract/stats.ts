// Schemas of the statistics endpoints: the query every figure takes, the figures object and each kind of row.
import { Type, type Static, type TProperties } from 'typebox'
import { Uuid } from './common.ts'

const nullableRate = (description: string) => Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description })

export const CriterionFigure = Type.Object(
  {
    code: Type.String({ description: 'Criterion code, as in GET /api/v1/terminal/state → criteria[].code', examples: ['xin_chao'] }),
    answered: Type.Integer({ minimum: 0, description: 'Ratings that answered this criterion yes or no (not-applicable answers are not in it)' }),
    met: Type.Integer({ minimum: 0, description: 'Of those, answered as met' }),
    notApplicable: Type.Integer({ minimum: 0, description: 'Ratings that answered "not applicable" (Không áp dụng): outside answered and the rate' }),
    rate: nullableRate('met ÷ answered, unrounded; null when nobody answered yes or no')
  },
  { description: 'One conduct criterion ("4 xin, 4 luôn")' }
)
export type CriterionFigure = Static<typeof CriterionFigure>

const figureProperties = {
  total: Type.Integer({ minimum: 0, description: 'Ratings counted (misuse left out unless includeMisuse)' }),
  byLevel: Type.Record(Type.String({ pattern: '^[0-9]+$' }), Type.Integer({ minimum: 0 }), {
    description: 'Ratings per scale level (every configured level, zeros included)',
    examples: [{ 4: 120, 3: 60, 2: 15, 1: 5 }]
  }),
  satisfied: Type.Integer({ minimum: 0, description: 'Ratings in `satisfied` levels' }),
  neutral: Type.Integer({ minimum: 0, description: 'Ratings in `neutral` levels' }),
  unsatisfied: Type.Integer({ minimum: 0, description: 'Ratings in `unsatisfied` levels' }),
  satisfactionRate: nullableRate('satisfied ÷ total, unrounded; null when total is 0'),
  rate766: nullableRate(
    'Decision 766/QĐ-TTg: (visits − unsatisfied visits) ÷ visits, unrounded; null when total is 0. With rate766Basis `rating` a ' +
    'visit is a rating: (total − unsatisfied) ÷ total. With `dossier` each dossier code counts once, unsatisfied if any of its ' +
    'ratings in the period is, and each rating without a code counts one'
  ),
  rate766Basis: Type.Union([Type.Literal('dossier'), Type.Literal('rating')], {
    description: '`dossier` when any rating counted carries a dossier code (rate766 per dossier); otherwise `rating`'
  }),
  dossiers: Type.Integer({ minimum: 0, description: 'Distinct dossiers (mã hồ sơ, per unit) rated in the period' }),
  scoreIndex: Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()], {
    description: 'Mean weight of the ratings, 0–100, unrounded; null when total is 0'
  }),
  criteria: Type.Array(CriterionFigure, { description: 'Every active criterion in display order, then any other answered code' })
} satisfies TProperties

const figuresExample = {
  total: 200,
  byLevel: { 4: 120, 3: 60, 2: 15, 1: 5 },
  satisfied: 180,
  neutral: 15,
  unsatisfied: 5,
  satisfactionRate: 0.9,
  rate766: 0.975,
  rate766Basis: 'rating',
  dossiers: 0,
  scoreIndex: 85.5,
  criteria: [
    { code: 'xin_chao', answered: 150, met: 141, notApplicable: 0, rate: 0.94 },
    { code: 'xin_loi', answered: 20, met: 18, notApplicable: 130, rate: 0.9 }
  ]
}

export const Figures = Type.Object(figureProperties, { description: 'The figures object', examples: [figuresExample] })
export type Figures = Static<typeof Figures>

export const StatsQuery = Type.Object(
  {
    unitId: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'Root of the unit subtree; default: your own scope (an admin with the whole tree: every top-level unit)'
      })
    ),
    from: Type.Optional(
      Type.String({
        description: 'First local day (Asia/Ho_Chi_Minh), YYYY-MM-DD, included; default: 29 days before `to`',
        examples: ['2026-11-01']
      })
    ),
    to: Type.Optional(
      Type.String({
        description:
          'Last local day, YYYY-MM-DD, included; default: today. At most 1096 days in all (31 for interval=hour, 366 for the heat map)',
        examples: ['2026-11-30']
      })
    ),
    counterId: Type.Optional(Type.String({ format: 'uuid', description: 'Only ratings at this counter' })),
    officerId: Type.Optional(
      Type.String({ format: 'uuid', description: 'Only ratings credited to this officer (an officer user always gets only their own)' })
    ),
    includeMisuse: Type.Optional(Type.Boolean({ default: false, description: 'Count ratings flagged as suspected misuse too' })),
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('csv')], {
        default: 'json',
        description:
          '`csv`: for people in Excel: UTF-8 with BOM, a title line (unit, period) and an empty line above the table, rates in per cent' +
          ' with one decimal; `json`: raw fractions, for machines'
      })
    ),
    lang: Type.Optional(
      Type.Union([Type.Literal('vi'), Type.Literal('en')], {
        default: 'vi',
        description: 'CSV language: `vi` (default; `;` between fields, decimal comma `73,9`) or `en` (`,` between fields, `73.9`)'
      })
    )
  },
  { description: 'Which ratings to count' }
)
export type StatsQuery = Static<typeof StatsQuery>

export const TimeseriesQuery = Type.Object({
  ...StatsQuery.properties,
  interval: Type.Optional(
    Type.String({ default: 'day', description: 'Bucket size: hour, day, week (Monday first) or month, in local time', examples: ['day'] })
  )
})
export type TimeseriesQuery = Static<typeof TimeseriesQuery>

export type StatsQueryType = Static<typeof TimeseriesQuery>

export const OfficerRow = Type.Object({
  officerId: Type.Union([Uuid, Type.Null()], { description: 'null: ratings given while no officer was signed in' }),
  fullName: Type.Union([Type.String(), Type.Null()], { description: 'Officer name', examples: ['Nguyễn Thị Hồng'] }),
  smallSample: Type.Boolean({ description: 'Fewer ratings than the configured minimum sample (MIN_SAMPLE): too few to judge on' }),
  ...figureProperties
})
export type OfficerRow = Static<typeof OfficerRow>
export const CounterRow = Type.Object({
  counterId: Uuid,
  unitId: Type.String({ format: 'uuid', description: "The counter's unit (centre)" }),
  number: Type.Integer({ description: 'Counter number', examples: [1] }),
  name: Type.String({ description: 'Counter name', examples: ['Quầy 1'] }),
  ...figureProperties
})
export type CounterRow = Static<typeof CounterRow>
export const UnitRow = Type.Object(
  {
    unitId: Uuid,
    code: Type.String({ description: 'Official unit code', examples: ['X01'] }),
    name: Type.String({ description: 'Unit name', examples: ['Xã Hòa Bình'] }),
    ...figureProperties
  },
  { description: 'A child unit of the root, over its whole subtree (the root itself only for ratings placed on it directly)' }
)
export type UnitRow = Static<typeof UnitRow>
export const BucketRow = Type.Object({
  bucket: Type.String({ description: 'Start of the bucket, ISO 8601 in +07:00', examples: ['2026-11-01T00:00:00+07:00'] }),
  ...figureProperties
})
export type BucketRow = Static<typeof BucketRow>
export const HeatmapRow = Type.Object({
  weekday: Type.Integer({ minimum: 1, maximum: 7, description: '1 = Monday … 7 = Sunday, local time' }),
  hour: Type.Integer({ minimum: 0, maximum: 23, description: 'Hour of day, local time' }),
  ...figureProperties
})
export type HeatmapRow = Static<typeof HeatmapRow>

export const RowsOf = <T extends ReturnType<typeof Type.Object>>(row: T, description: string) =>
  Type.Object({ rows: Type.Array(row) }, { description })
/** The answer of RowsOf(row), for a client. */
export interface Rows<T> {
  rows: T[]
}

const caseFigureProperties = {
  opened: Type.Integer({ minimum: 0, description: 'Cases opened in the period (one per unsatisfied rating, misuse left out)' }),
  resolved: Type.Integer({ minimum: 0, description: 'Cases resolved in the period, whenever they were opened' }),
  resolvedWithinSla: Type.Integer({ minimum: 0, description: 'Of those, resolved by their due time (the unit\'s SLA in working days)' }),
  withinSlaRate: Type.Union([Type.Null(), Type.Number({ minimum: 0, maximum: 1 })], {
    description: 'resolvedWithinSla ÷ resolved, 0–1; null when none was resolved'
  }),
  medianResolveSeconds: Type.Union([Type.Null(), Type.Integer({ minimum: 0 })], {
    description: 'Median time from opening to resolution of the cases resolved in the period, in seconds; null when none'
  }),
  p90ResolveSeconds: Type.Union([Type.Null(), Type.Integer({ minimum: 0 })], { description: 'Its 90th percentile' }),
  openNow: Type.Integer({ minimum: 0, description: 'Open now, whatever the period' }),
  overdueNow: Type.Integer({ minimum: 0, description: 'Open now and past their due time' }),
  topReasons: Type.Array(Type.Object({
    code: Type.String({ description: "The reason's code, as the unit's follow-up settings name it" }),
    labelVi: Type.String(),
    labelEn: Type.String(),
    count: Type.Integer({ minimum: 1, description: 'Cases opened in the period with this reason' })
  }), { maxItems: 5, description: 'What went wrong, as citizens chose it on the terminal: the most frequent first (at most 5)' })
}

export const CaseFigures = Type.Object(caseFigureProperties, { description: 'How the follow-up of unsatisfied citizens performs' })
export type CaseFigures = Static<typeof CaseFigures>

export const UnitCaseFigures = Type.Object({
  unitId: Uuid,
  code: Type.String({ description: 'Official unit code' }),
  name: Type.String({ description: 'Unit name' }),
  ...caseFigureProperties
}, { description: 'A child unit of the root, over its whole subtree' })
export type UnitCaseFigures = Static<typeof UnitCaseFigures>

export const CaseStats = Type.Object({
  total: CaseFigures,
  rows: Type.Array(UnitCaseFigures, { description: 'One row per child unit of the root (and the root itself), by code' })
}, { description: 'The follow-up loop of a unit subtree and period' })
export type CaseStats = Static<typeof CaseStats>

export const Channel = Type.Union([Type.Literal('touch'), Type.Literal('button'), Type.Literal('phone')], {
  description: '`touch`: the counter\'s terminal; `button`: the button box; `phone`: rated later from the citizen\'s phone (/r/<code>)'
})
export type Channel = Static<typeof Channel>
export const ChannelRow = Type.Object({ channel: Channel, ...figureProperties }, { description: 'The figures of one channel' })
export type ChannelRow = Static<typeof ChannelRow>

const visitProperties = {
  ticketsCalled: Type.Integer({ minimum: 0, description: 'Tickets called to the counter by the queue system: distinct tickets per counter and local day, summed' }),
  ratingsWithTicket: Type.Integer({ minimum: 0, description: 'Ratings carrying a ticket (misuse, such as a ticket\'s second rating, left out unless includeMisuse)' }),
  shareRated: nullableRate('ratingsWithTicket ÷ ticketsCalled, unrounded (may pass 1 when tickets are rated that the queue did not report); null when none was called'),
  dossiersRated: Type.Integer({ minimum: 0, description: 'Distinct dossiers (unit, code) rated' })
} satisfies TProperties
export const VisitCounts = Type.Object(visitProperties, { description: 'How many of the visits called were rated' })
export type VisitCounts = Static<typeof VisitCounts>
const counterKey = {
  counterId: Uuid,
  unitId: Type.String({ format: 'uuid', description: "The counter's unit (centre)" }),
  number: Type.Integer({ description: 'Counter number', examples: [1] }),
  name: Type.String({ description: 'Counter name', examples: ['Quầy 1'] })
}
export const CounterVisits = Type.Object({ ...counterKey, ...visitProperties }, { description: 'One counter over the period' })
export type CounterVisits = Static<typeof CounterVisits>
export const CounterDayVisits = Type.Object({
  day: Type.String({ description: 'Local day (Asia/Ho_Chi_Minh), YYYY-MM-DD', examples: ['2026-11-30'] }),
  ...counterKey,
  ...visitProperties
}, { description: 'One counter on one local day' })
export type CounterDayVisits = Static<typeof CounterDayVisits>
export const VisitStats = Type.Object({
  total: VisitCounts,
  counters: Type.Array(CounterVisits, { description: 'One row per counter with calls or rated tickets, by unit code and number' }),
  rows: Type.Array(CounterDayVisits, { description: 'One row per counter and local day with calls or rated tickets' })
}, { description: 'Share of visits rated and dossiers rated, for a unit subtree and period' })
export type VisitStats = Static<typeof VisitStats>
