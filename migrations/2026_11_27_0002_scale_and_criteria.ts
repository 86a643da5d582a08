// The rating scale and the conduct criteria, seeded with the default 4 levels and "4 xin, 4 luôn".
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('scale_levels')
    .addColumn('level', 'integer', (c) => c.primaryKey().check(sql`level between 1 and 10`))
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category in ('satisfied', 'neutral', 'unsatisfied')`))
    .addColumn('weight', 'integer', (c) => c.notNull().check(sql`weight between 0 and 100`))
    .addColumn('label_vi', 'text', (c) => c.notNull().check(sql`length(label_vi) between 1 and 100`))
    .addColumn('label_en', 'text', (c) => c.notNull().check(sql`length(label_en) between 1 and 100`))
    .execute()
  await db.insertInto('scale_levels').values([
    { level: 4, category: 'satisfied', weight: 100, label_vi: 'Rất hài lòng', label_en: 'Very satisfied' },
    { level: 3, category: 'satisfied', weight: 75, label_vi: 'Hài lòng', label_en: 'Satisfied' },
    { level: 2, category: 'neutral', weight: 40, label_vi: 'Bình thường', label_en: 'Neutral' },
    { level: 1, category: 'unsatisfied', weight: 0, label_vi: 'Không hài lòng', label_en: 'Unsatisfied' }
  ]).execute()

  await db.schema.createTable('criteria')
    .addColumn('code', 'text', (c) => c.primaryKey().check(sql`code ~ '^[a-z][a-z0-9_]{0,31}$'`))
    .addColumn('group_code', 'text', (c) => c.notNull().defaultTo('other').check(sql`group_code in ('xin', 'luon', 'other')`))
    .addColumn('label_vi', 'text', (c) => c.notNull().check(sql`length(label_vi) between 1 and 100`))
    .addColumn('label_en', 'text', (c) => c.notNull().check(sql`length(label_en) between 1 and 100`))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute()
  await db.insertInto('criteria').values([
    { code: 'xin_chao', group_code: 'xin', label_vi: 'Xin chào', label_en: 'Greeted me', position: 1 },
    { code: 'xin_loi', group_code: 'xin', label_vi: 'Xin lỗi', label_en: 'Apologised', position: 2 },
    { code: 'xin_cam_on', group_code: 'xin', label_vi: 'Xin cảm ơn', label_en: 'Thanked me', position: 3 },
    { code: 'xin_phep', group_code: 'xin', label_vi: 'Xin phép', label_en: 'Asked permission', position: 4 },
    { code: 'luon_mim_cuoi', group_code: 'luon', label_vi: 'Luôn mỉm cười', label_en: 'Smiled', position: 5 },
    { code: 'luon_nhe_nhang', group_code: 'luon', label_vi: 'Luôn nhẹ nhàng', label_en: 'Was gentle', position: 6 },
    { code: 'luon_lang_nghe', group_code: 'luon', label_vi: 'Luôn lắng nghe', label_en: 'Listened', position: 7 },
    { code: 'luon_giup_do', group_code: 'luon', label_vi: 'Luôn giúp đỡ', label_en: 'Helped', position: 8 }
  ]).execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('criteria').execute()
  await db.schema.dropTable('scale_levels').execute()
}
