// Alert rules and fired alerts in the database; rows become API objects here.
import { sql } from 'kysely'
import type { AlertRow, AlertRuleKind, AlertRuleParameters, AlertRuleRow, Db } from '../../db/schema.ts'
import type { Alert, AlertRule } from '../../contract/alerts.ts'
import { subtreeOf } from './organisation.ts'

export function rowToAlertRule (row: AlertRuleRow): AlertRule {
  return {
    id: row.id,
    unitId: row.unit_id,
    kind: row.kind,
    parameters: row.parameters,
    enabled: row.enabled,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString()
  }
}

export type AlertWithCounterRow = AlertRow & { counter_number: number | null }

export function rowToAlert (row: AlertWithCounterRow): Alert {
  return {
    id: row.id,
    unitId: row.unit_id,
    ruleId: row.rule_id,
    kind: row.kind,
    counterId: row.counter_id,
    counterNumber: row.counter_number,
    firedAt: row.fired_at.toISOString(),
    details: row.details as Alert['details'],
    acknowledged: row.acknowledged_at !== null,
    acknowledgedAt: row.acknowledged_at === null ? null : row.acknowledged_at.toISOString(),
    acknowledgedBy: row.acknowledged_by,
    note: row.note
  }
}

/** Alerts with their counter's number, for lists and single reads. */
export function alertsWithCounter (db: Db) {
  return db.selectFrom('alerts')
    .leftJoin('counters', 'counters.id', 'alerts.counter_id')
    .selectAll('alerts')
    .select('counters.number as counter_number')
}

export async function findAlert (db: Db, id: string): Promise<AlertWithCounterRow | undefined> {
  return alertsWithCounter(db).where('alerts.id', '=', id).executeTakeFirst()
}

export interface AlertFilter { unitId?: string, acknowledged?: boolean, from?: Date, until?: Date, limit: number }

/** Alerts in the scope root (null: all): open first, then the newest first. */
export async function listAlerts (db: Db, scopeRoot: string | null, filter: AlertFilter): Promise<AlertWithCounterRow[]> {
  let query = alertsWithCounter(db)
  if (scopeRoot !== null) query = query.where('alerts.unit_id', 'in', subtreeOf(scopeRoot))
  if (filter.unitId !== undefined) query = query.where('alerts.unit_id', 'in', subtreeOf(filter.unitId))
  if (filter.acknowledged !== undefined) query = query.where('alerts.acknowledged_at', filter.acknowledged ? 'is not' : 'is', null)
  if (filter.from !== undefined) query = query.where('alerts.fired_at', '>=', filter.from)
  if (filter.until !== undefined) query = query.where('alerts.fired_at', '<', filter.until)
  return query
    .orderBy(sql`alerts.acknowledged_at is null`, 'desc')
    .orderBy('alerts.fired_at', 'desc')
    .orderBy('alerts.id', 'desc')
    .limit(filter.limit).execute()
}

/** Rules of the subtree of `scopeRoot` (null: all), narrowed to the subtree of `unitId`, oldest first. */
export async function listAlertRules (db: Db, scopeRoot: string | null, unitId: string | undefined): Promise<AlertRuleRow[]> {
  let query = db.selectFrom('alert_rules').selectAll()
  if (scopeRoot !== null) query = query.where('unit_id', 'in', subtreeOf(scopeRoot))
  if (unitId !== undefined) query = query.where('unit_id', 'in', subtreeOf(unitId))
  return query.orderBy('created_at').orderBy('id').execute()
}

export async function insertAlertRule (db: Db, rule: {
  unitId: string, kind: AlertRuleKind, parameters: AlertRuleParameters, enabled: boolean, createdBy: string
}): Promise<AlertRuleRow> {
  return db.insertInto('alert_rules').values({
    unit_id: rule.unitId, kind: rule.kind, parameters: JSON.stringify(rule.parameters), enabled: rule.enabled, created_by: rule.createdBy
  }).returningAll().executeTakeFirstOrThrow()
}

/** Reads the rule and locks it for the rest of the transaction. */
export async function lockAlertRule (db: Db, id: string): Promise<AlertRuleRow | undefined> {
  return db.selectFrom('alert_rules').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function updateAlertRule (
  db: Db, id: string, change: { parameters?: AlertRuleParameters, enabled?: boolean }
): Promise<AlertRuleRow> {
  return db.updateTable('alert_rules').set({
    ...(change.parameters !== undefined ? { parameters: JSON.stringify(change.parameters) } : {}),
    ...(change.enabled !== undefined ? { enabled: change.enabled } : {}),
    updated_at: new Date()
  }).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function deleteAlertRule (db: Db, id: string): Promise<void> {
  await db.deleteFrom('alert_rules').where('id', '=', id).execute()
}

/** Reads whether the alert is acknowledged, and locks it for the rest of the transaction. */
export async function lockAlert (db: Db, id: string): Promise<{ id: string, unitId: string, acknowledged: boolean } | undefined> {
  const row = await db.selectFrom('alerts').select(['id', 'unit_id', 'acknowledged_at']).where('id', '=', id).forUpdate().executeTakeFirst()
  return row === undefined ? undefined : { id: row.id, unitId: row.unit_id, acknowledged: row.acknowledged_at !== null }
}

export async function acknowledgeAlert (
  db: Db, alert: { id: string, unitId: string }, by: { userId: string, note: string | null }
): Promise<void> {
  await db.updateTable('alerts')
    .set({ acknowledged_at: new Date(), acknowledged_by: by.userId, note: by.note })
    .where('unit_id', '=', alert.unitId).where('id', '=', alert.id).execute()
}
