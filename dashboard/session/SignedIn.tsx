// A signed-in user's dashboard: the scope and the live feed put into the context every page reads, then the pages.
import type { User } from '../api.ts'
import { DashboardContext, type Dashboard } from '../context.ts'
import { text, type Lang } from '../i18n.ts'
import { Routes } from './Routes.tsx'
import { useLiveFeed } from './useLiveFeed.ts'
import { useScope } from './useScope.ts'

interface Props { user: User, lang: Lang, setLang: (lang: Lang) => void, signOut: () => void }

export function SignedIn ({ user, lang, setLang, signOut }: Props) {
  const { catalogueLoaded, units, refreshUnits, counters, officers } = useScope(user)
  const live = useLiveFeed(user)
  const dashboard: Dashboard = { user, lang, setLang, t: (key) => text(lang, key), units, refreshUnits, counters, officers, signOut, live }

  if (!catalogueLoaded) return <p class='muted center'>{text(lang, 'loading')}</p>
  return (
    <DashboardContext.Provider value={dashboard}>
      <Routes />
    </DashboardContext.Provider>
  )
}
