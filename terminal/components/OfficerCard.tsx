// The officer serving at this counter (name, title, photo or initials), or that nobody is signed in.
import { useState } from 'preact/hooks'
import type { Officer } from '../api.ts'
import { text, type Lang } from '../i18n.ts'

function initials (fullName: string): string {
  const words = fullName.trim().split(/\s+/)
  return ((words.at(-2)?.[0] ?? '') + (words.at(-1)?.[0] ?? '')).toUpperCase()
}

/** Photos come from this site only (/photos/…): anything else, even if an old server sends it, is never fetched. */
const ownPhoto = (url: string | null): url is string => url !== null && /^\/photos(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$/.test(url)

export function OfficerCard ({ officer, lang }: { officer: Officer | null, lang: Lang }) {
  // A photo that can't load (offline, moved, or another origin the CSP refuses) falls back to initials.
  const [brokenPhoto, setBrokenPhoto] = useState<string | null>(null)
  if (officer === null) return <p class='officer officer-none' data-officer=''>{text(lang, 'noOfficer')}</p>
  return (
    <div class='officer' data-officer={officer.id}>
      {ownPhoto(officer.photoUrl) && officer.photoUrl !== brokenPhoto
        ? <img class='avatar' src={officer.photoUrl} alt='' width={72} height={72} onError={() => setBrokenPhoto(officer.photoUrl)} />
        : <span class='avatar' aria-hidden='true'>{initials(officer.fullName)}</span>}
      <div>
        <p class='officer-name'>{officer.fullName}</p>
        {officer.title !== '' && <p class='officer-title'>{officer.title}</p>}
      </div>
    </div>
  )
}
