// Schemas of the raw ratings list (newest first, by cursor) and of an officer's shifts.
import { Type, type Static } from 'typebox'
import { CriterionAnswer, RatingSourceSchema, Timestamp, Uuid } from './common.ts'

export const RatingListItem = Type.Object({
  id: Uuid,
  unitId: Uuid,
  counterId: Uuid,
  counterNumber: Type.Integer({ description: 'The counter\'s number, as citizens know it' }),
  officerId: Type.Union([Type.Null(), Uuid], { description: 'The officer credited; null if nobody was signed in' }),
  officerName: Type.Union([Type.Null(), Type.String()]),
  level: Type.Integer(),
  category: Type.Union([Type.Literal('satisfied'), Type.Literal('neutral'), Type.Literal('unsatisfied')]),
  criteria: Type.Record(Type.String(), CriterionAnswer, {
    description: 'Answered criteria: code → true (met), false (not met) or "na" (not applicable)'
  }),
  ratedAt: Timestamp,
  receivedAt: Timestamp,
  countedAt: Timestamp,
  source: RatingSourceSchema,
  misuse: Type.Boolean({ description: 'Suspected misuse: listed only with includeMisuse=true' }),
  misuseReason: Type.Union([
    Type.Null(), Type.Literal('cooldown'), Type.Literal('burst'), Type.Literal('backdated'), Type.Literal('ticket_repeat')
  ], { description: 'Why it is suspected misuse; ticket_repeat: a second rating for the same queue ticket on the same day' }),
  ticket: Type.Union([Type.Null(), Type.String()], { description: 'The queue number of the visit, when known' }),
  dossierCode: Type.Union([Type.Null(), Type.String()], { description: 'The dossier code of the visit, when known' })
}, { description: 'One rating as stored' })
export type RatingListItem = Static<typeof RatingListItem>

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' })
const DayOrInstant = (description: string) => Type.Union([Day, Timestamp], { description })

export const RatingListQuery = Type.Object({
  unitId: Type.Optional(Type.String({ format: 'uuid', description: 'Only ratings in this unit\'s subtree' })),
  counterId: Type.Optional(Type.String({ format: 'uuid' })),
  officerId: Type.Optional(Type.String({ format: 'uuid' })),
  from: Type.Optional(DayOrInstant('Counted on or after: YYYY-MM-DD (a whole day in Asia/Ho_Chi_Minh) or an ISO 8601 instant')),
  to: Type.Optional(DayOrInstant('Counted on or before: YYYY-MM-DD (the whole day, inclusive) or an ISO 8601 instant')),
  includeMisuse: Type.Optional(Type.Boolean({ default: false, description: 'List suspected misuse too' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' }))
})
export type RatingListQuery = Static<typeof RatingListQuery>

export const RatingPage = Type.Object({
  items: Type.Array(RatingListItem),
  nextCursor: Type.Union([Type.Null(), Type.String()], { description: 'Pass as cursor for the next (older) page; null at the end' })
}, { description: 'Ratings, newest first (by the time the figures use)' })
export type RatingPage = Static<typeof RatingPage>

export const Shift = Type.Object({
  id: Uuid,
  unitId: Uuid,
  counterId: Uuid,
  counterNumber: Type.Integer(),
  counterName: Type.String(),
  officerId: Uuid,
  startedAt: Timestamp,
  endedAt: Type.Union([Type.Null(), Timestamp], { description: 'null while the shift is open' })
}, { description: 'A shift of the officer at a counter' })
export type Shift = Static<typeof Shift>

export const ShiftListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'At most this many, newest first' }))
})
export type ShiftListQuery = Static<typeof ShiftListQuery>
