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
import { claimPinAttempt, clearPinFailures, findOfficerByStaffCode } from '../repositories/officers.ts'
import { claimUnknownCodeAttempt } from '../repositories/limits.ts'
import { endShift, startShift } from '../repositories/shifts.ts'
import { rowToTerminalOfficer } from '../repositories/terminal-state.ts'

/** Wrong PINs in a row before an officer is locked out, and for how long. */
export const PIN_ATTEMPTS = 5
export const LOCK_MINUTES = 15

const decoyPinHash = await hashSecret('000000')

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

/**
 * Unknown staff codes get a lockout of their own (unknown_code_lockouts, counted as officers.pin_failures are), so
 * probing cannot tell a real code from an unknown one; in the database, so every API process counts alike.
 */
export function officerSignIn (db: Kysely<Database>): OfficerSignIn {
  return {
    async signIn (device, givenStaffCode, pin) {
      const counter = await findCounterPlace(db, device.counterId)
      if (counter === undefined) throw counterGone()
      // Before any PIN is looked at, as the supervisor's route does: no attempt is spent on a closed counter.
      if (!counter.active) throw counterInactive()
      const staffCode = givenStaffCode.trim().toLowerCase()
      // Only the officers of the counter's own unit: a code of another centre is unknown here.
      const officer = await findOfficerByStaffCode(db, counter.unit_id, staffCode)
      // An unknown code runs one statement of the same shape on its own table, so both paths cost about the same.
      const claim = officer === undefined
        ? await claimUnknownCodeAttempt(db, `${counter.unit_id}:${staffCode}`, PIN_ATTEMPTS, LOCK_MINUTES)
        : await claimPinAttempt(db, officer.id, PIN_ATTEMPTS, LOCK_MINUTES)
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
