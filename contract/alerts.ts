// Schemas of alert rules (per unit, evaluated by the server) and the alerts they fire.
import { Type, type Static } from 'typebox'
import { Timestamp, Uuid } from './common.ts'

export const AlertRuleKind = Type.Union([Type.Literal('unsatisfied_share'), Type.Literal('unsatisfied_streak')], {
  description:
    "unsatisfied_share: the unsatisfied share of the unit subtree's ratings in the last windowMinutes is above thresholdPercent, with at least minCount ratings; unsatisfied_streak: the last `count` ratings at one counter were all unsatisfied"
})
export type AlertRuleKind = Static<typeof AlertRuleKind>

export const AlertKind = Type.Union([...AlertRuleKind.anyOf, Type.Literal('case_overdue')], {
  description: "A rule's kind, or case_overdue: a follow-up case still open after its due time (raised once, without a rule)"
})
export type AlertKind = Static<typeof AlertKind>

export const AlertRuleParameters = Type.Object(
  {
    windowMinutes: Type.Optional(
      Type.Integer({ minimum: 5, maximum: 1440, description: 'unsatisfied_share: the window, in minutes up to now' })
    ),
    thresholdPercent: Type.Optional(
      Type.Number({ minimum: 0, maximum: 100, description: 'unsatisfied_share: fires when the share is above this' })
    ),
    minCount: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10000, description: 'unsatisfied_share: at least this many ratings in the window' })
    ),
    count: Type.Optional(
      Type.Integer({ minimum: 2, maximum: 100, description: 'unsatisfied_streak: this many unsatisfied in a row at one counter' })
    )
  },
  { additionalProperties: false, description: "The parameters of the rule's kind; misuse ratings never count" }
)
export type AlertRuleParameters = Static<typeof AlertRuleParameters>

export const AlertRule = Type.Object(
  {
    id: Uuid,
    unitId: Uuid,
    kind: AlertRuleKind,
    parameters: AlertRuleParameters,
    enabled: Type.Boolean(),
    createdBy: Type.Union([Type.Null(), Uuid]),
    createdAt: Timestamp,
    updatedAt: Timestamp
  },
  { description: "A rule over the ratings of a unit's subtree" }
)
export type AlertRule = Static<typeof AlertRule>

export const AlertRuleListQuery = Type.Object({
  unitId: Type.Optional(Type.String({ format: 'uuid', description: "Only rules of units in this unit's subtree" }))
})
export type AlertRuleListQuery = Static<typeof AlertRuleListQuery>

export const AlertRuleCreateBody = Type.Object(
  {
    unitId: Uuid,
    kind: AlertRuleKind,
    parameters: AlertRuleParameters,
    enabled: Type.Optional(Type.Boolean({ default: true }))
  },
  { additionalProperties: false }
)
export type AlertRuleCreateBody = Static<typeof AlertRuleCreateBody>

export const AlertRuleUpdateBody = Type.Object(
  {
    parameters: Type.Optional(AlertRuleParameters),
    enabled: Type.Optional(Type.Boolean())
  },
  { additionalProperties: false, description: 'The unit and the kind stay; make a new rule for another' }
)
export type AlertRuleUpdateBody = Static<typeof AlertRuleUpdateBody>

export const Alert = Type.Object(
  {
    id: Uuid,
    unitId: Uuid,
    ruleId: Type.Union([Type.Null(), Uuid], { description: 'null once the rule was deleted, and for case_overdue' }),
    kind: AlertKind,
    counterId: Type.Union([Type.Null(), Uuid], { description: 'The counter of a streak' }),
    counterNumber: Type.Union([Type.Null(), Type.Integer()]),
    firedAt: Timestamp,
    details: Type.Object(
      {
        parameters: AlertRuleParameters,
        caseId: Type.Optional(Uuid),
        dueAt: Type.Optional(Timestamp),
        total: Type.Optional(Type.Integer({ description: 'unsatisfied_share: ratings in the window' })),
        unsatisfied: Type.Optional(Type.Integer({ description: 'unsatisfied ratings in the window, or in the streak' })),
        share: Type.Optional(Type.Number({ description: 'unsatisfied_share: unsatisfied ÷ total, 0–1' })),
        ratingIds: Type.Optional(Type.Array(Uuid, { description: 'unsatisfied_streak: the ratings of the streak, newest first' })),
        officerIds: Type.Optional(Type.Array(Uuid, { description: 'unsatisfied_streak: the officers credited' }))
      },
      { description: 'What the rule saw when it fired' }
    ),
    acknowledged: Type.Boolean(),
    acknowledgedAt: Type.Union([Type.Null(), Timestamp]),
    acknowledgedBy: Type.Union([Type.Null(), Uuid]),
    note: Type.Union([Type.Null(), Type.String()])
  },
  { description: 'An alert fired by a rule; open until acknowledged' }
)
export type Alert = Static<typeof Alert>

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' })
const DayOrInstant = (description: string) => Type.Union([Day, Timestamp], { description })

export const AlertListQuery = Type.Object({
  unitId: Type.Optional(Type.String({ format: 'uuid', description: "Only alerts in this unit's subtree" })),
  acknowledged: Type.Optional(Type.Boolean({ description: 'true: only acknowledged; false: only open' })),
  from: Type.Optional(DayOrInstant('Fired on or after: YYYY-MM-DD (a whole day in Asia/Ho_Chi_Minh) or an ISO 8601 instant')),
  to: Type.Optional(DayOrInstant('Fired on or before: YYYY-MM-DD (the whole day, inclusive) or an ISO 8601 instant')),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 500, default: 100, description: 'At most this many: open first, then newest first' })
  )
})
export type AlertListQuery = Static<typeof AlertListQuery>

export const AlertAcknowledgeBody = Type.Object(
  {
    note: Type.Optional(Type.String({ maxLength: 2000, description: 'What was done (optional)' }))
  },
  { additionalProperties: false }
)
export type AlertAcknowledgeBody = Static<typeof AlertAcknowledgeBody>
