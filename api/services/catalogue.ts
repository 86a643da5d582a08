// Replacing the national rating scale or the conduct criteria: checked, stored whole and audited in one transaction.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'
import type { Criterion, ScaleLevel } from '../../contract/terminals.ts'
import { badRequest } from '../errors.ts'
import type { Actor } from '../plugins/app/auth.ts'
import { writeAudit } from '../repositories/audit.ts'
import { loadCriteria, loadScale, replaceCriteria, replaceScale } from '../repositories/catalogue.ts'

/** Levels numbered 1… without gaps, at least one satisfied and one unsatisfied, weights never falling (400 SCALE_INVALID). */
function checkScale (levels: ScaleLevel[]): void {
  const numbers = levels.map((level) => level.level).sort((a, b) => a - b)
  if (new Set(numbers).size !== numbers.length || numbers.some((level, index) => level !== index + 1)) {
    throw badRequest('SCALE_INVALID', 'Levels must be numbered 1, 2, … without gaps or repeats')
  }
  const byLevel = [...levels].sort((a, b) => a.level - b.level)
  if (!byLevel.some((level) => level.category === 'satisfied') || !byLevel.some((level) => level.category === 'unsatisfied')) {
    throw badRequest('SCALE_INVALID', 'A scale needs at least one satisfied and one unsatisfied level')
  }
  for (let i = 1; i < byLevel.length; i++) {
    if (byLevel[i]!.weight < byLevel[i - 1]!.weight) throw badRequest('SCALE_INVALID', 'Higher levels cannot weigh less than lower ones')
  }
}

/** Replaces the scale; stored ratings keep the level, category and weight they had. */
export async function setScale (db: Kysely<Database>, actor: Actor, levels: ScaleLevel[]): Promise<void> {
  checkScale(levels)
  const before = await loadScale(db)
  await db.transaction().execute(async (trx) => {
    await replaceScale(trx, levels)
    await writeAudit(trx, actor, { action: 'update', entity: 'scale', entityId: null, unitId: null, before, after: levels })
  })
}

/** Sets the active criteria and their order; codes left out stay, inactive (400 CRITERIA_INVALID on a repeated code). */
export async function setCriteria (db: Kysely<Database>, actor: Actor, criteria: Criterion[]): Promise<void> {
  if (new Set(criteria.map((criterion) => criterion.code)).size !== criteria.length) {
    throw badRequest('CRITERIA_INVALID', 'Each criterion code may appear once')
  }
  const before = await loadCriteria(db)
  await db.transaction().execute(async (trx) => {
    await replaceCriteria(trx, criteria)
    await writeAudit(trx, actor, { action: 'update', entity: 'criteria', entityId: null, unitId: null, before, after: criteria })
  })
}
