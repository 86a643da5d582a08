// The words machinery both browser apps use: the languages, table lookup, `{name}` filling, server labels and locales.
// Each app keeps its own message tables (terminal/i18n.ts, dashboard/i18n.ts).

export type Lang = 'vi' | 'en'

/** Something the server names in both languages (a scale level, a criterion). */
export interface Labelled { labelVi: string, labelEn: string }

/** The lookup of an app's message tables: `text(lang, key)`. */
export const lookup = <Key extends string>(tables: Record<Lang, Record<Key, string>>) =>
  (lang: Lang, key: Key): string => tables[lang][key]

/** A message with `{name}` places filled in; unknown places stay as they are. */
export const fill = (message: string, values: Record<string, string | number>): string =>
  message.replace(/\{(\w+)\}/g, (whole, name: string) => String(values[name] ?? whole))

/** A server item's own label in `lang`. */
export const label = (lang: Lang, item: Labelled): string => lang === 'vi' ? item.labelVi : item.labelEn

/** The locale of number and date formats. */
export const locale = (lang: Lang): string => lang === 'vi' ? 'vi-VN' : 'en-GB'

/** The language stored under `key` (Vietnamese unless English was chosen). */
export const storedLang = (key: string): Lang => localStorage.getItem(key) === 'en' ? 'en' : 'vi'

/** Switches the page to `lang`: the document's `lang` (screen readers, hyphenation) and, given a key, the stored choice. */
export function applyLang (lang: Lang, key?: string): void {
  if (key !== undefined) localStorage.setItem(key, lang)
  document.documentElement.lang = lang
}
