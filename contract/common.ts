// Schemas shared by many routes: ids, errors, list envelopes.
import { Type, type Static, type TSchema } from 'typebox'

export { ErrorResponse } from './errors.ts'

export const Uuid = Type.String({ format: 'uuid', description: 'A UUID' })
export type Uuid = Static<typeof Uuid>
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 with offset' })
export type Timestamp = Static<typeof Timestamp>

/** A criterion's answer in a rating: met, not met, or not applicable ("Không áp dụng"). */
export const CriterionAnswer = Type.Union([Type.Boolean(), Type.Literal('na')], {
  description: 'true: met; false: not met; "na": not applicable (left out of the criterion\'s rate, counted on its own)'
})
export type CriterionAnswer = Static<typeof CriterionAnswer>

/** The queue number as printed on the citizen's ticket (issue 17: docs/queue-integration.md). */
export const Ticket = Type.String({
  minLength: 1,
  maxLength: 16,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
  description: 'The queue number as printed on the ticket, at most 16 characters',
  examples: ['1023', 'A-017']
})
export type Ticket = Static<typeof Ticket>

/** The code on a dossier's receipt (hồ sơ): Decision 766 scores satisfaction per dossier. */
export const DossierCode = Type.String({
  minLength: 1,
  maxLength: 40,
  pattern: '^[A-Za-z0-9./-]+$',
  description: 'The dossier (hồ sơ) code on its receipt: letters, digits, ".", "-", "/", at most 40',
  examples: ['000.00.12.H56-261130-0042']
})
export type DossierCode = Static<typeof DossierCode>

/** Where a rating came from: the counter's tablet, its button box, or the citizen's phone later (a receipt's link). */
export const RatingSourceSchema = Type.Union([Type.Literal('touch'), Type.Literal('button'), Type.Literal('phone')], {
  description: 'touch: the counter tablet; button: the button box; phone: rated later from the citizen\'s phone'
})
export type RatingSource = Static<typeof RatingSourceSchema>

export const IdParams = Type.Object({ id: Uuid })
export type IdParams = Static<typeof IdParams>

/** The answer of a 204: no body. */
export const NoContent = Type.Null()

export const ListOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) })
/** The answer of ListOf(item), for a client. */
export interface Items<T> { items: T[] }
