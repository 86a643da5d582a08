// Schemas of the rating scale and the conduct criteria (admin-configurable).
import { Type, type Static } from 'typebox'
import { Criterion, ScaleLevel } from './terminals.ts'

export const ScaleBody = Type.Object({
  levels: Type.Array(Type.Object({
    level: Type.Integer({ minimum: 1, maximum: 10 }),
    category: Type.Union([Type.Literal('satisfied'), Type.Literal('neutral'), Type.Literal('unsatisfied')]),
    weight: Type.Integer({ minimum: 0, maximum: 100 }),
    labelVi: Type.String({ minLength: 1, maxLength: 100 }),
    labelEn: Type.String({ minLength: 1, maxLength: 100 })
  }, { additionalProperties: false }), { minItems: 2, maxItems: 10, description: 'The whole scale; 3, 4 and 5 levels are usual' })
})
export type ScaleBody = Static<typeof ScaleBody>

export const ScaleResponse = Type.Object({ items: Type.Array(ScaleLevel, { description: 'Highest level first' }) })
export type ScaleResponse = Static<typeof ScaleResponse>

export const CriteriaBody = Type.Object({
  criteria: Type.Array(Type.Object({
    code: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }),
    group: Type.Union([Type.Literal('xin'), Type.Literal('luon'), Type.Literal('other')]),
    labelVi: Type.String({ minLength: 1, maxLength: 100 }),
    labelEn: Type.String({ minLength: 1, maxLength: 100 })
  }, { additionalProperties: false }), { maxItems: 32, description: 'The active criteria in display order; codes left out are deactivated, never deleted (old ratings keep them)' })
})
export type CriteriaBody = Static<typeof CriteriaBody>

export const CriteriaResponse = Type.Object({ items: Type.Array(Criterion, { description: 'Active criteria in display order' }) })
export type CriteriaResponse = Static<typeof CriteriaResponse>
