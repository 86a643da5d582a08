// Schemas of the health probes (liveness and readiness).
import { Type, type Static } from 'typebox'

export const HealthStatus = Type.Object({ status: Type.String() })
export type HealthStatus = Static<typeof HealthStatus>
