// An officer signs in at a terminal with staff code and PIN (starting a shift there), or signs out (ending it).
// The PIN lockout: five wrong PINs in a row lock a staff code for 15 minutes, and an unknown code answers alike.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/schema.ts'
import type { TerminalOfficer } from '../../contract/terminals.ts'
import { ApiError, conflict } from '../errors.ts'
import type { TerminalIdentity } from '../plugins/app/auth.ts'
import { hashSecret, verifySecret } from '../lib/secrets.ts'
import { writeAudit } from '../repositories/audit.ts'
import { findCounterPlace, lockCounter } from '../repositories/counters.ts'
import { claimPinAttempt, clearPinFailures, findOfficerByStaffCode, type PinClaim } from '../repositories/officers.ts'
import { endShift, startShift } from '../repositories/shifts.ts'
import { rowToTerminalOfficer } from '../repositories/terminal-state.ts'

/** Wrong PINs in a row before an officer is locked out, and for how long. */
export const PIN_ATTEMPTS = 5
export const LOCK_MINUTES = 15

const decoyPinHash = await hashSecret('000000')
/** No officer has this id: the claim an unknown staff code runs finds no row. */
const NO_OFFICER = '00000000-0000-0000-0000-000000000000'

/**
 * Lockouts of staff codes that do not exist at a unit, kept in memory: the same count, lock and answers as a real
 * officer's (officers.pin_failures), so probing cannot tell a real code from an unknown one. Bounded: the oldest
 * entries go first.
 */
class UnknownCodeLockouts {
  private readonly entries = new Map<string, { failures: number, lockedUntil: number }>()

  constructor (private readonly attempts: number, private readonly lockMinutes: number, private readonly maxEntries = 10000) {}

  claim (key: string, now = Date.now()): PinClaim {
    const entry = this.entries.get(key) ?? { failures: 0, lockedUntil: 0 }
    if (entry.lockedUntil > now) return { claimed: false }
    this.entries.delete(key)
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
    const locking = entry.failures + 1 >= this.attempts
    this.entries.set(key, locking
      ? { failures: 0, lockedUntil: now + this.lockMinutes * 60_000 }
      : { failures: entry.failures + 1, lockedUntil: entry.lockedUntil })
    return { claimed: true, locking }
  }
}

const counterGone = (): ApiError => new ApiError(401, 'TERMINAL_TOKEN_INVALID', 'This terminal\'s counter no longer exists; pair it again')
const counterInactive = (): ApiError => conflict('COUNTER_INACTIVE', 'This counter is inactive; a supervisor must activate it first')
const locked = (): ApiError => new ApiError(423, 'OFFICER_LOCKED',
  `Too many wrong PINs: sign-in with this staff code is locked for up to ${LOCK_MINUTES} minutes; a supervisor can reset the PIN`)
const wrong = (): ApiError => new ApiError(401, 'INVALID_CREDENTIALS', 'Wrong staff code or PIN')

export interface OfficerSignIn {
  /** Signs the officer in at the device's counter; answers the officer and the counters whose officer changed. */
  signIn: (device: TerminalIdentity, staffCode: string, pin: string) => Promise<{ officer: TerminalOfficer, changedCounterIds: string[] }>
  /** Ends the shift at the device's counter; answers whether there was one. */
  signOut: (device: TerminalIdentity) => Promise<boolean>
}

/** One per app: the lockouts of unknown staff codes live as long as it does. */
export function officerSignIn (db: Kysely<Database>): OfficerSignIn {
  /** Unknown staff codes get a lockout of their own, so that a locked code and an unknown one answer alike. */
  const unknownCodes = new UnknownCodeLockouts(PIN_ATTEMPTS, LOCK_MINUTES)

  return {
    async signIn (device, givenStaffCode, pin) {
      const counter = await findCounterPlace(db, device.counterId)
      if (counter === undefined) throw counterGone()
      // Before any PIN is looked at, as the supervisor's route does: no attempt is spent on a closed counter.
      if (!counter.active) throw counterInactive()
      const staffCode = givenStaffCode.trim().toLowerCase()
      // Only the officers of the counter's own unit: a code of another centre is unknown here.
      const officer = await findOfficerByStaffCode(db, counter.unit_id, staffCode)
      // An unknown code runs the same UPDATE (on no row), so both paths cost about the same.
      const dbClaim = await claimPinAttempt(db, officer?.id ?? NO_OFFICER, PIN_ATTEMPTS, LOCK_MINUTES)
      const claim = officer === undefined ? unknownCodes.claim(`${counter.unit_id}:${staffCode}`) : dbClaim
      if (!claim.claimed) throw locked()
      const valid = await verifySecret(pin, officer?.pin_hash ?? decoyPinHash)
      if (officer === undefined || officer.pin_hash === null || !officer.active || !valid) {
        throw claim.locking ? locked() : wrong()
      }
      const change = await db.transaction().execute(async (trx) => {
        await clearPinFailures(trx, officer.id)
        const current = await lockCounter(trx, device.counterId)
        if (current === undefined) throw counterGone()
        if (!current.active) throw counterInactive()
        const shift = await startShift(trx, current, officer.id)
        await writeAudit(trx, { kind: 'terminal', terminalId: device.id }, {
          action: 'sign_in',
          entity: 'assignment',
          entityId: officer.id,
          unitId: device.unitId,
          after: { counterId: device.counterId, officerId: officer.id }
        })
        return shift
      })
      return { officer: rowToTerminalOfficer(officer), changedCounterIds: change.changedCounterIds }
    },

    async signOut (device) {
      return db.transaction().execute(async (trx) => {
        const had = await endShift(trx, device.counterId) !== undefined
        if (had) {
          await writeAudit(trx, { kind: 'terminal', terminalId: device.id }, {
            action: 'sign_out', entity: 'assignment', entityId: null, unitId: device.unitId, before: { counterId: device.counterId }
          })
        }
        return had
      })
    }
  }
}
