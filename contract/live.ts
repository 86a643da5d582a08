// Schemas of the live events: what WS /api/v1/live sends to users (dashboards) and WS /api/v1/terminal/live to terminals.
import { Type, type Static } from 'typebox'
import { RoleSchema } from './accounts.ts'
import { Alert, AlertKind } from './alerts.ts'
import { Case, CaseStatus } from './cases.ts'
import { CriterionAnswer, RatingSourceSchema, Timestamp, Uuid } from './common.ts'
import { TerminalState } from './terminals.ts'

const Category = Type.Union([Type.Literal('satisfied'), Type.Literal('neutral'), Type.Literal('unsatisfied')])

/** A rating just stored (after its commit). */
export const LiveRating = Type.Object({
  id: Uuid,
  unitId: Uuid,
  counterId: Uuid,
  terminalId: Uuid,
  officerId: Type.Union([Uuid, Type.Null()], { description: 'The officer credited; null if nobody was signed in' }),
  level: Type.Integer(),
  category: Category,
  criteria: Type.Record(Type.String(), CriterionAnswer, {
    description: '{ criterionCode: true (met) | false (not met) | "na" (not applicable) }'
  }),
  ratedAt: Timestamp,
  receivedAt: Timestamp,
  countedAt: Timestamp,
  source: RatingSourceSchema,
  misuse: Type.Boolean(),
  ticket: Type.Union([Type.Null(), Type.String()], { description: 'The queue number of the visit, when known' }),
  dossierCode: Type.Union([Type.Null(), Type.String()], { description: 'The dossier code of the visit, when known' })
}, { description: 'A rating as the live feed shows it' })
export type LiveRating = Static<typeof LiveRating>

/** An unsatisfied rating (kind `unsatisfied`): the dashboard's toast. */
export const UnsatisfiedAlert = Type.Object({
  kind: Type.Literal('unsatisfied'),
  ratingId: Uuid,
  caseId: Type.Union([Uuid, Type.Null()]),
  unitId: Uuid,
  counterId: Uuid,
  officerId: Type.Union([Uuid, Type.Null()]),
  level: Type.Integer(),
  at: Timestamp
})
export type UnsatisfiedAlert = Static<typeof UnsatisfiedAlert>

/** An alert rule that fired or was acknowledged (kind `rule`): the alert, with its own kind as `ruleKind`. */
export const RuleAlert = Type.Object({
  ...Alert.properties,
  kind: Type.Literal('rule'),
  ruleKind: AlertKind,
  at: Timestamp
})
export type RuleAlert = Static<typeof RuleAlert>

export const LiveAlert = Type.Union([UnsatisfiedAlert, RuleAlert])
export type LiveAlert = Static<typeof LiveAlert>

/** A case just opened (by an unsatisfied rating); a resolved case is sent whole (Case). */
export const OpenedCase = Type.Object({
  id: Uuid,
  status: CaseStatus,
  unitId: Uuid,
  ratingId: Uuid,
  counterId: Uuid,
  officerId: Type.Union([Uuid, Type.Null()]),
  openedAt: Timestamp
})
export type OpenedCase = Static<typeof OpenedCase>

export const LiveRatingEvent = Type.Object({ type: Type.Literal('rating'), rating: LiveRating })
export const LiveAlertEvent = Type.Object({ type: Type.Literal('alert'), alert: LiveAlert })
export const LiveCaseEvent = Type.Object({ type: Type.Literal('case'), case: Type.Union([OpenedCase, Case]) })
/** The first message on a user's socket: the scope its events are chosen by. */
export const LiveHelloEvent = Type.Object({
  type: Type.Literal('hello'),
  scope: Type.Object({ unitId: Type.Union([Uuid, Type.Null()]), role: RoleSchema })
})

/** The events published to the users whose scope holds their unit (and officer). */
export const ScopedLiveEvent = Type.Union([LiveRatingEvent, LiveAlertEvent, LiveCaseEvent])
export type ScopedLiveEvent = Static<typeof ScopedLiveEvent>

/** Every event of WS /api/v1/live (a message holds one, or an array of the events of one tick). */
export const UserLiveEvent = Type.Union([LiveRatingEvent, LiveAlertEvent, LiveCaseEvent, LiveHelloEvent])
export type UserLiveEvent = Static<typeof UserLiveEvent>

/** Every message of WS /api/v1/terminal/live: the terminal's fresh state, or its revocation (then the socket closes). */
export const TerminalLiveEvent = Type.Union([
  Type.Object({ type: Type.Literal('state'), state: TerminalState }),
  Type.Object({ type: Type.Literal('revoked') })
])
export type TerminalLiveEvent = Static<typeof TerminalLiveEvent>
