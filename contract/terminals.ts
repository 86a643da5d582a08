// Schemas of terminals, pairing, terminal state and the rating ingest.
import { Type, type Static } from 'typebox'
import { CriterionAnswer, DossierCode, Ticket, Timestamp, Uuid } from './common.ts'
import { RatingFollowUp, TerminalFollowUp } from './follow-up.ts'

export const TerminalKindSchema = Type.Union([Type.Literal('touch'), Type.Literal('button')], {
  description: 'touch: a tablet; button: a serial button box'
})
export type TerminalKind = Static<typeof TerminalKindSchema>

export const Terminal = Type.Object(
  {
    id: Uuid,
    unitId: Uuid,
    counterId: Uuid,
    kind: TerminalKindSchema,
    name: Type.String(),
    status: Type.Union([Type.Literal('pairing'), Type.Literal('pairing_expired'), Type.Literal('paired'), Type.Literal('revoked')]),
    pairedAt: Type.Union([Timestamp, Type.Null()]),
    revokedAt: Type.Union([Timestamp, Type.Null()]),
    lastSeenAt: Type.Union([Timestamp, Type.Null()]),
    createdAt: Timestamp
  },
  { $id: 'Terminal' }
)
export type Terminal = Static<typeof Terminal>

export const TerminalListQuery = Type.Object({ counterId: Type.Optional(Uuid), unitId: Type.Optional(Uuid) })
export type TerminalListQuery = Static<typeof TerminalListQuery>

export const CreateTerminalBody = Type.Object({
  counterId: Uuid,
  kind: TerminalKindSchema,
  name: Type.Optional(Type.String({ maxLength: 200 }))
})
export type CreateTerminalBody = Static<typeof CreateTerminalBody>

export const CreatedTerminal = Type.Object({
  terminal: Terminal,
  pairingCode: Type.String({ description: '8 digits, single use; type it on the device', examples: ['48213907'] }),
  pairingExpiresAt: Timestamp
})
export type CreatedTerminal = Static<typeof CreatedTerminal>

export const PairBody = Type.Object({
  pairingCode: Type.String({ minLength: 1, maxLength: 32, description: 'The code shown when the terminal was created' })
})
export type PairBody = Static<typeof PairBody>
export const PairResponse = Type.Object({
  terminalId: Uuid,
  token: Type.String({ description: 'Bearer token for the terminal routes; shown only this once' })
})
export type PairResponse = Static<typeof PairResponse>

export const ScaleLevel = Type.Object({
  level: Type.Integer(),
  category: Type.Union([Type.Literal('satisfied'), Type.Literal('neutral'), Type.Literal('unsatisfied')]),
  weight: Type.Integer({ minimum: 0, maximum: 100 }),
  labelVi: Type.String(),
  labelEn: Type.String()
})
export type ScaleLevel = Static<typeof ScaleLevel>

export const Criterion = Type.Object({
  code: Type.String(),
  group: Type.Union([Type.Literal('xin'), Type.Literal('luon'), Type.Literal('other')]),
  labelVi: Type.String(),
  labelEn: Type.String()
})
export type Criterion = Static<typeof Criterion>

export const TerminalOfficer = Type.Object({
  id: Uuid,
  unitId: Uuid,
  staffCode: Type.String(),
  fullName: Type.String(),
  title: Type.String(),
  photoUrl: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean()
})
export type TerminalOfficer = Static<typeof TerminalOfficer>

export const TerminalState = Type.Object(
  {
    terminal: Type.Object({ id: Uuid, kind: TerminalKindSchema, name: Type.String() }),
    counter: Type.Object({ id: Uuid, unitId: Uuid, number: Type.Integer(), name: Type.String() }),
    unit: Type.Object({
      id: Uuid,
      parentId: Type.Union([Uuid, Type.Null()]),
      kind: Type.String(),
      code: Type.String(),
      name: Type.String()
    }),
    officer: Type.Union([TerminalOfficer, Type.Null()], { description: 'The officer serving now, or null' }),
    scale: Type.Array(ScaleLevel, { description: 'Levels, highest first' }),
    criteria: Type.Array(Criterion, { description: 'Conduct criteria in display order' }),
    cooldownSeconds: Type.Integer({ description: 'Presses closer together than this are flagged as misuse' }),
    followUp: TerminalFollowUp
  },
  { $id: 'TerminalState' }
)
export type TerminalState = Static<typeof TerminalState>

export const OfficerSignInBody = Type.Object({
  staffCode: Type.String({ minLength: 1, maxLength: 32 }),
  pin: Type.String({ minLength: 1, maxLength: 16 })
})
export type OfficerSignInBody = Static<typeof OfficerSignInBody>

export const RatingItem = Type.Object(
  {
    id: Type.String({ format: 'uuid', description: 'Generated on the device at the press; the idempotency key' }),
    level: Type.Integer({ minimum: 1, maximum: 10, description: 'A level of the scale in the terminal state' }),
    criteria: Type.Optional(
      Type.Record(Type.String(), CriterionAnswer, {
        maxProperties: 32,
        description: '{ criterionCode: true (met) | false (not met) | "na" (not applicable) }; absent codes were not answered'
      })
    ),
    ratedAt: Type.String({ format: 'date-time', description: 'Device clock at the press, ISO 8601 with offset' }),
    officerId: Type.Optional(
      Type.String({ format: 'uuid', description: 'The officer the device showed; the server decides who is credited' })
    ),
    followUp: Type.Optional(RatingFollowUp),
    ticket: Type.Optional(Ticket),
    dossierCode: Type.Optional(DossierCode)
  },
  { additionalProperties: false }
)
export type RatingItem = Static<typeof RatingItem>

export const RatingsBody = Type.Object({
  ratings: Type.Array(Type.Unknown(), {
    minItems: 1,
    maxItems: 100,
    description: 'Up to 100 rating items `{ id, level, criteria?, ratedAt, officerId?, followUp?, ticket?, dossierCode? }`; each is checked on its own'
  })
})
export type RatingsBody = Static<typeof RatingsBody>

export const RatingResult = Type.Object({
  id: Type.Union([Type.String(), Type.Null()], { description: "The item's id (null when the item had none)" }),
  status: Type.Union([Type.Literal('created'), Type.Literal('duplicate'), Type.Literal('rejected')], {
    description: 'created and duplicate both mean stored: drop it from the outbox'
  }),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() }))
})
export type RatingResult = Static<typeof RatingResult>
/** The result of an item sent with its id, as every client sends them: the id is never null. */
export type SentRatingResult = RatingResult & { id: string }

export const RatingsResponse = Type.Object({ results: Type.Array(RatingResult, { description: 'One result per item, in order' }) })
export type RatingsResponse = Static<typeof RatingsResponse>
