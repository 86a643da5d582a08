// Writes the audit log: who changed what, when, with the before and after of the change.
import type { Db } from '../../db/schema.ts'
import type { Actor } from '../plugins/app/auth.ts'

export interface AuditEntry {
  action: 'create' | 'update' | 'delete' | 'revoke' | 'pair' | 'sign_in' | 'sign_out' | 'resolve' | 'login' | 'logout' | string
  entity: string
  entityId: string | null
  unitId: string | null
  before?: unknown
  after?: unknown
}

export type AuditActor = Actor | { kind: 'terminal'; terminalId: string } | { kind: 'system' }

export async function writeAudit (db: Db, actor: AuditActor, entry: AuditEntry): Promise<void> {
  const actorKind = actor.kind === 'terminal' ? 'terminal' : actor.kind === 'system' ? 'system' : 'user'
  const actorId =
    actor.kind === 'user' ? actor.userId : actor.kind === 'terminal' ? actor.terminalId : actor.kind === 'apiToken' ? actor.tokenId : null
  await db
    .insertInto('audit_log')
    .values({
      actor_kind: actorKind,
      actor_id: actorId,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      unit_id: entry.unitId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after)
    })
    .execute()
}
