// Demo data on request: a province → ward → service centre with counters, officers, paired terminals and a month of ratings.
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { rebuildRollups } from '../../analytics/rollups.ts'
import type { Category, Database } from '../db/schema.ts'
import { hashPairingCode, hashSecret, hashToken, newPairingCode, newToken } from '../services/secrets.ts'

export const DEMO_CENTRE_CODE = 'DEMO-TTHCC-TN'
const HOUR = 3600_000
const LOCAL_OFFSET = 7 * HOUR

const officerNames: Array<[string, string]> = [
  ['Nguyễn Thị Thu Hà', 'Chuyên viên'], ['Trần Minh Đức', 'Chuyên viên'], ['Lê Hoàng Yến', 'Cán sự'],
  ['Phạm Văn Quý', 'Chuyên viên chính'], ['Hoàng Thị Ngọc Ánh', 'Chuyên viên'], ['Võ Thanh Tùng', 'Cán sự'],
  ['Đặng Thị Mỹ Linh', 'Chuyên viên'], ['Bùi Quốc Khánh', 'Chuyên viên'], ['Đỗ Thị Hồng Nhung', 'Cán sự'],
  ['Ngô Gia Bảo', 'Chuyên viên']
]
const counterNames = ['Tư pháp – Hộ tịch', 'Đất đai – Xây dựng', 'Kinh doanh – Đầu tư', 'Lao động – Thương binh và Xã hội', 'Văn hóa – Y tế', 'Tiếp nhận chung']
/** Citizens served per hour of the local working day (morning and afternoon peaks). */
const hourlyShape: Record<number, number> = { 7: 3, 8: 9, 9: 11, 10: 10, 11: 4, 13: 4, 14: 9, 15: 10, 16: 7 }
const criteriaCodes = ['xin_chao', 'xin_loi', 'xin_cam_on', 'xin_phep', 'luon_mim_cuoi', 'luon_nhe_nhang', 'luon_lang_nghe', 'luon_giup_do']
const levels: Array<{ level: number, category: Category, weight: number }> = [
  { level: 4, category: 'satisfied', weight: 100 }, { level: 3, category: 'satisfied', weight: 75 },
  { level: 2, category: 'neutral', weight: 40 }, { level: 1, category: 'unsatisfied', weight: 0 }
]

/** A small deterministic generator, so every demo looks the same. */
function generator (seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1664525 + 1013904223) % 4294967296
    return state / 4294967296
  }
}

export interface DemoResult {
  created: boolean
  ratings: number
  supervisor: { username: string, password: string }
  officerPin: string
  pairingCode: string | null
}

/** `pairingKey`: the server's pairing key (loadPairingKey), so the printed pairing code works on that server. */
export async function seedDemo (db: Kysely<Database>, now: Date, pairingKey: string): Promise<DemoResult> {
  const supervisor = { username: 'giamsat.tanninh', password: 'demo-giamsat-2026' }
  const officerPin = '1234'
  const existing = await db.selectFrom('units').select('id').where('code', '=', DEMO_CENTRE_CODE).executeTakeFirst()
  if (existing !== undefined) return { created: false, ratings: 0, supervisor, officerPin, pairingCode: null }
  const random = generator(20261127)

  const province = await db.insertInto('units').values({ kind: 'province', code: 'DEMO-72', name: 'Tỉnh Tây Ninh' }).returning('id').executeTakeFirstOrThrow()
  const ward = await db.insertInto('units').values({ kind: 'ward', code: 'DEMO-72-TN', name: 'Phường Tân Ninh', parent_id: province.id }).returning('id').executeTakeFirstOrThrow()
  const centre = await db.insertInto('units').values({ kind: 'centre', code: DEMO_CENTRE_CODE, name: 'Trung tâm Phục vụ hành chính công phường Tân Ninh', parent_id: ward.id }).returning('id').executeTakeFirstOrThrow()
  await db.insertInto('units').values({ kind: 'ward', code: 'DEMO-72-LT', name: 'Phường Long Hoa', parent_id: province.id }).execute()

  const counters = []
  for (const [index, name] of counterNames.entries()) {
    counters.push(await db.insertInto('counters').values({ unit_id: centre.id, number: index + 1, name: `Quầy ${index + 1} – ${name}` }).returning(['id', 'number']).executeTakeFirstOrThrow())
  }
  const pinHash = await hashSecret(officerPin)
  const officers = []
  for (const [index, [fullName, title]] of officerNames.entries()) {
    officers.push(await db.insertInto('officers').values({ unit_id: centre.id, staff_code: `TN${String(index + 1).padStart(3, '0')}`, full_name: fullName, title, pin_hash: pinHash, photo_url: null, pin_locked_until: null }).returning('id').executeTakeFirstOrThrow())
  }
  // Each officer's own manner: how often citizens are pleased, and how often the criteria are met.
  const manner = officers.map((_, index) => 0.55 + 0.4 * ((index * 7) % 10) / 10)

  const terminals = []
  for (const counter of counters) {
    terminals.push(await db.insertInto('terminals').values({
      unit_id: centre.id, counter_id: counter.id, kind: 'touch', name: `Máy tính bảng quầy ${counter.number}`,
      token_hash: hashToken(newToken('hlt')), pairing_code_hash: null, pairing_expires_at: null, paired_at: now, revoked_at: null, last_seen_at: now
    }).returning('id').executeTakeFirstOrThrow())
  }
  const pairingCode = newPairingCode()
  await db.insertInto('terminals').values({
    unit_id: centre.id, counter_id: counters[0]!.id, kind: 'touch', name: 'Máy tính bảng mới (chờ ghép nối)',
    token_hash: null, pairing_code_hash: hashPairingCode(pairingCode, pairingKey), pairing_expires_at: new Date(now.getTime() + 24 * HOUR), paired_at: null, revoked_at: null, last_seen_at: null
  }).execute()
  await db.insertInto('users').values({ username: supervisor.username, display_name: 'Giám sát Tân Ninh', password_hash: await hashSecret(supervisor.password), role: 'supervisor', unit_id: centre.id, officer_id: null }).execute()

  // 30 local days: shifts 07:30–17:00 Monday to Friday and Saturday morning; officers rotate over counters.
  const todayLocal = Math.floor((now.getTime() + LOCAL_OFFSET) / (24 * HOUR)) * 24 * HOUR - LOCAL_OFFSET
  const ratings: Array<Record<string, unknown>> = []
  const shifts: Array<{ unit_id: string, counter_id: string, officer_id: string, started_at: Date, ended_at: Date | null }> = []
  for (let day = 29; day >= 0; day--) {
    const dayStart = todayLocal - day * 24 * HOUR
    const weekday = new Date(dayStart + LOCAL_OFFSET).getUTCDay()
    if (weekday === 0) continue
    const lastHour = weekday === 6 ? 11 : 16
    for (const [counterIndex, counter] of counters.entries()) {
      const officerIndex = (counterIndex + day) % officers.length
      const officer = officers[officerIndex]!
      const start = new Date(dayStart + 7.5 * HOUR)
      const end = new Date(dayStart + (lastHour + 1) * HOUR)
      if (start.getTime() > now.getTime()) continue
      shifts.push({ unit_id: centre.id, counter_id: counter.id, officer_id: officer.id, started_at: start, ended_at: end.getTime() > now.getTime() ? null : end })
      for (const [hourText, perHour] of Object.entries(hourlyShape)) {
        const hour = Number(hourText)
        if (hour > lastHour) continue
        const served = Math.max(0, Math.round(perHour * (0.6 + random() * 0.8) * 0.8))
        for (let i = 0; i < served; i++) {
          const at = new Date(dayStart + hour * HOUR + random() * HOUR)
          if (at < start || at > now || at > end) continue
          const roll = random()
          const pleased = manner[officerIndex]!
          const level = roll < pleased * 0.6 ? levels[0]! : roll < pleased ? levels[1]! : roll < pleased + (1 - pleased) * 0.7 ? levels[2]! : levels[3]!
          const criteria: Record<string, boolean> = {}
          if (random() < 0.6) for (const code of criteriaCodes) if (random() < 0.7) criteria[code] = random() < pleased + 0.1
          ratings.push({
            id: randomUUID(), unit_id: centre.id, counter_id: counter.id, terminal_id: terminals[counterIndex]!.id, officer_id: officer.id, device_officer_id: null,
            level: level.level, category: level.category, weight: level.weight, criteria: JSON.stringify(criteria),
            rated_at: at, received_at: new Date(at.getTime() + 800), counted_at: at, clock_untrusted: false, source: 'touch', misuse: false, misuse_reason: null
          })
        }
      }
    }
  }
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < shifts.length; i += 500) await trx.insertInto('assignments').values(shifts.slice(i, i + 500)).execute()
    for (let i = 0; i < ratings.length; i += 500) await trx.insertInto('ratings').values(ratings.slice(i, i + 500) as never).execute()
    const unsatisfied = ratings.filter((rating) => rating.category === 'unsatisfied')
    for (let i = 0; i < unsatisfied.length; i += 500) {
      await trx.insertInto('cases').values(unsatisfied.slice(i, i + 500).map((rating) => {
        const old = (rating.rated_at as Date).getTime() < now.getTime() - 3 * 24 * HOUR
        return {
          unit_id: centre.id, rating_id: rating.id as string, counter_id: rating.counter_id as string, officer_id: rating.officer_id as string,
          opened_at: rating.received_at as Date, status: old ? 'resolved' as const : 'open' as const,
          resolved_at: old ? new Date((rating.rated_at as Date).getTime() + 26 * HOUR) : null, resolved_by: null,
          note: old ? 'Đã liên hệ, xin lỗi công dân và hướng dẫn lại thủ tục.' : null
        }
      })).execute()
    }
    await rebuildRollups(trx)
  })
  return { created: true, ratings: ratings.length, supervisor, officerPin, pairingCode }
}
