// The citizen's voice: the default follow-up settings, the consent sentence by version, and the call-back number's checks and mask.
import type { ConsentText, FollowUpReason, FollowUpSettings } from '../../contract/follow-up.ts'

/** What the terminal asks when no unit up the tree set its own. */
export const DEFAULT_REASONS: FollowUpReason[] = [
  { code: 'wait', labelVi: 'Chờ lâu', labelEn: 'Long wait' },
  { code: 'attitude', labelVi: 'Thái độ', labelEn: 'Attitude' },
  { code: 'guidance', labelVi: 'Hướng dẫn chưa rõ', labelEn: 'Unclear guidance' },
  { code: 'returned', labelVi: 'Hồ sơ bị trả lại', labelEn: 'Dossier returned' },
  { code: 'other', labelVi: 'Khác', labelEn: 'Other' }
]

export const DEFAULT_FOLLOW_UP: FollowUpSettings = { reasons: DEFAULT_REASONS, askNeutral: false, callBack: true, phoneRetentionDays: 30 }
/** Also in SQL: the erasure sweep's `coalesce(…, 30)` (api/repositories/cases.ts). */
export const DEFAULT_PHONE_RETENTION_DAYS = DEFAULT_FOLLOW_UP.phoneRetentionDays

/**
 * Every consent sentence ever shown, by version: a case records the version its citizen saw, so a changed wording is a new
 * version and the old one stays here (docs/security.md).
 */
export const CONSENT_TEXTS: Record<string, ConsentText> = {
  'nd13-2026-11': {
    version: 'nd13-2026-11',
    textVi: 'Khi nhấn "Gửi", Ông/Bà đồng ý để cơ quan sử dụng số điện thoại này chỉ nhằm liên hệ lại về ý kiến của Ông/Bà; ' +
      'số điện thoại được xóa sau khi ý kiến được giải quyết, theo Nghị định số 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân.',
    textEn: 'By pressing "Send" you agree that this office may use this number only to call you back about your feedback; ' +
      'it is erased once your feedback has been dealt with, under Decree 13/2023/NĐ-CP on personal data protection.'
  }
}
export const CURRENT_CONSENT = CONSENT_TEXTS['nd13-2026-11']!

/** The settings that hold: a unit's own or its nearest ancestor's (null: none up the tree, the defaults). */
/** A reason code with its labels: the unit's own list first, then the defaults; an unknown code labels itself. */
export function reasonLabel (code: string, settings: FollowUpSettings | null): { code: string; labelVi: string; labelEn: string } {
  const known = (settings?.reasons ?? []).find((reason) => reason.code === code) ?? DEFAULT_REASONS.find((reason) => reason.code === code)
  return { code, labelVi: known?.labelVi ?? code, labelEn: known?.labelEn ?? code }
}

export function effectiveFollowUp (settings: FollowUpSettings | null): FollowUpSettings {
  return settings ?? DEFAULT_FOLLOW_UP
}

/**
 * A call-back number as stored: spaces, dots, dashes and brackets go, +84/84 becomes 0; a Vietnamese mobile or landline
 * number is 0 and 9–10 digits. Anything else: null.
 */
export function normalisePhone (raw: string): string | null {
  let digits = raw.replace(/[\s.\-()]/g, '')
  if (digits.startsWith('+84')) digits = `0${digits.slice(3)}`
  else if (/^84\d{9,10}$/.test(digits)) digits = `0${digits.slice(2)}`
  return /^0\d{9,10}$/.test(digits) ? digits : null
}

/** The number as lists show it: the first two and last two digits, e.g. "09******89". */
export function maskPhone (phone: string): string {
  return `${phone.slice(0, 2)}${'*'.repeat(Math.max(0, phone.length - 4))}${phone.slice(-2)}`
}
