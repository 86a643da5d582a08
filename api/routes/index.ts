// Every route plugin of the API with its URL prefix: one explicit, typed list that app.ts registers in order.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import healthRoutes from './health.ts'
import authRoutes from './auth/index.ts'
import statsRoutes from './stats/index.ts'
import reportRoutes from './reports/index.ts'
import unitRoutes from './units/index.ts'
import counterRoutes from './counters/index.ts'
import officerRoutes from './officers/index.ts'
import userRoutes from './users/index.ts'
import apiTokenRoutes from './api-tokens/index.ts'
import caseRoutes from './cases/index.ts'
import terminalAdminRoutes from './terminals/index.ts'
import deviceRoutes from './device/index.ts'
import liveRoutes from './live/index.ts'
import catalogueRoutes from './catalogue/index.ts'
import alertRoutes from './alerts/index.ts'
import ratingRoutes from './ratings/index.ts'
import officerAssignmentRoutes from './officers/assignments.ts'
import queueRoutes from './queue/index.ts'
import receiptRoutes from './receipts/index.ts'
import receiptCodeRoutes from './receipts/terminal.ts'

export interface RouteGroup {
  plugin: FastifyPluginAsyncTypebox
  /** Where its URLs start; none for the health routes at the root. */
  prefix?: string
}

/**
 * In registration order (it decides nothing about matching, but keeps the OpenAPI document's order stable).
 * The device's own routes (`device/`) live under /api/v1/terminal; the admin of devices (`terminals/`) under /api/v1/terminals.
 */
export const routes: readonly RouteGroup[] = [
  { plugin: healthRoutes },
  { plugin: authRoutes, prefix: '/api/v1/auth' },
  { plugin: statsRoutes, prefix: '/api/v1/stats' },
  { plugin: reportRoutes, prefix: '/api/v1/reports' },
  { plugin: unitRoutes, prefix: '/api/v1/units' },
  { plugin: counterRoutes, prefix: '/api/v1/counters' },
  { plugin: officerRoutes, prefix: '/api/v1/officers' },
  { plugin: userRoutes, prefix: '/api/v1/users' },
  { plugin: apiTokenRoutes, prefix: '/api/v1/api-tokens' },
  { plugin: caseRoutes, prefix: '/api/v1/cases' },
  { plugin: terminalAdminRoutes, prefix: '/api/v1/terminals' },
  { plugin: deviceRoutes, prefix: '/api/v1/terminal' },
  { plugin: liveRoutes, prefix: '/api/v1' },
  { plugin: catalogueRoutes, prefix: '/api/v1' },
  { plugin: alertRoutes, prefix: '/api/v1' },
  { plugin: ratingRoutes, prefix: '/api/v1/ratings' },
  { plugin: officerAssignmentRoutes, prefix: '/api/v1/officers' },
  { plugin: queueRoutes, prefix: '/api/v1/queue' },
  { plugin: receiptCodeRoutes, prefix: '/api/v1/terminal' },
  { plugin: receiptRoutes, prefix: '/api/v1/receipts' }
]
