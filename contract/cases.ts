// Schemas of follow-up cases: one per unsatisfied rating, open until a supervisor resolves it with a note.
import { Type, type Static } from 'typebox'
import { Timestamp, Uuid } from './common.ts'

export const CaseStatus = Type.Union([Type.Literal('open'), Type.Literal('resolved')], { description: 'open until resolved with a note' })
export type CaseStatus = Static<typeof CaseStatus>

export const Case = Type.Object(
  {
    id: Uuid,
    unitId: Uuid,
    ratingId: Uuid,
    counterId: Uuid,
    counterNumber: Type.Integer({ description: "The counter's number, as citizens know it" }),
    officerId: Type.Union([Type.Null(), Uuid], { description: 'The officer credited with the rating; null if nobody was signed in' }),
    officerName: Type.Union([Type.Null(), Type.String()]),
    status: CaseStatus,
    level: Type.Integer({ description: "The rating's level" }),
    category: Type.String({ description: "The rating's category (unsatisfied)" }),
    ratedAt: Timestamp,
    openedAt: Timestamp,
    resolvedAt: Type.Union([Type.Null(), Timestamp]),
    resolvedBy: Type.Union([Type.Null(), Uuid], { description: 'The user who resolved it' }),
    note: Type.Union([Type.Null(), Type.String()], { description: 'What was done: the answer, the apology' }),
    ageSeconds: Type.Integer({ minimum: 0, description: 'Seconds from the rating until now (open) or until it was resolved' })
  },
  { description: 'The follow-up of an unsatisfied rating' }
)
export type Case = Static<typeof Case>

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' })
const DayOrInstant = (description: string) => Type.Union([Day, Timestamp], { description })

export const CaseListQuery = Type.Object({
  status: Type.Optional(CaseStatus),
  unitId: Type.Optional(Type.String({ format: 'uuid', description: "Only cases in this unit's subtree" })),
  counterId: Type.Optional(Type.String({ format: 'uuid' })),
  officerId: Type.Optional(Type.String({ format: 'uuid' })),
  from: Type.Optional(DayOrInstant('Rated on or after: YYYY-MM-DD (a whole day in Asia/Ho_Chi_Minh) or an ISO 8601 instant')),
  to: Type.Optional(DayOrInstant('Rated on or before: YYYY-MM-DD (the whole day, inclusive) or an ISO 8601 instant')),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200, description: 'At most this many cases, oldest first' }))
})
export type CaseListQuery = Static<typeof CaseListQuery>

export const CaseResolveBody = Type.Object(
  {
    status: Type.Literal('resolved', { description: 'The only change: resolving the case' }),
    note: Type.String({
      minLength: 1,
      maxLength: 2000,
      pattern: '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$',
      description: 'What was done (1–2000 characters)'
    })
  },
  { additionalProperties: false }
)
export type CaseResolveBody = Static<typeof CaseResolveBody>
