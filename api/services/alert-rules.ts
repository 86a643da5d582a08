// Alert rules as staff edit them, and acknowledging a fired alert: each change checked in scope and audited in one transaction.
import type { Kysely } from 'kysely'
import type { AlertRuleKind, AlertRuleParameters, Database } from '../../db/schema.ts'
import type { Alert, AlertRule } from '../../contract/alerts.ts'
import { conflict, notFound } from '../errors.ts'
import { unitWithinScope, type UserActor } from '../repositories/organisation.ts'
import {
  acknowledgeAlert, deleteAlertRule, findAlert, insertAlertRule, lockAlert, lockAlertRule, rowToAlert, rowToAlertRule, updateAlertRule
} from '../repositories/alerts.ts'
import { writeAudit } from '../repositories/audit.ts'
import { ruleParameters } from './alerts.ts'

const unitNotFound = () => notFound('Unit', 'UNIT_NOT_FOUND')
const ruleNotFound = () => notFound('Alert rule', 'ALERT_RULE_NOT_FOUND')
const alertNotFound = () => notFound('Alert', 'ALERT_NOT_FOUND')

/** A rule for a unit in the actor's scope; parameters left out take their kind's defaults. */
export async function createAlertRule (
  db: Kysely<Database>,
  actor: UserActor,
  body: { unitId: string, kind: AlertRuleKind, parameters: AlertRuleParameters, enabled?: boolean | undefined }
): Promise<AlertRule> {
  const parameters = ruleParameters(body.kind, body.parameters)
  return db.transaction().execute(async (trx) => {
    if (!await unitWithinScope(trx, actor, body.unitId)) throw unitNotFound()
    const row = await insertAlertRule(trx, {
      unitId: body.unitId, kind: body.kind, parameters, enabled: body.enabled ?? true, createdBy: actor.userId
    })
    const rule = rowToAlertRule(row)
    await writeAudit(trx, actor, { action: 'create', entity: 'alert_rule', entityId: rule.id, unitId: rule.unitId, after: rule })
    return rule
  })
}

/** Changes a rule's parameters (merged over its own) or its enabled flag; a rule out of scope is not found. */
export async function changeAlertRule (
  db: Kysely<Database>,
  actor: UserActor,
  id: string,
  body: { parameters?: AlertRuleParameters | undefined, enabled?: boolean | undefined }
): Promise<AlertRule> {
  return db.transaction().execute(async (trx) => {
    const row = await lockAlertRule(trx, id)
    if (row === undefined || !await unitWithinScope(trx, actor, row.unit_id)) throw ruleNotFound()
    const before = rowToAlertRule(row)
    const parameters = body.parameters === undefined ? undefined : ruleParameters(row.kind, { ...row.parameters, ...body.parameters })
    const changed = await updateAlertRule(trx, row.id, { parameters, enabled: body.enabled })
    const after = rowToAlertRule(changed)
    await writeAudit(trx, actor, { action: 'update', entity: 'alert_rule', entityId: row.id, unitId: row.unit_id, before, after })
    return after
  })
}

/** Deletes a rule; its alerts stay as history. */
export async function removeAlertRule (db: Kysely<Database>, actor: UserActor, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await lockAlertRule(trx, id)
    if (row === undefined || !await unitWithinScope(trx, actor, row.unit_id)) throw ruleNotFound()
    await deleteAlertRule(trx, row.id)
    const before = rowToAlertRule(row)
    await writeAudit(trx, actor, { action: 'delete', entity: 'alert_rule', entityId: row.id, unitId: row.unit_id, before })
  })
}

/** Acknowledges an alert in scope, once (409 ALERT_ALREADY_ACKNOWLEDGED), with an optional note; answers it. */
export async function acknowledgeAlertAs (
  db: Kysely<Database>, actor: UserActor, id: string, givenNote: string | undefined
): Promise<Alert> {
  const note = givenNote?.trim()
  return db.transaction().execute(async (trx) => {
    const row = await lockAlert(trx, id)
    if (row === undefined || !await unitWithinScope(trx, actor, row.unitId)) throw alertNotFound()
    if (row.acknowledged) throw conflict('ALERT_ALREADY_ACKNOWLEDGED', 'This alert is already acknowledged')
    await acknowledgeAlert(trx, row, { userId: actor.userId, note: note === undefined || note === '' ? null : note })
    const after = rowToAlert((await findAlert(trx, row.id))!)
    await writeAudit(trx, actor, { action: 'acknowledge', entity: 'alert', entityId: row.id, unitId: row.unitId, after })
    return after
  })
}
