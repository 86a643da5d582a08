// The citizen's answer to the follow-up question as a case keeps it: a well-formed reason code, a call-back number only with a
// known consent version. What does not pass is dropped, never the rating with it: a rating is never lost to its follow-up.
import type { Kysely } from 'kysely'
import type { Database, Db } from '../../db/schema.ts'
import type { CaseFigures as CaseFiguresByCode } from '../../analytics/queries.ts'
import type { CaseStats } from '../../contract/stats.ts'
import type { FollowUpSettings, RatingFollowUp, UnitFollowUp } from '../../contract/follow-up.ts'
import { CONSENT_TEXTS, normalisePhone, reasonLabel } from '../lib/follow-up.ts'
import { badRequest, notFound } from '../errors.ts'
import { setUnitFollowUp, unitFollowUp } from '../repositories/follow-up.ts'
import { unitWithinScope, type UserActor } from '../repositories/organisation.ts'
import { writeAudit } from '../repositories/audit.ts'

export interface CaseFollowUp {
  reason: string | null
  phone: string | null
  consentVersion: string | null
}

const REASON = /^[a-z0-9_-]{1,32}$/

/** The follow-up to store, or null when nothing of it is kept. */
export function followUpOf (followUp: RatingFollowUp | undefined): CaseFollowUp | null {
  if (followUp === undefined) return null
  const reason = followUp.reason !== undefined && REASON.test(followUp.reason) ? followUp.reason : null
  const consented = followUp.consentVersion !== undefined && Object.hasOwn(CONSENT_TEXTS, followUp.consentVersion)
  const phone = consented && followUp.phone !== undefined ? normalisePhone(followUp.phone) : null
  if (reason === null && phone === null) return null
  return { reason, phone, consentVersion: phone === null ? null : followUp.consentVersion! }
}

/**
 * Sets (or, with null, clears to inherit) a unit's follow-up settings, audited. Reason codes are unique within the list
 * (400 VALIDATION_FAILED). A supervisor may set their own scope's root unit: these are the centre's questions, not its place.
 */
export async function changeUnitFollowUp (
  db: Kysely<Database>,
  actor: UserActor,
  unitId: string,
  settings: FollowUpSettings | null
): Promise<UnitFollowUp> {
  if (settings !== null) {
    const codes = settings.reasons.map((reason) => reason.code)
    if (new Set(codes).size !== codes.length) throw badRequest('VALIDATION_FAILED', '/settings/reasons: each code may appear once')
  }
  return db.transaction().execute(async (trx) => {
    const before = await unitFollowUp(trx, unitId)
    if (before === undefined || !(await unitWithinScope(trx, actor, unitId))) throw notFound('Unit', 'UNIT_NOT_FOUND')
    await setUnitFollowUp(trx, unitId, settings)
    const after = (await unitFollowUp(trx, unitId))!
    await writeAudit(trx, actor, {
      action: 'update', entity: 'unit_follow_up', entityId: unitId, unitId, before: before.own, after: after.own
    })
    return after
  })
}

/**
 * The loop's figures with each reason's labels, as the root unit's follow-up settings name them (else the defaults, else
 * the code itself): a province sees its own words for the reasons its centres report.
 */
export async function withReasonLabels (
  db: Db,
  rootId: string | null,
  stats: { total: CaseFiguresByCode, rows: Array<CaseFiguresByCode & { unitId: string, code: string, name: string }> }
): Promise<CaseStats> {
  const settings = rootId === null ? null : (await unitFollowUp(db, rootId))?.effective ?? null
  const label = (figures: CaseFiguresByCode) => ({
    ...figures,
    topReasons: figures.topReasons.map(({ code, count }) => ({ ...reasonLabel(code, settings), count }))
  })
  return {
    total: label(stats.total),
    rows: stats.rows.map((row) => ({ ...label(row), unitId: row.unitId, code: row.code, name: row.name }))
  }
}
