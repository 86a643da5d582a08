// Which passwords are refused: too short, among the most common ones, or built on the username (NIST SP 800-63B §5.1.1.2).
import { dictionary } from '@zxcvbn-ts/language-common'

export const MIN_PASSWORD_LENGTH = 8

/**
 * The ~49,000 most common passwords of public breach corpora, as zxcvbn-ts ships them (MIT, kept up to date), plus
 * the words a guesser tries first on this system: the product, the country and "mật khẩu" (password) typed without
 * diacritics. Compared in lower case, so `Password1` is refused like `password1`.
 */
const common = new Set<string>([
  ...dictionary['passwords-common'] as string[],
  'matkhau', 'matkhau1', 'matkhau123', 'matkhau@123', 'hailong', 'hailong123', 'hailong2026', 'vietnam1', 'vietnam123', 'vietnam@123',
  'quantri', 'quantri123', 'quantrivien', 'motcua123', 'tiepdan123', '12345678a', '123456a@', 'a123456@'
].map((word) => word.toLowerCase()))

export type PasswordProblem = 'PASSWORD_TOO_SHORT' | 'PASSWORD_TOO_COMMON' | 'PASSWORD_CONTAINS_USERNAME'

export const passwordMessages: Record<PasswordProblem, string> = {
  PASSWORD_TOO_SHORT: `The password must be at least ${MIN_PASSWORD_LENGTH} characters long`,
  PASSWORD_TOO_COMMON: 'This password is among the most common ones and is guessed first; choose another',
  PASSWORD_CONTAINS_USERNAME: 'The password must not be, or contain, the username'
}

/** Why `password` may not be set for `username`, or null when it may. */
export function passwordProblem (password: string, username: string): PasswordProblem | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'PASSWORD_TOO_SHORT'
  const lower = password.toLowerCase()
  if (common.has(lower)) return 'PASSWORD_TOO_COMMON'
  if (username.length > 0 && lower.includes(username.toLowerCase())) return 'PASSWORD_CONTAINS_USERNAME'
  return null
}
