// Schemas of rating later from a phone (issue 17): a terminal issues a single-use receipt code, the citizen opens
// /r/<code> and rates the visit once (docs/phone-rating.md).
import { Type, type Static } from 'typebox'
import { CriterionAnswer, DossierCode, Ticket, Timestamp } from './common.ts'
import { RatingFollowUp, TerminalFollowUp } from './follow-up.ts'
import { Criterion, ScaleLevel } from './terminals.ts'

export const IssueReceiptBody = Type.Object(
  {
    ticket: Type.Optional(Ticket),
    dossierCode: Type.Optional(DossierCode)
  },
  {
    additionalProperties: false,
    description: "The visit's queue ticket and dossier code when the terminal knows them; the counter and officer are the terminal's own"
  }
)
export type IssueReceiptBody = Static<typeof IssueReceiptBody>

export const IssuedReceipt = Type.Object(
  {
    code: Type.String({ description: 'The single-use code (14 characters of 23456789ABCDEFGHJKMNPQRSTVWXYZ, ~68 random bits); shown only now' }),
    url: Type.String({ description: 'The short link to rate from a phone: <origin>/r/<code>' }),
    expiresAt: Timestamp,
    qrSvg: Type.String({ description: 'The QR code of `url` as an SVG document' })
  },
  { description: 'A receipt code: the terminal shows its QR code or prints it on the receipt slip' }
)
export type IssuedReceipt = Static<typeof IssuedReceipt>

export const ReceiptParams = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 64, description: 'The code of the link /r/<code> (letters in either case)' })
})
export type ReceiptParams = Static<typeof ReceiptParams>

export const ReceiptStatus = Type.Union([Type.Literal('open'), Type.Literal('used'), Type.Literal('expired')], {
  description: 'open: it can be rated; used: it has been rated; expired: too late'
})
export type ReceiptStatus = Static<typeof ReceiptStatus>

export const ReceiptVisit = Type.Object(
  {
    unitName: Type.String({ description: 'The centre where the citizen was served' }),
    counterNumber: Type.Integer(),
    counterName: Type.String(),
    officer: Type.Union([Type.Object({ fullName: Type.String(), title: Type.String() }), Type.Null()], {
      description: 'The officer who served (on shift when the code was issued), or null'
    }),
    ticket: Type.Union([Type.String(), Type.Null()]),
    issuedAt: Timestamp,
    expiresAt: Timestamp,
    scale: Type.Array(ScaleLevel, { description: 'Levels, highest first' }),
    criteria: Type.Array(Criterion, { description: 'Conduct criteria in display order' }),
    followUp: TerminalFollowUp
  },
  { description: 'What the phone page shows for an open code' }
)
export type ReceiptVisit = Static<typeof ReceiptVisit>

export const ReceiptView = Type.Object(
  {
    status: ReceiptStatus,
    visit: Type.Optional(ReceiptVisit)
  },
  { description: 'A receipt code as the phone page sees it: the visit only while it can be rated' }
)
export type ReceiptView = Static<typeof ReceiptView>

export const ReceiptRatingBody = Type.Object(
  {
    level: Type.Integer({ minimum: 1, maximum: 10, description: 'A level of the scale' }),
    criteria: Type.Optional(
      Type.Record(Type.String(), CriterionAnswer, {
        maxProperties: 32,
        description: '{ criterionCode: true (met) | false (not met) | "na" (not applicable) }; absent codes were not answered'
      })
    ),
    followUp: Type.Optional(RatingFollowUp)
  },
  { additionalProperties: false }
)
export type ReceiptRatingBody = Static<typeof ReceiptRatingBody>

export const ReceiptRated = Type.Object(
  { status: Type.Literal('created'), ratedAt: Timestamp },
  { description: 'The rating is stored; the link now answers "used"' }
)
export type ReceiptRated = Static<typeof ReceiptRated>
