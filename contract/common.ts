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

export const IdParams = Type.Object({ id: Uuid })
export type IdParams = Static<typeof IdParams>

/** The answer of a 204: no body. */
export const NoContent = Type.Null()

export const ListOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) })
/** The answer of ListOf(item), for a client. */
export interface Items<T> { items: T[] }
