// The dashboard shows an API failure by its `code`, in the app's language (the table is shared with the terminal).
export { errorText, errorTexts } from '../terminal/errors.ts'

import { ApiError, NETWORK } from './api.ts'
import { errorText } from '../terminal/errors.ts'
import { text, type Lang } from './i18n.ts'

/** What a failed call says to the user: the sentence for its code, never the API's own message. */
export function failureText (lang: Lang, failure: unknown): string {
  if (failure instanceof ApiError) return failure.code === NETWORK ? text(lang, 'offlineTitle') : errorText(lang, failure.code)
  return text(lang, 'failed')
}
