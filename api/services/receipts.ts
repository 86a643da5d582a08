// Rate later from a phone (issue 17): a terminal issues a single-use receipt code for its counter, officer and visit;
// the citizen's phone reads the visit by the code and rates it once, through the ingest (docs/phone-rating.md).
import { randomInt } from 'node:crypto'
import type { Kysely } from 'kysely'
import QRCode from 'qrcode'
import type { Database } from '../../db/schema.ts'
import type { IssueReceiptBody, IssuedReceipt, ReceiptRated, ReceiptRatingBody, ReceiptView } from '../../contract/receipts.ts'
import type { TerminalIdentity } from '../plugins/app/auth.ts'
import { ApiError, badRequest, conflict, notFound } from '../errors.ts'
import { hashToken } from '../lib/secrets.ts'
import { CURRENT_CONSENT, effectiveFollowUp } from '../lib/follow-up.ts'
import { deleteOldReceipts, findReceipt, insertReceipt, markReceiptUsed } from '../repositories/receipts.ts'
import { currentOfficer } from '../repositories/terminal-state.ts'
import { loadCriteria, loadScale } from '../repositories/catalogue.ts'
import type { RatingIngest } from './ingest.ts'

/**
 * The code's characters: digits and capitals without 0/O, 1/I/L and U (read aloud or copied from paper without
 * doubt). 14 of 30 characters are log2(30^14) ≈ 68.7 random bits: guessing a live code is hopeless.
 */
export const RECEIPT_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ'
export const RECEIPT_CODE_LENGTH = 14

export function newReceiptCode (): string {
  let code = ''
  for (let index = 0; index < RECEIPT_CODE_LENGTH; index++) code += RECEIPT_ALPHABET[randomInt(RECEIPT_ALPHABET.length)]
  return code
}

/** The code as typed or read from a link: letters in either case, spaces and dashes ignored. Null when it cannot be one. */
export function normaliseReceiptCode (raw: string): string | null {
  const code = raw.replace(/[\s-]/g, '').toUpperCase()
  if (code.length !== RECEIPT_CODE_LENGTH) return null
  for (const char of code) if (!RECEIPT_ALPHABET.includes(char)) return null
  return code
}

/** Codes are random and long, so an unsalted SHA-256 is enough: a copy of the database holds no usable code. */
export const receiptCodeHash = (code: string): string => hashToken(`receipt:${code}`)

export async function issueReceipt (
  db: Kysely<Database>,
  terminal: TerminalIdentity,
  body: IssueReceiptBody,
  origin: string
): Promise<IssuedReceipt> {
  const officer = await currentOfficer(db, terminal.counterId)
  const code = newReceiptCode()
  const { expiresAt } = await insertReceipt(db, {
    codeHash: receiptCodeHash(code),
    unitId: terminal.unitId,
    counterId: terminal.counterId,
    terminalId: terminal.id,
    officerId: officer?.id ?? null,
    ticket: body.ticket ?? null,
    dossierCode: body.dossierCode ?? null
  })
  const url = `${origin}/r/${code}`
  // Medium error correction: a slip's QR code still reads with a smudge or a fold.
  const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
  return { code, url, expiresAt: expiresAt.toISOString(), qrSvg }
}

const unknownCode = (): ApiError => notFound('Receipt code', 'RECEIPT_NOT_FOUND')

/** What the phone page shows: the visit while the code is open; only its status once used or expired. */
export async function viewReceipt (db: Kysely<Database>, rawCode: string, now = new Date()): Promise<ReceiptView> {
  const code = normaliseReceiptCode(rawCode)
  const receipt = code === null ? undefined : await findReceipt(db, receiptCodeHash(code))
  if (receipt === undefined) throw unknownCode()
  if (receipt.usedAt !== null) return { status: 'used' }
  if (receipt.expiresAt.getTime() <= now.getTime()) return { status: 'expired' }
  const [scale, criteria] = await Promise.all([loadScale(db), loadCriteria(db)])
  const { phoneRetentionDays: _days, ...asked } = effectiveFollowUp(receipt.followUp)
  return {
    status: 'open',
    visit: {
      unitName: receipt.unitName,
      counterNumber: receipt.counterNumber,
      counterName: receipt.counterName,
      officer: receipt.officerName === null ? null : { fullName: receipt.officerName, title: receipt.officerTitle ?? '' },
      ticket: receipt.ticket,
      issuedAt: receipt.issuedAt.toISOString(),
      expiresAt: receipt.expiresAt.toISOString(),
      scale,
      criteria,
      followUp: { ...asked, consent: CURRENT_CONSENT }
    }
  }
}

/**
 * Stores the phone's rating once: through the ingest with the id the code was given at issue (its idempotency key),
 * credited to the code's counter and officer, counted now, with source 'phone'. Two submits at once store one
 * rating; the other answers 409 RECEIPT_USED, as does any later one.
 */
export async function rateReceipt (
  db: Kysely<Database>,
  ingest: RatingIngest,
  rawCode: string,
  body: ReceiptRatingBody
): Promise<ReceiptRated> {
  const code = normaliseReceiptCode(rawCode)
  const codeHash = code === null ? null : receiptCodeHash(code)
  const receipt = codeHash === null ? undefined : await findReceipt(db, codeHash)
  if (receipt === undefined || codeHash === null) throw unknownCode()
  const used = (): ApiError => conflict('RECEIPT_USED', 'This code has already been rated')
  if (receipt.usedAt !== null) throw used()
  const now = new Date()
  if (receipt.expiresAt.getTime() <= now.getTime()) throw new ApiError(410, 'RECEIPT_EXPIRED', 'This code has expired')
  const [result] = await ingest.submit(
    {
      id: receipt.terminalId,
      unitId: receipt.unitId,
      counterId: receipt.counterId,
      kind: receipt.terminalKind,
      source: 'phone',
      officerId: receipt.officerId
    },
    [{
      id: receipt.ratingId,
      level: body.level,
      ratedAt: now.toISOString(),
      ...(body.criteria === undefined ? {} : { criteria: body.criteria }),
      ...(body.followUp === undefined ? {} : { followUp: body.followUp }),
      ...(receipt.ticket === null ? {} : { ticket: receipt.ticket }),
      ...(receipt.dossierCode === null ? {} : { dossierCode: receipt.dossierCode })
    }]
  )
  if (result === undefined || result.status === 'rejected') {
    throw badRequest((result?.error?.code ?? 'VALIDATION_FAILED') as 'VALIDATION_FAILED', result?.error?.message ?? 'invalid rating')
  }
  await markReceiptUsed(db, codeHash, now)
  if (result.status === 'duplicate') throw used()
  return { status: 'created', ratedAt: now.toISOString() }
}

/** Days after its expiry that a code is kept (its page says "expired" rather than "not valid" meanwhile). */
export const RECEIPT_KEPT_DAYS = 30

export const deleteExpiredReceipts = (db: Kysely<Database>): Promise<number> => deleteOldReceipts(db, RECEIPT_KEPT_DAYS)
