// The officer serving at this counter (name, title, photo or initials), or that nobody is signed in.
import { useState } from 'preact/hooks'
import type { Officer } from '../api.ts'
import { text, type Lang } from '../i18n.ts'

function initials (fullName: string): string {
  const words = fullName.trim().split(/\s+/)
  return ((words.at(-2)?.[0] ?? '') + (words.at(-1)?.[0] ?? '')).toUpperCase()
}

export function OfficerCard ({ officer, lang }: { officer: Officer | null, lang: Lang }) {
  // A photo that can't load (offline, moved, or another origin the CSP refuses) falls back to initials.
  const [brokenPhoto, setBrokenPhoto] = useState<string | null>(null)
  if (officer === null) return <p class="officer officer-none" data-officer="">{text(lang, 'noOfficer')}</p>
  return (
    <div class="officer" data-officer={officer.id}>
      {officer.photoUrl !== null && officer.photoUrl !== '' && officer.photoUrl !== brokenPhoto
        ? <img class="avatar" src={officer.photoUrl} alt="" width={72} height={72} onError={() => setBrokenPhoto(officer.photoUrl)} />
        : <span class="avatar" aria-hidden="true">{initials(officer.fullName)}</span>}
      <div>
        <p class="officer-name">{officer.fullName}</p>
        {officer.title !== '' && <p class="officer-title">{officer.title}</p>}
      </div>
    </div>
  )
}
