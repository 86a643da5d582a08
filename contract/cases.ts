// Schemas of follow-up cases: one per unsatisfied rating, owned, due by the unit's SLA, resolved with a note (and reopened).
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
    resolvedByName: Type.Union([Type.Null(), Type.String()], { description: "That user's name" }),
    assigneeId: Type.Union([Type.Null(), Uuid], { description: 'The user who owns the follow-up; null: nobody yet' }),
    assigneeName: Type.Union([Type.Null(), Type.String()]),
    dueAt: Timestamp,
    overdue: Type.Boolean({ description: 'Open after its due time' }),
    note: Type.Union([Type.Null(), Type.String()], { description: 'What was done: the answer, the apology' }),
    reason: Type.Union([Type.Null(), Type.Object({ code: Type.String(), labelVi: Type.String(), labelEn: Type.String() })], {
      description: 'What went wrong, as the citizen chose it on the terminal; null: not answered'
    }),
    callBack: Type.Boolean({ description: 'The citizen left a number to be called back (true also once it is erased)' }),
    phone: Type.Union([Type.Null(), Type.String()], {
      description: 'The call-back number: whole in GET /cases/:id and masked ("09******89") in lists, to admins and supervisors ' +
        'in scope; null to officers and analysts, in live events, and once erased. Never exported'
    }),
    consentVersion: Type.Union([Type.Null(), Type.String()], {
      description: 'The consent sentence the citizen saw (Decree 13/2023/NĐ-CP)'
    }),
    consentAt: Type.Union([Type.Null(), Timestamp], { description: 'When the number arrived with that consent' }),
    phoneErasedAt: Type.Union([Type.Null(), Timestamp], {
      description: "When the number was erased (the unit's retention after resolution)"
    }),
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
  assigneeId: Type.Optional(Type.String({ format: 'uuid', description: 'Only cases owned by this user' })),
  overdue: Type.Optional(Type.Boolean({ description: 'true: only open cases past their due time; false: only the others' })),
  by: Type.Optional(Type.Union([Type.Literal('rated'), Type.Literal('resolved')], {
    default: 'rated',
    description: 'Which time `from`, `to`, the order and the cursor use: the rating (default) or the resolution (resolved cases only)'
  })),
  order: Type.Optional(Type.Union([Type.Literal('oldest'), Type.Literal('newest')], {
    default: 'oldest',
    description: 'oldest first (the most urgent open cases) or newest first'
  })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: "The previous page's `nextCursor`: the page after it (keyset: stable while cases arrive)" })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200, description: 'At most this many cases in a page' }))
})
export type CaseListQuery = Static<typeof CaseListQuery>

export const CasePage = Type.Object({
  items: Type.Array(Case),
  nextCursor: Type.Union([Type.Null(), Type.String()], { description: 'Pass as `cursor` for the next page; null: this was the last' }),
  total: Type.Integer({ minimum: 0, description: 'Cases matching the filters, in every page' })
})
export type CasePage = Static<typeof CasePage>

const Note = (description: string) => Type.String({
  minLength: 1,
  maxLength: 2000,
  pattern: '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$',
  description
})

export const CaseResolveBody = Type.Object(
  {
    status: Type.Literal('resolved', { description: 'Resolving the case' }),
    note: Note('What was done (1–2000 characters)')
  },
  { additionalProperties: false }
)
export type CaseResolveBody = Static<typeof CaseResolveBody>

export const CaseReopenBody = Type.Object(
  {
    status: Type.Literal('open', { description: 'Reopening a resolved case: its due time starts again from now' }),
    note: Type.Optional(Note('Why it is reopened'))
  },
  { additionalProperties: false }
)
export type CaseReopenBody = Static<typeof CaseReopenBody>

export const CaseAssignBody = Type.Object(
  { assigneeId: Type.Union([Type.Null(), Uuid], { description: 'An admin or supervisor whose scope holds the case; null: nobody' }) },
  { additionalProperties: false }
)
export type CaseAssignBody = Static<typeof CaseAssignBody>

export const CaseChangeBody = Type.Union([CaseResolveBody, CaseReopenBody, CaseAssignBody], {
  description: 'One change: resolve with a note, reopen, or (re)assign'
})
export type CaseChangeBody = Static<typeof CaseChangeBody>

export const CaseEventKind = Type.Union([
  Type.Literal('opened'), Type.Literal('assigned'), Type.Literal('note'), Type.Literal('contacted'),
  Type.Literal('resolved'), Type.Literal('reopened')
])
export type CaseEventKind = Static<typeof CaseEventKind>

export const CaseEvent = Type.Object(
  {
    kind: CaseEventKind,
    at: Timestamp,
    actorId: Type.Union([Type.Null(), Uuid], { description: 'Who did it; null for the opening (the citizen\'s rating)' }),
    actorName: Type.Union([Type.Null(), Type.String()]),
    assigneeId: Type.Union([Type.Null(), Uuid], { description: 'assigned: the new owner (null: unassigned)' }),
    assigneeName: Type.Union([Type.Null(), Type.String()]),
    note: Type.Union([Type.Null(), Type.String()])
  },
  { description: 'One step of a case\'s history' }
)
export type CaseEvent = Static<typeof CaseEvent>

export const CaseEventBody = Type.Object(
  {
    kind: Type.Union([Type.Literal('note'), Type.Literal('contacted')], {
      description: 'note: a remark; contacted: the citizen was called back'
    }),
    note: Note('What was said or done (1–2000 characters)')
  },
  { additionalProperties: false }
)
export type CaseEventBody = Static<typeof CaseEventBody>
