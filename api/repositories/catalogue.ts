// The rating scale and the conduct criteria in the database: read in display order, replaced whole by admins.
import { sql } from 'kysely'
import type { Db } from '../../db/schema.ts'
import type { Criterion, ScaleLevel } from '../../contract/terminals.ts'

export async function loadScale (db: Db): Promise<ScaleLevel[]> {
  const rows = await db.selectFrom('scale_levels').selectAll().orderBy('level', 'desc').execute()
  return rows.map((row) => ({ level: row.level, category: row.category, weight: row.weight, labelVi: row.label_vi, labelEn: row.label_en }))
}

export async function loadCriteria (db: Db): Promise<Criterion[]> {
  const rows = await db.selectFrom('criteria').selectAll().where('active', '=', true).orderBy('position').orderBy('code').execute()
  return rows.map((row) => ({ code: row.code, group: row.group_code, labelVi: row.label_vi, labelEn: row.label_en }))
}

/** Replaces the whole scale; stored ratings keep the level, category and weight they were given. */
export async function replaceScale (db: Db, levels: ScaleLevel[]): Promise<void> {
  await db.deleteFrom('scale_levels').execute()
  await db.insertInto('scale_levels').values(levels.map((level) => ({
    level: level.level, category: level.category, weight: level.weight, label_vi: level.labelVi, label_en: level.labelEn
  }))).execute()
}

/** Makes exactly these criteria active, in this order; a code left out stays, inactive, for the ratings that answered it. */
export async function replaceCriteria (db: Db, criteria: Criterion[]): Promise<void> {
  await db.updateTable('criteria').set({ active: false }).execute()
  for (const [index, criterion] of criteria.entries()) {
    await db.insertInto('criteria')
      .values({
        code: criterion.code,
        group_code: criterion.group,
        label_vi: criterion.labelVi,
        label_en: criterion.labelEn,
        position: index + 1,
        active: true
      })
      .onConflict((oc) => oc.column('code').doUpdateSet({
        group_code: sql`excluded.group_code`,
        label_vi: sql`excluded.label_vi`,
        label_en: sql`excluded.label_en`,
        position: sql`excluded.position`,
        active: true
      }))
      .execute()
  }
}
