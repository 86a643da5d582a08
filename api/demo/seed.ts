// Demo data on request: a province → ward → two service centres with counters, officers, paired terminals, alert rules and 90 days of
// ratings.
import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { loadConfig } from '../config.ts'
import { rebuildRollups } from '../../analytics/rollup-tables.ts'
import type { Category, CriteriaAnswers, Database } from '../../db/schema.ts'
import { hashPairingCode, hashSecret, hashToken, newPairingCode, newToken } from '../lib/secrets.ts'
import { demoVisits } from './visits.ts'

export const DEMO_CENTRE_CODE = 'DEMO-TTHCC-TN'
const HOUR = 3600_000
const LOCAL_OFFSET = 7 * HOUR

export const DEMO_SECOND_CENTRE_CODE = 'DEMO-TTHCC-TN2'
/** Days of ratings: a quarter, so "vs previous period" has a previous period and a quarter view has shape. */
export const DEMO_DAYS = 90
/** The demo's pairing code lasts long enough to read the printout, start the server and walk to a tablet. */
export const DEMO_PAIRING_DAYS = 7

interface CentreSpec {
  code: string
  name: string
  counters: string[]
  officers: Array<[string, string]>
  /** The centre's usual share of pleased citizens (officers vary around it). */
  pleased: number
}

const centres: CentreSpec[] = [
  {
    code: DEMO_CENTRE_CODE,
    name: 'Trung tâm Phục vụ hành chính công phường Tân Ninh',
    counters: [
      'Tư pháp – Hộ tịch',
      'Đất đai – Xây dựng',
      'Kinh doanh – Đầu tư',
      'Lao động – Thương binh và Xã hội',
      'Văn hóa – Y tế',
      'Tiếp nhận chung'
    ],
    officers: [
      ['Nguyễn Thị Thu Hà', 'Chuyên viên'],
      ['Trần Minh Đức', 'Chuyên viên'],
      ['Lê Hoàng Yến', 'Cán sự'],
      ['Phạm Văn Quý', 'Chuyên viên chính'],
      ['Hoàng Thị Ngọc Ánh', 'Chuyên viên'],
      ['Võ Thanh Tùng', 'Cán sự'],
      ['Đặng Thị Mỹ Linh', 'Chuyên viên'],
      ['Bùi Quốc Khánh', 'Chuyên viên'],
      ['Đỗ Thị Hồng Nhung', 'Cán sự'],
      ['Ngô Gia Bảo', 'Chuyên viên']
    ],
    pleased: 0.75
  },
  {
    code: DEMO_SECOND_CENTRE_CODE,
    name: 'Điểm tiếp nhận số 2 phường Tân Ninh (khu phố Ninh Phúc)',
    counters: ['Tư pháp – Hộ tịch', 'Đất đai – Xây dựng', 'Tiếp nhận chung'],
    officers: [
      ['Huỳnh Văn Lộc', 'Chuyên viên'],
      ['Trương Thị Kim Oanh', 'Cán sự'],
      ['Lý Minh Trí', 'Chuyên viên'],
      ['Mai Thị Thanh Tâm', 'Cán sự'],
      ['Phan Đức Hiếu', 'Chuyên viên']
    ],
    pleased: 0.6
  }
]
/** Citizens served per hour of the local working day (morning and afternoon peaks). */
const hourlyShape: Record<number, number> = { 7: 3, 8: 9, 9: 11, 10: 10, 11: 4, 13: 4, 14: 9, 15: 10, 16: 7 }
const criteriaCodes = ['xin_chao', 'xin_loi', 'xin_cam_on', 'xin_phep', 'luon_mim_cuoi', 'luon_nhe_nhang', 'luon_lang_nghe', 'luon_giup_do']
/** Asked of everyone, though most visits give no cause: mostly answered "Không áp dụng" (issue 16). */
const mostlyNotApplicable = new Set(['xin_loi', 'xin_phep'])
const levels: Array<{ level: number; category: Category; weight: number }> = [
  { level: 4, category: 'satisfied', weight: 100 },
  { level: 3, category: 'satisfied', weight: 75 },
  { level: 2, category: 'neutral', weight: 40 },
  { level: 1, category: 'unsatisfied', weight: 0 }
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
  /** Ratings flagged as misuse (the bursts), kept out of the figures. */
  misuse: number
  centres: number
  counters: number
  officers: number
  supervisor: { username: string; password: string }
  officerPin: string
  pairingCode: string | null
  pairingExpiresAt: Date | null
  /** The ward's queue integration token (POST /api/v1/queue/calls), shown once. */
  queueToken: string | null
}

interface Press {
  terminalId: string
  at: number
  rating: Record<string, unknown>
}

/** The ingest's own misuse rules (cooldown, burst) with the default settings, so the demo looks like stored presses. */
function flagMisuse (presses: Press[]): void {
  const { cooldownSeconds, burstCount, burstWindowSeconds } = loadConfig({}).misuse
  const byTerminal = new Map<string, Press[]>()
  for (const press of presses) byTerminal.set(press.terminalId, [...(byTerminal.get(press.terminalId) ?? []), press])
  for (const list of byTerminal.values()) {
    list.sort((a, b) => a.at - b.at)
    list.forEach((press, position) => {
      const previous = list[position - 1]
      const back = list[position - burstCount]
      const reason =
        previous !== undefined && press.at - previous.at < cooldownSeconds * 1000
          ? 'cooldown'
          : back !== undefined && press.at - back.at < burstWindowSeconds * 1000
            ? 'burst'
            : null
      press.rating.misuse = reason !== null
      press.rating.misuse_reason = reason
    })
  }
}

/** `pairingKey`: the server's pairing key (loadPairingKey), so the printed pairing code works on that server. */
export async function seedDemo (db: Kysely<Database>, now: Date, pairingKey: string): Promise<DemoResult> {
  const supervisor = { username: 'giamsat.tanninh', password: 'demo-giamsat-2026' }
  const officerPin = '1234'
  const existing = await db.selectFrom('units').select('id').where('code', '=', DEMO_CENTRE_CODE).executeTakeFirst()
  if (existing !== undefined) {
    return {
      created: false,
      ratings: 0,
      misuse: 0,
      centres: 0,
      counters: 0,
      officers: 0,
      supervisor,
      officerPin,
      pairingCode: null,
      pairingExpiresAt: null,
      queueToken: null
    }
  }
  const random = generator(20261127)

  const province = await db
    .insertInto('units')
    .values({ kind: 'province', code: 'DEMO-72', name: 'Tỉnh Tây Ninh' })
    .returning('id')
    .executeTakeFirstOrThrow()
  const ward = await db
    .insertInto('units')
    .values({ kind: 'ward', code: 'DEMO-72-TN', name: 'Phường Tân Ninh', parent_id: province.id })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db.insertInto('units').values({ kind: 'ward', code: 'DEMO-72-LT', name: 'Phường Long Hoa', parent_id: province.id }).execute()
  // The supervisor of the ward sees both centres, so the unit comparison compares something.
  const supervisorRow = await db
    .insertInto('users')
    .values({
      username: supervisor.username,
      display_name: 'Giám sát phường Tân Ninh',
      password_hash: await hashSecret(supervisor.password),
      role: 'supervisor',
      unit_id: ward.id,
      officer_id: null
    })
    .returning('id')
    .executeTakeFirstOrThrow()

  interface Seat {
    unitId: string
    counterId: string
    number: number
    terminalId: string
  }
  interface Staff {
    unitId: string
    id: string
    pleased: number
  }
  const seats: Seat[][] = []
  const staff: Staff[][] = []
  let pairingCode: string | null = null
  let staffNumber = 0
  const pairingExpiresAt = new Date(now.getTime() + DEMO_PAIRING_DAYS * 24 * HOUR)
  for (const [centreIndex, spec] of centres.entries()) {
    const centre = await db
      .insertInto('units')
      .values({ kind: 'centre', code: spec.code, name: spec.name, parent_id: ward.id })
      .returning('id')
      .executeTakeFirstOrThrow()
    const counters = await db
      .insertInto('counters')
      .values(spec.counters.map((name, index) => ({ unit_id: centre.id, number: index + 1, name: `Quầy ${index + 1} – ${name}` })))
      .returning(['id', 'number'])
      .execute()
    counters.sort((a, b) => a.number - b.number)
    // One salt per secret: every officer's PIN is hashed on its own, even where the demo PINs are equal.
    const pinHashes = await Promise.all(spec.officers.map(() => hashSecret(officerPin)))
    const officers = await db
      .insertInto('officers')
      .values(
        spec.officers.map(([fullName, title], index) => ({
          unit_id: centre.id,
          staff_code: `TN${String(++staffNumber).padStart(3, '0')}`,
          full_name: fullName,
          title,
          pin_hash: pinHashes[index]!,
          photo_url: null,
          pin_locked_until: null
        }))
      )
      .returning(['id', 'staff_code'])
      .execute()
    officers.sort((a, b) => a.staff_code.localeCompare(b.staff_code))
    // Each officer's own manner: how often citizens are pleased, and how often the criteria are met.
    staff.push(
      officers.map((officer, index) => ({
        unitId: centre.id,
        id: officer.id,
        pleased: Math.min(0.95, spec.pleased - 0.2 + (0.4 * ((index * 7) % 10)) / 10)
      }))
    )
    const terminals = await db
      .insertInto('terminals')
      .values(
        counters.map((counter) => ({
          unit_id: centre.id,
          counter_id: counter.id,
          kind: 'touch' as const,
          name: `Máy tính bảng quầy ${counter.number}`,
          token_hash: hashToken(newToken('hlt')),
          pairing_code_hash: null,
          pairing_expires_at: null,
          paired_at: now,
          revoked_at: null,
          last_seen_at: now
        }))
      )
      .returning(['id', 'counter_id'])
      .execute()
    seats.push(
      counters.map((counter) => ({
        unitId: centre.id,
        counterId: counter.id,
        number: counter.number,
        terminalId: terminals.find((terminal) => terminal.counter_id === counter.id)!.id
      }))
    )
    if (centreIndex === 0) {
      // A tablet of the installer's own to pair; its name stays right once it is paired.
      pairingCode = newPairingCode()
      await db
        .insertInto('terminals')
        .values({
          unit_id: centre.id,
          counter_id: counters[0]!.id,
          kind: 'touch',
          name: 'Máy tính bảng thử – quầy 1',
          token_hash: null,
          pairing_code_hash: hashPairingCode(pairingCode, pairingKey),
          pairing_expires_at: pairingExpiresAt,
          paired_at: null,
          revoked_at: null,
          last_seen_at: null
        })
        .execute()
    }
    await db
      .insertInto('alert_rules')
      .values([
        {
          unit_id: centre.id,
          kind: 'unsatisfied_share',
          parameters: JSON.stringify({ windowMinutes: 60, thresholdPercent: 30, minCount: 5 }),
          enabled: true,
          created_by: supervisorRow.id
        },
        {
          unit_id: centre.id,
          kind: 'unsatisfied_streak',
          parameters: JSON.stringify({ count: 3 }),
          enabled: true,
          created_by: supervisorRow.id
        }
      ] as never)
      .execute()
  }

  // 90 local days: shifts 07:30–17:00 Monday to Friday and Saturday morning; officers rotate over counters.
  // Today has ratings in every hour up to the current one, whatever the time of day, so the live figures show.
  const todayLocal = Math.floor((now.getTime() + LOCAL_OFFSET) / (24 * HOUR)) * 24 * HOUR - LOCAL_OFFSET
  const currentHour = Math.floor((now.getTime() - todayLocal) / HOUR)
  const presses: Press[] = []
  const shifts: Array<{ unit_id: string; counter_id: string; officer_id: string; started_at: Date; ended_at: Date | null }> = []
  for (let day = DEMO_DAYS - 1; day >= 0; day--) {
    const dayStart = todayLocal - day * 24 * HOUR
    const weekday = new Date(dayStart + LOCAL_OFFSET).getUTCDay()
    const today = day === 0
    if (weekday === 0 && !today) continue
    const hours = today
      ? Array.from({ length: currentHour + 1 }, (_, hour) => hour).filter((hour) => hour >= Math.min(7, currentHour))
      : Object.keys(hourlyShape)
        .map(Number)
        .filter((hour) => hour <= (weekday === 6 ? 11 : 16))
    const lastHour = Math.max(...hours)
    for (const [centreIndex, centreSeats] of seats.entries()) {
      const officers = staff[centreIndex]!
      for (const [counterIndex, seat] of centreSeats.entries()) {
        const officer = officers[(counterIndex + day) % officers.length]!
        const start = new Date(dayStart + (today ? Math.min(7.5, hours[0]!) : 7.5) * HOUR)
        const end = new Date(dayStart + (lastHour + 1) * HOUR)
        shifts.push({
          unit_id: seat.unitId,
          counter_id: seat.counterId,
          officer_id: officer.id,
          started_at: start,
          ended_at: today ? null : end
        })
        for (const hour of hours) {
          const perHour = hourlyShape[hour] ?? 2
          const served = Math.max(today && hour === currentHour ? 1 : 0, Math.round(perHour * (0.6 + random() * 0.8) * 0.5))
          const hourStart = dayStart + hour * HOUR
          // The current hour only up to now.
          const span = Math.min(HOUR, now.getTime() - hourStart)
          for (let i = 0; i < served; i++) {
            const at = new Date(hourStart + random() * span)
            if (at < start || at > now) continue
            const roll = random()
            const pleased = officer.pleased
            const level =
              roll < pleased * 0.6
                ? levels[0]!
                : roll < pleased
                  ? levels[1]!
                  : roll < pleased + (1 - pleased) * 0.7
                    ? levels[2]!
                    : levels[3]!
            const criteria: CriteriaAnswers = {}
            if (random() < 0.6) {
              for (const code of criteriaCodes) {
                const answered = random()
                if (answered >= 0.7) continue
                const met = random() < pleased + 0.1
                // "Không áp dụng": most citizens had nothing to apologise for or to be asked; now and then another one.
                // The same draws as before (no extra random()), so the levels and everything else seeded stay as they were.
                criteria[code] = answered < (mostlyNotApplicable.has(code) ? 0.42 : 0.021) ? 'na' : met
              }
            }
            presses.push({ terminalId: seat.terminalId, at: at.getTime(), rating: rating(seat, officer.id, level, criteria, at) })
          }
        }
      }
    }
  }
  // The citizens' visits: each rating above followed a call of the queue system (issue 17).
  const visitPresses = [...presses]
  // A few misuse bursts (a child hammering a face): ten presses seconds apart, flagged as the ingest would.
  for (let burst = 0; burst < 6; burst++) {
    const centreSeats = seats[burst % seats.length]!
    const seat = centreSeats[Math.floor(random() * centreSeats.length)]!
    const candidates = shifts.filter((shift) => shift.counter_id === seat.counterId && shift.ended_at !== null)
    const shift = candidates[Math.floor(random() * candidates.length)]!
    const level = burst % 2 === 0 ? levels[3]! : levels[0]!
    // 08:00–10:30, inside every working day's morning.
    let at = shift.started_at.getTime() + HOUR / 2 + random() * 2.5 * HOUR
    for (let press = 0; press < 10; press++, at += 1000 + random() * 3500) {
      presses.push({ terminalId: seat.terminalId, at, rating: rating(seat, shift.officer_id, level, {}, new Date(at)) })
    }
  }
  const queueToken = newToken('hlq')
  const queueTokenRow = await db
    .insertInto('api_tokens')
    .values({
      name: 'Hệ thống xếp hàng (demo)',
      unit_id: ward.id,
      token_hash: hashToken(queueToken),
      created_by: supervisorRow.id,
      last_used_at: null,
      revoked_at: null,
      purpose: 'queue'
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  // Its own generator: the levels, criteria and bursts drawn above stay as they were.
  const visits = demoVisits(visitPresses, seats.map((centreSeats) => centreSeats[0]!.unitId), queueTokenRow.id, now, generator(20261130))
  presses.push(...visits.repeats)
  flagMisuse(presses)
  for (const repeat of visits.repeats) {
    if (repeat.rating.misuse === true) continue
    repeat.rating.misuse = true
    repeat.rating.misuse_reason = 'ticket_repeat'
  }
  const ratings = presses.map((press) => press.rating)

  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < shifts.length; i += 1000) {
      await trx
        .insertInto('assignments')
        .values(shifts.slice(i, i + 1000))
        .execute()
    }
    for (let i = 0; i < visits.calls.length; i += 1000) {
      await trx.insertInto('queue_calls').values(visits.calls.slice(i, i + 1000)).execute()
    }
    for (let i = 0; i < ratings.length; i += 1000) {
      await trx
        .insertInto('ratings')
        .values(ratings.slice(i, i + 1000) as never)
        .execute()
    }
    // A case per unsatisfied rating, as the ingest opens them (not for misuse): older ones resolved with a note.
    const unsatisfied = ratings.filter((rating) => rating.category === 'unsatisfied' && rating.misuse === false)
    for (let i = 0; i < unsatisfied.length; i += 1000) {
      await trx
        .insertInto('cases')
        .values(
          unsatisfied.slice(i, i + 1000).map((rating, offset) => {
            const old = (rating.rated_at as Date).getTime() < now.getTime() - 3 * 24 * HOUR
            const resolvedAt = old ? new Date((rating.rated_at as Date).getTime() + 26 * HOUR) : null
            return {
              ...demoVoice(i + offset, rating.received_at as Date, resolvedAt, now),
              unit_id: rating.unit_id as string,
              rating_id: rating.id as string,
              counter_id: rating.counter_id as string,
              officer_id: rating.officer_id as string,
              opened_at: rating.received_at as Date,
              status: old ? ('resolved' as const) : ('open' as const),
              resolved_at: resolvedAt,
              resolved_by: old ? supervisorRow.id : null,
              note: old ? 'Đã liên hệ, xin lỗi công dân và hướng dẫn lại thủ tục.' : null
            }
          })
        )
        .execute()
    }
    await followUpStory(trx, supervisorRow.id, now)
    await rebuildRollups(trx)
  })
  return {
    created: true,
    ratings: ratings.length,
    misuse: ratings.filter((rating) => rating.misuse === true).length,
    centres: centres.length,
    counters: seats.flat().length,
    officers: staff.flat().length,
    supervisor,
    officerPin,
    pairingCode,
    pairingExpiresAt,
    queueToken
  }
}

/**
 * The follow-up loop in every state, as a centre lives it: one resolved case in five resolved late (past its due time),
 * each resolution in its timeline; the two latest resolved ones reopened by the citizen's call; half the open cases
 * taken by the supervisor, some of them with the citizen called back. Open cases from before the SLA are overdue.
 */
async function followUpStory (db: Kysely<Database>, supervisorId: string, now: Date): Promise<void> {
  await sql`update cases set resolved_at = least(opened_at + interval '80 hours', ${now}::timestamptz - interval '1 hour')
    where status = 'resolved' and abs(hashtext(id::text)) % 5 = 0`.execute(db)
  await sql`insert into case_events (unit_id, case_id, kind, actor_id, note, at)
    select unit_id, id, 'resolved', resolved_by, note, resolved_at from cases where status = 'resolved'`.execute(db)
  await sql`with latest as (select unit_id, id from cases where status = 'resolved' order by resolved_at desc limit 2),
    reopened as (
      update cases c set status = 'open', resolved_at = null, resolved_by = null, note = null
      from latest where c.unit_id = latest.unit_id and c.id = latest.id
      returning c.unit_id, c.id
    )
    insert into case_events (unit_id, case_id, kind, actor_id, note, at)
    select unit_id, id, 'reopened', ${supervisorId}::uuid, 'Công dân gọi lại: chưa nhận được kết quả.',
      ${now}::timestamptz - interval '30 minutes'
    from reopened`.execute(db)
  await sql`with taken as (
      update cases set assignee_id = ${supervisorId}::uuid
      where status = 'open' and abs(hashtext(id::text)) % 2 = 0
      returning unit_id, id, opened_at
    ),
    assigned as (
      insert into case_events (unit_id, case_id, kind, actor_id, assignee_id, at)
      select unit_id, id, 'assigned', ${supervisorId}::uuid, ${supervisorId}::uuid,
        least(opened_at + interval '1 hour', ${now}::timestamptz)
      from taken
    )
    insert into case_events (unit_id, case_id, kind, actor_id, note, at)
    select unit_id, id, 'contacted', ${supervisorId}::uuid, 'Đã gọi lại cho công dân, hẹn bổ sung hồ sơ.',
      least(opened_at + interval '2 hours', ${now}::timestamptz)
    from taken where abs(hashtext(id::text)) % 3 = 0`.execute(db)
}

function rating (
  seat: { unitId: string; counterId: string; terminalId: string },
  officerId: string,
  level: { level: number; category: Category; weight: number },
  criteria: CriteriaAnswers,
  at: Date
): Record<string, unknown> {
  return {
    id: randomUUID(),
    unit_id: seat.unitId,
    counter_id: seat.counterId,
    terminal_id: seat.terminalId,
    officer_id: officerId,
    device_officer_id: null,
    level: level.level,
    category: level.category,
    weight: level.weight,
    criteria: JSON.stringify(criteria),
    rated_at: at,
    received_at: new Date(at.getTime() + 800),
    counted_at: at,
    clock_untrusted: false,
    source: 'touch',
    misuse: false,
    misuse_reason: null,
    ticket: null,
    dossier_code: null
  }
}

const DEMO_REASONS = ['wait', 'attitude', 'guidance', 'returned', 'other', 'wait', 'guidance']

/**
 * What the demo's citizens said on the terminal: most chose a reason (long waits and unclear guidance the most), every fourth left
 * a call-back number (made-up, 0900 000 xxx) under the current consent; numbers resolved more than 30 days ago are already erased.
 */
function demoVoice (index: number, openedAt: Date, resolvedAt: Date | null, now: Date) {
  const reason = index % 10 < 7 ? DEMO_REASONS[index % DEMO_REASONS.length]! : null
  if (index % 4 !== 0) return { reason }
  const erased = resolvedAt !== null && resolvedAt.getTime() + 30 * 24 * HOUR < now.getTime()
  return {
    reason,
    phone: erased ? null : `0900000${String(index % 1000).padStart(3, '0')}`,
    consent_version: 'nd13-2026-11',
    consent_at: openedAt,
    phone_erased_at: erased ? new Date(resolvedAt.getTime() + 30 * 24 * HOUR) : null
  }
}
