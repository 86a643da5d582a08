// Admin: the tabs (units, terminals, counters, officers, users, API tokens, and for a national admin the scale and criteria).
import { useState } from 'preact/hooks'
import { Section } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { useDashboard, useSelection } from '../../context.ts'
import type { MessageKey } from '../../i18n.ts'
import { Catalogue } from './Catalogue.tsx'
import { Counters } from './Counters.tsx'
import { Officers } from './Officers.tsx'
import { Terminals } from './Terminals.tsx'
import { Tokens } from './Tokens.tsx'
import { Units } from './Units.tsx'
import { Users } from './Users.tsx'

type Tab = 'catalogue' | 'units' | 'terminals' | 'counters' | 'officers' | 'users' | 'tokens'
const tabs: Array<{ tab: Tab, label: MessageKey }> = [
  { tab: 'units', label: 'adminUnits' },
  { tab: 'terminals', label: 'adminTerminals' },
  { tab: 'counters', label: 'adminCounters' },
  { tab: 'officers', label: 'adminOfficers' },
  { tab: 'users', label: 'adminUsers' },
  { tab: 'tokens', label: 'adminTokens' },
  { tab: 'catalogue', label: 'adminCatalogue' }
]

export function Admin () {
  const { t, user } = useDashboard()
  const selection = useSelection()
  const [tab, setTab] = useState<Tab>('terminals')
  const unitId = selection.stats.unitId as string | undefined
  return (
    <Layout>
      <div role='tablist' class='tabs'>
        {/* The scale and criteria are national: only an admin of the whole tree may change them (403 otherwise). */}
        {tabs.filter((item) => item.tab !== 'catalogue' || (user.role === 'admin' && user.unitId === null)).map((item) => (
          <button key={item.tab} type='button' role='tab' aria-selected={tab === item.tab} onClick={() => setTab(item.tab)}>
            {t(item.label)}
          </button>
        ))}
      </div>
      <Section title={t(tabs.find((item) => item.tab === tab)!.label)}>
        {tab === 'units' && <Units />}
        {tab === 'catalogue' && <Catalogue />}
        {tab === 'terminals' && <Terminals key={unitId} unitId={unitId} />}
        {tab === 'counters' && <Counters key={unitId} unitId={unitId} />}
        {tab === 'officers' && <Officers key={unitId} unitId={unitId} />}
        {tab === 'users' && <Users key={unitId} unitId={unitId} />}
        {tab === 'tokens' && <Tokens key={unitId} unitId={unitId} />}
      </Section>
    </Layout>
  )
}
