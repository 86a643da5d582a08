// The officer serving at this counter (name, title, photo or initials), or that nobody is signed in.
import type { Officer } from '../api.ts'
import { text, type Lang } from '../i18n.ts'

function initials (fullName: string): string {
  const words = fullName.trim().split(/\s+/)
  return ((words.at(-2)?.[0] ?? '') + (words.at(-1)?.[0] ?? '')).toUpperCase()
}

export function OfficerCard ({ officer, lang }: { officer: Officer | null, lang: Lang }) {
  if (officer === null) return <p class="officer officer-none" data-officer="">{text(lang, 'noOfficer')}</p>
  return (
    <div class="officer" data-officer={officer.id}>
      {officer.photoUrl !== null && officer.photoUrl !== ''
        ? <img class="avatar" src={officer.photoUrl} alt="" width={72} height={72} />
        : <span class="avatar" aria-hidden="true">{initials(officer.fullName)}</span>}
      <div>
        <p class="officer-name">{officer.fullName}</p>
        {officer.title !== '' && <p class="officer-title">{officer.title}</p>}
      </div>
    </div>
  )
}
