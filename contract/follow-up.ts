// Schemas of the citizen's voice: the follow-up question after an unsatisfied rating (what went wrong, a call-back) and its settings.
import { Type, type Static } from 'typebox'

export const ReasonCode = Type.String({ pattern: '^[a-z0-9_-]{1,32}$', description: 'A reason code: a–z, 0–9, _ and -, up to 32' })

export const FollowUpReason = Type.Object(
  {
    code: ReasonCode,
    labelVi: Type.String({ minLength: 1, maxLength: 60, pattern: '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$', description: 'e.g. "Chờ lâu"' }),
    labelEn: Type.String({ minLength: 1, maxLength: 60, pattern: '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$', description: 'e.g. "Long wait"' })
  },
  { additionalProperties: false }
)
export type FollowUpReason = Static<typeof FollowUpReason>

export const FollowUpSettings = Type.Object(
  {
    reasons: Type.Array(FollowUpReason, {
      maxItems: 8,
      description: 'The choices of "what went wrong", in display order (none: the question is not asked, only the call-back)'
    }),
    askNeutral: Type.Boolean({ description: 'Ask after a neutral rating too (then a neutral rating with an answer opens a case)' }),
    callBack: Type.Boolean({ description: 'Offer the citizen a call-back (a phone number, with the consent sentence)' }),
    phoneRetentionDays: Type.Integer({
      minimum: 1, maximum: 365, description: 'Days after the case is resolved until its number is erased'
    })
  },
  { additionalProperties: false, description: 'What the terminal asks after an unsatisfied rating; inherited down the unit tree' }
)
export type FollowUpSettings = Static<typeof FollowUpSettings>

export const UnitFollowUp = Type.Object({
  own: Type.Union([Type.Null(), FollowUpSettings], { description: "The unit's own settings; null: as the parent unit" }),
  effective: FollowUpSettings
}, { description: "A unit's follow-up settings: its own and the ones that hold (its own, else the nearest ancestor's, else the defaults)" })
export type UnitFollowUp = Static<typeof UnitFollowUp>

export const UnitFollowUpBody = Type.Object(
  { settings: Type.Union([Type.Unsafe<null>({ const: null }), FollowUpSettings], { description: 'null: as the parent unit' }) },
  { additionalProperties: false }
)
export type UnitFollowUpBody = Static<typeof UnitFollowUpBody>

export const ConsentText = Type.Object({
  version: Type.String({ description: 'Send it back as `followUp.consentVersion` with the number' }),
  textVi: Type.String(),
  textEn: Type.String()
}, { description: 'The consent sentence shown above the phone keypad (Decree 13/2023/NĐ-CP on personal data)' })
export type ConsentText = Static<typeof ConsentText>

export const TerminalFollowUp = Type.Object({
  reasons: Type.Array(Type.Object({ code: Type.String(), labelVi: Type.String(), labelEn: Type.String() })),
  askNeutral: Type.Boolean(),
  callBack: Type.Boolean(),
  consent: ConsentText
}, { description: "The follow-up the terminal asks after an unsatisfied (and, with askNeutral, a neutral) rating: the counter's unit's settings" })
export type TerminalFollowUp = Static<typeof TerminalFollowUp>

export const RatingFollowUp = Type.Object(
  {
    reason: Type.Optional(Type.String({ maxLength: 64, description: "A code of the unit's reasons; one that is not a code is dropped" })),
    phone: Type.Optional(Type.String({
      maxLength: 32,
      description: 'A Vietnamese number to call back: 0 + 9–10 digits (spaces, dots, dashes and +84 accepted). Dropped, the rating kept, ' +
        'when it is not such a number or comes without a known consentVersion'
    })),
    consentVersion: Type.Optional(Type.String({ maxLength: 32, description: 'The version of the consent sentence shown (terminal state)' }))
  },
  {
    additionalProperties: false,
    description: 'The answer to the follow-up question. It goes onto the case the rating opens; ignored on a rating that opens none ' +
      '(satisfied, suspected misuse). A neutral rating with a reason or a number opens a case.'
  }
)
export type RatingFollowUp = Static<typeof RatingFollowUp>
