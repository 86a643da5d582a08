// Officers (cán bộ) in the database; rows become API objects here, and the PIN hash never leaves.
import { sql } from 'kysely'
import type { OfficerRow, Db } from '../../db/schema.ts'
import type { Officer } from '../../contract/organisation.ts'
import { subtreeOf } from './organisation.ts'

export function rowToOfficer (row: OfficerRow): Officer {
  const locked = row.pin_locked_until !== null && row.pin_locked_until.getTime() > Date.now()
  return {
    id: row.id,
    unitId: row.unit_id,
    staffCode: row.staff_code,
    fullName: row.full_name,
    title: row.title,
    photoUrl: row.photo_url,
    active: row.active,
    pinSet: row.pin_hash !== null,
    pinLockedUntil: locked ? row.pin_locked_until!.toISOString() : null
  }
}

/** What the audit log keeps of an officer: everything but the PIN hash. */
export function officerForAudit (row: OfficerRow): Record<string, unknown> {
  return { ...rowToOfficer(row), pinFailures: row.pin_failures }
}

export async function listOfficers (
  db: Db,
  scopeRoot: string | null,
  filter: { unitId?: string; active?: boolean; officerId?: string }
): Promise<OfficerRow[]> {
  let query = db.selectFrom('officers').selectAll()
  if (scopeRoot !== null) query = query.where('unit_id', 'in', subtreeOf(scopeRoot))
  if (filter.unitId !== undefined) query = query.where('unit_id', 'in', subtreeOf(filter.unitId))
  if (filter.active !== undefined) query = query.where('active', '=', filter.active)
  if (filter.officerId !== undefined) query = query.where('id', '=', filter.officerId)
  const rows = await query.orderBy('staff_code').execute()
  // Vietnamese alphabetical order (Đ after D, Ô after O, tones after the letter), which neither database's default collation gives.
  return rows.sort((a, b) => vietnameseNames.compare(a.full_name, b.full_name))
}

const vietnameseNames = new Intl.Collator('vi')

export async function findOfficer (db: Db, id: string, options: { lock?: boolean } = {}): Promise<OfficerRow | undefined> {
  const query = db.selectFrom('officers').selectAll().where('id', '=', id)
  return (options.lock === true ? query.forUpdate() : query).executeTakeFirst()
}

/** The officer of the unit with this staff code, in any case (a code of another unit is not found). */
export async function findOfficerByStaffCode (db: Db, unitId: string, staffCode: string): Promise<OfficerRow | undefined> {
  return db
    .selectFrom('officers')
    .selectAll()
    .where('unit_id', '=', unitId)
    .where((eb) => eb(eb.fn('lower', ['staff_code']), '=', staffCode.toLowerCase()))
    .executeTakeFirst()
}

export async function staffCodeTaken (db: Db, staffCode: string, exceptId?: string): Promise<boolean> {
  // Officers type their code at the terminal in any case, so codes differing only in case would be ambiguous.
  let query = db
    .selectFrom('officers')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['staff_code']), '=', staffCode.toLowerCase()))
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId)
  return (await query.executeTakeFirst()) !== undefined
}

export async function insertOfficer (
  db: Db,
  officer: { unitId: string; staffCode: string; fullName: string; title: string; photoUrl: string | null; pinHash: string; active: boolean }
): Promise<OfficerRow> {
  return db
    .insertInto('officers')
    .values({
      unit_id: officer.unitId,
      staff_code: officer.staffCode,
      full_name: officer.fullName,
      title: officer.title,
      photo_url: officer.photoUrl,
      pin_hash: officer.pinHash,
      pin_locked_until: null,
      active: officer.active
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export interface OfficerChange {
  unitId?: string
  staffCode?: string
  fullName?: string
  title?: string
  photoUrl?: string | null
  active?: boolean
  /** A new PIN's hash: also clears the failure count and the lockout. */
  pinHash?: string
}

export async function updateOfficer (db: Db, id: string, change: OfficerChange): Promise<OfficerRow> {
  return db
    .updateTable('officers')
    .set({
      ...(change.unitId !== undefined ? { unit_id: change.unitId } : {}),
      ...(change.staffCode !== undefined ? { staff_code: change.staffCode } : {}),
      ...(change.fullName !== undefined ? { full_name: change.fullName } : {}),
      ...(change.title !== undefined ? { title: change.title } : {}),
      ...(change.photoUrl !== undefined ? { photo_url: change.photoUrl } : {}),
      ...(change.active !== undefined ? { active: change.active } : {}),
      ...(change.pinHash !== undefined ? { pin_hash: change.pinHash, pin_failures: 0, pin_locked_until: null } : {})
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** The answer of `claimPinAttempt`: whether a PIN may be judged, and whether this is the attempt that locks. */
export type PinClaim = { claimed: false } | { claimed: true; locking: boolean }

/**
 * Counts one PIN attempt before the PIN is judged, in one UPDATE (the row lock orders concurrent attempts): the
 * `attempts`-th attempt locks the officer out for `lockMinutes` and resets the count; while locked nothing is
 * claimed. A right PIN then clears the count (`clearPinFailures`). So however many guesses arrive at once, at most
 * `attempts` are judged per lockout.
 */
export async function claimPinAttempt (db: Db, officerId: string, attempts: number, lockMinutes: number): Promise<PinClaim> {
  const locks = sql<boolean>`pin_failures + 1 >= ${attempts}`
  const row = await db
    .updateTable('officers')
    .set({
      pin_failures: sql<number>`case when ${locks} then 0 else pin_failures + 1 end`,
      pin_locked_until: sql<Date | null>`case when ${locks} then now() + ${sql.lit(lockMinutes)} * interval '1 minute' else pin_locked_until end`
    })
    .where('id', '=', officerId)
    .where((eb) => eb.or([eb('pin_locked_until', 'is', null), eb('pin_locked_until', '<=', sql<Date>`now()`)]))
    .returning('pin_failures')
    .executeTakeFirst()
  if (row === undefined) return { claimed: false }
  // The locking attempt is the only one that leaves the count at 0.
  return { claimed: true, locking: row.pin_failures === 0 }
}

/** A right PIN: the failures so far are forgiven. */
export async function clearPinFailures (db: Db, officerId: string): Promise<void> {
  await db.updateTable('officers').set({ pin_failures: 0, pin_locked_until: null }).where('id', '=', officerId).execute()
}
