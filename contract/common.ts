// Schemas shared by many routes: ids, errors, list envelopes.
import { Type, type TSchema } from 'typebox'

export const Uuid = Type.String({ format: 'uuid', description: 'A UUID' })
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 with offset' })

export const ErrorResponse = Type.Object({
  statusCode: Type.Integer({ description: 'HTTP status' }),
  error: Type.String({ description: 'HTTP status text' }),
  message: Type.String({ description: 'What went wrong, for people' }),
  code: Type.String({ description: 'Stable machine code, e.g. VALIDATION_FAILED' })
}, { $id: 'Error', description: 'Every error answer' })

export const IdParams = Type.Object({ id: Uuid })

export const ListOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) })
