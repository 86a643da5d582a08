// Admin: terminals (pairing code large, with a QR code), counters, officers (PIN reset), users and API tokens (shown once).
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { call, get, type ApiToken, type Counter, type CreatedTerminal, type Items, type Officer, type Role, type Terminal, type Unit, type User } from '../../api.ts'
import { counterLabel, Section, Status } from '../../components/Figures.tsx'
import { Layout, unitTree } from '../../components/Layout.tsx'
import { Catalogue } from './Catalogue.tsx'
import { QrCode } from '../../components/QrCode.tsx'
import { useLoad } from '../../components/useLoad.ts'
import { failureText } from '../../errors.ts'
import { targetOf, useDashboard, useSelection } from '../../context.ts'
import { unitKindLabel, type MessageKey } from '../../i18n.ts'
import { dateTime, percent } from '../../period.ts'

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

/** A form that posts and reports failure; `onSubmit` throws to show the API's message. */
function AdminForm ({ onSubmit, children, submit }: { onSubmit: () => Promise<void>, children: ComponentChildren, submit: string }) {
  const { lang } = useDashboard()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  return (
    <form class="admin-form" onSubmit={(event) => {
      event.preventDefault()
      setBusy(true)
      setError(null)
      onSubmit().catch((failure: unknown) => setError(failureText(lang, failure))).finally(() => setBusy(false))
    }}>
      {children}
      <button type="submit" class="primary" disabled={busy}>{submit}</button>
      {error !== null && <p class="error" role="alert">{error}</p>}
    </form>
  )
}

function UnitSelect ({ value, onChange }: { value: string, onChange: (id: string) => void }) {
  const { units, t } = useDashboard()
  return (
    <label>{t('unit')}
      <select required value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="" disabled>—</option>
        {unitTree(units).map(({ unit, depth }) => <option key={unit.id} value={unit.id}>{'\u2003'.repeat(depth)}{unit.name}</option>)}
      </select>
    </label>
  )
}

const terminalStatus: Record<string, MessageKey> = {
  pairing: 'terminalPairing', pairing_expired: 'terminalPairingExpired', paired: 'terminalPaired', revoked: 'terminalRevoked'
}

const unitKinds = ['province', 'commune', 'ward', 'special_zone', 'centre', 'agency', 'other'] as const

/** The unit tree of the scope; a new unit goes under a parent in it. */
/** The unit's satisfaction target in percent; empty goes back to the SIPAS 2030 default. */
function TargetInput ({ unit, onSaved }: { unit: Unit, onSaved: (unit: Unit) => void }) {
  const { lang, t } = useDashboard()
  const [value, setValue] = useState(unit.satisfactionTarget == null ? '' : String(Math.round(unit.satisfactionTarget * 1000) / 10))
  const [state, setState] = useState<string | null>(null)
  return (
    <form class="inline target" onSubmit={(event) => {
      event.preventDefault()
      const target = value.trim() === '' ? null : Number(value.replace(',', '.')) / 100
      call<Unit>('PATCH', `/units/${unit.id}`, { satisfactionTarget: target }).then((saved) => { onSaved(saved); setState(t('saved')) }, (failure: unknown) => setState(failureText(lang, failure)))
    }}>
      <input aria-label={`${t('target')} ${unit.name}`} title={t('targetHint')} placeholder="95" inputMode="decimal" pattern="[0-9]{1,3}([.,][0-9])?" value={value} onInput={(event) => { setValue(event.currentTarget.value); setState(null) }} /> %
      <button type="submit">{t('save')}</button>
      {state !== null && <span role="status">{state}</span>}
    </form>
  )
}

function Units () {
  const { lang, t, units, user, refreshUnits } = useDashboard()
  const [saved, setSaved] = useState<Map<string, Unit>>(new Map())
  const [created, setCreated] = useState<Unit[]>([])
  const all = [...units, ...created.filter((unit) => !units.some((known) => known.id === unit.id))].map((unit) => saved.get(unit.id) ?? unit)
  const [parentId, setParentId] = useState('')
  const [kind, setKind] = useState<typeof unitKinds[number]>('centre')
  const [code, setCode] = useState('')
  const [name, setName] = useState('')
  return (
    <>
      <AdminForm submit={t('create')} onSubmit={async () => {
        const unit = await call<Unit>('POST', '/units', { parentId, kind, code, name })
        setCreated([...created, unit])
        setCode('')
        setName('')
      }}>
        <label>{t('parentUnit')}
          <select required value={parentId} onChange={(event) => setParentId(event.currentTarget.value)}>
            <option value="" disabled>—</option>
            {unitTree(all).map(({ unit, depth }) => <option key={unit.id} value={unit.id}>{'\u2003'.repeat(depth)}{unit.name}</option>)}
          </select>
        </label>
        <label>{t('kind')}
          <select value={kind} onChange={(event) => setKind(event.currentTarget.value as typeof unitKinds[number])}>
            {unitKinds.map((value) => <option key={value} value={value}>{unitKindLabel(lang, value)}</option>)}
          </select>
        </label>
        <label>{t('code')}<input required pattern="[A-Za-z0-9._/\-]{1,32}" value={code} onInput={(event) => setCode(event.currentTarget.value)} /></label>
        <label>{t('name')}<input required value={name} onInput={(event) => setName(event.currentTarget.value)} /></label>
      </AdminForm>
      <table class="grid">
        <thead><tr><th>{t('name')}</th><th>{t('code')}</th><th>{t('kind')}</th><th title={t('targetHint')}>{t('target')}</th></tr></thead>
        <tbody>
          {unitTree(all).map(({ unit, depth }) => (
            <tr key={unit.id} data-unit={unit.id}>
              <td style={{ paddingLeft: `${0.5 + depth * 1.5}rem` }}>{unit.name}</td><td>{unit.code}</td><td>{unitKindLabel(lang, unit.kind)}</td>
              <td>{unit.id === user.unitId ? percent(lang, targetOf(all, unit.id)) : <TargetInput unit={unit} onSaved={(next) => { setSaved(new Map(saved).set(next.id, next)); refreshUnits() }} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

function Terminals ({ unitId }: { unitId: string | undefined }) {
  const { lang, t } = useDashboard()
  const counters = useLoad(() => get<Items<Counter>>('/counters', { unitId, active: true }), [unitId])
  const terminals = useLoad(() => get<Items<Terminal>>('/terminals', { unitId }), [unitId])
  const [counterId, setCounterId] = useState('')
  const [kind, setKind] = useState<'touch' | 'button'>('touch')
  const [created, setCreated] = useState<CreatedTerminal | null>(null)
  const counterName = (id: string): string => {
    const counter = counters.value?.items.find((item) => item.id === id)
    return counter === undefined ? '' : counterLabel(t('counter'), counter.number, counter.name)
  }
  return (
    <>
      <AdminForm submit={t('create')} onSubmit={async () => {
        setCreated(await call<CreatedTerminal>('POST', '/terminals', { counterId, kind }))
        terminals.reload()
      }}>
        <label>{t('counter')}
          <select required value={counterId} onChange={(event) => setCounterId(event.currentTarget.value)}>
            <option value="" disabled>—</option>
            {(counters.value?.items ?? []).map((counter) => <option key={counter.id} value={counter.id}>{counterLabel(t('counter'), counter.number, counter.name)}</option>)}
          </select>
        </label>
        <label>{t('kind')}
          <select value={kind} onChange={(event) => setKind(event.currentTarget.value as 'touch' | 'button')}>
            <option value="touch">{t('kindTouch')}</option>
            <option value="button">{t('kindButton')}</option>
          </select>
        </label>
      </AdminForm>
      {created !== null && (
        <div class="pairing" role="status" aria-label={t('pairingCode')}>
          <div>
            <p>{t('pairingCode')} · {counterName(created.terminal.counterId)}</p>
            <p class="pairing-code">{created.pairingCode}</p>
            <p class="muted">{t('pairingHint')} {dateTime(lang, created.pairingExpiresAt)}</p>
          </div>
          <QrCode value={`${location.origin}/terminal/pair?code=${created.pairingCode}`} label={t('pairingCode')} />
        </div>
      )}
      <Status loading={terminals.loading && terminals.value === null} error={terminals.error} />
      <table class="grid">
        <thead><tr><th>{t('name')}</th><th>{t('counter')}</th><th>{t('kind')}</th><th>{t('status')}</th><th>{t('lastSeen')}</th><th /></tr></thead>
        <tbody>
          {(terminals.value?.items ?? []).map((terminal) => (
            <tr key={terminal.id}>
              <td>{terminal.name}</td><td>{counterName(terminal.counterId)}</td><td>{t(terminal.kind === 'touch' ? 'kindTouch' : 'kindButton')}</td>
              <td>{t(terminalStatus[terminal.status] ?? 'terminalPaired')}</td><td>{terminal.lastSeenAt === null ? '–' : dateTime(lang, terminal.lastSeenAt)}</td>
              <td>{terminal.status !== 'revoked' && <button type="button" class="link" onClick={() => { void call('POST', `/terminals/${terminal.id}/revoke`).then(terminals.reload) }}>{t('revoke')}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

function Counters ({ unitId }: { unitId: string | undefined }) {
  const { t } = useDashboard()
  const counters = useLoad(() => get<Items<Counter>>('/counters', { unitId }), [unitId])
  const [unit, setUnit] = useState(unitId ?? '')
  const [number, setNumber] = useState('')
  const [name, setName] = useState('')
  return (
    <>
      <AdminForm submit={t('create')} onSubmit={async () => {
        await call('POST', '/counters', { unitId: unit, number: Number(number), name })
        setNumber('')
        setName('')
        counters.reload()
      }}>
        <UnitSelect value={unit} onChange={setUnit} />
        <label>{t('number')}<input type="number" min="1" max="9999" required value={number} onInput={(event) => setNumber(event.currentTarget.value)} /></label>
        <label>{t('name')}<input required value={name} onInput={(event) => setName(event.currentTarget.value)} /></label>
      </AdminForm>
      <table class="grid">
        <thead><tr><th>{t('number')}</th><th>{t('name')}</th><th>{t('officer')}</th><th>{t('status')}</th></tr></thead>
        <tbody>
          {(counters.value?.items ?? []).map((counter) => (
            <tr key={counter.id}><td>{counter.number}</td><td>{counter.name}</td><td>{counter.officer?.fullName ?? '–'}</td><td>{t(counter.active ? 'active' : 'inactive')}</td></tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

function PinReset ({ officer }: { officer: Officer }) {
  const { lang, t } = useDashboard()
  const [pin, setPin] = useState('')
  const [done, setDone] = useState(false)
  const [error, setError] = useState<string | null>(null)
  return (
    <form class="inline" onSubmit={(event) => {
      event.preventDefault()
      call('PATCH', `/officers/${officer.id}`, { pin }).then(() => { setDone(true); setPin('') }, (failure: unknown) => setError(failureText(lang, failure)))
    }}>
      <input aria-label={`${t('newPin')} ${officer.fullName}`} placeholder={t('newPin')} inputMode="numeric" pattern="[0-9]{4,8}" required value={pin} onInput={(event) => { setPin(event.currentTarget.value); setDone(false) }} />
      <button type="submit">{t('resetPin')}</button>
      {done && <span role="status">{t('pinReset')}</span>}
      {error !== null && <span class="error" role="alert">{error}</span>}
    </form>
  )
}

function Officers ({ unitId }: { unitId: string | undefined }) {
  const { t } = useDashboard()
  const officers = useLoad(() => get<Items<Officer>>('/officers', { unitId }), [unitId])
  const [unit, setUnit] = useState(unitId ?? '')
  const [staffCode, setStaffCode] = useState('')
  const [fullName, setFullName] = useState('')
  const [title, setTitle] = useState('')
  const [pin, setPin] = useState('')
  return (
    <>
      <AdminForm submit={t('create')} onSubmit={async () => {
        await call('POST', '/officers', { unitId: unit, staffCode, fullName, title, pin })
        setStaffCode('')
        setFullName('')
        setPin('')
        officers.reload()
      }}>
        <UnitSelect value={unit} onChange={setUnit} />
        <label>{t('staffCode')}<input required value={staffCode} onInput={(event) => setStaffCode(event.currentTarget.value)} /></label>
        <label>{t('fullName')}<input required value={fullName} onInput={(event) => setFullName(event.currentTarget.value)} /></label>
        <label>{t('jobTitle')}<input value={title} onInput={(event) => setTitle(event.currentTarget.value)} /></label>
        <label>{t('pin')}<input inputMode="numeric" pattern="[0-9]{4,8}" required value={pin} onInput={(event) => setPin(event.currentTarget.value)} /></label>
      </AdminForm>
      <table class="grid">
        <thead><tr><th>{t('staffCode')}</th><th>{t('fullName')}</th><th>{t('jobTitle')}</th><th>{t('status')}</th><th>{t('resetPin')}</th></tr></thead>
        <tbody>
          {(officers.value?.items ?? []).map((officer) => (
            <tr key={officer.id}>
              <td>{officer.staffCode}</td><td>{officer.fullName}</td><td>{officer.title}</td><td>{t(officer.active ? 'active' : 'inactive')}</td>
              <td><PinReset officer={officer} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

const roleKeys: Record<Role, MessageKey> = { admin: 'roleAdmin', supervisor: 'roleSupervisor', analyst: 'roleAnalyst', officer: 'roleOfficer' }

function Users ({ unitId }: { unitId: string | undefined }) {
  const { t, units } = useDashboard()
  const users = useLoad(() => get<Items<User>>('/users', { unitId }), [unitId])
  const officers = useLoad(() => get<Items<Officer>>('/officers', { unitId }), [unitId])
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [role, setRole] = useState<Role>('supervisor')
  const [unit, setUnit] = useState(unitId ?? '')
  const [officerId, setOfficerId] = useState('')
  const unitName = (id: string | null): string => id === null ? t('wholeScope') : units.find((item) => item.id === id)?.name ?? ''
  return (
    <>
      <AdminForm submit={t('create')} onSubmit={async () => {
        await call('POST', '/users', role === 'officer' ? { username, password, role, officerId } : { username, password, role, unitId: unit })
        setUsername('')
        setPassword('')
        users.reload()
      }}>
        <label>{t('username')}<input required pattern="[a-zA-Z0-9._\-]{3,64}" value={username} onInput={(event) => setUsername(event.currentTarget.value)} /></label>
        <label>{t('password')}<input type="password" required minLength={8} autoComplete="new-password" value={password} onInput={(event) => setPassword(event.currentTarget.value)} /></label>
        <label>{t('role')}
          <select value={role} onChange={(event) => setRole(event.currentTarget.value as Role)}>
            {(Object.keys(roleKeys) as Role[]).map((value) => <option key={value} value={value}>{t(roleKeys[value])}</option>)}
          </select>
        </label>
        {role === 'officer'
          ? (
            <label>{t('officer')}
              <select required value={officerId} onChange={(event) => setOfficerId(event.currentTarget.value)}>
                <option value="" disabled>—</option>
                {(officers.value?.items ?? []).map((officer) => <option key={officer.id} value={officer.id}>{officer.staffCode} · {officer.fullName}</option>)}
              </select>
            </label>
            )
          : <UnitSelect value={unit} onChange={setUnit} />}
      </AdminForm>
      <table class="grid">
        <thead><tr><th>{t('username')}</th><th>{t('name')}</th><th>{t('role')}</th><th>{t('unit')}</th><th>{t('status')}</th></tr></thead>
        <tbody>
          {(users.value?.items ?? []).map((user) => (
            <tr key={user.id}><td>{user.username}</td><td>{user.displayName}</td><td>{t(roleKeys[user.role])}</td><td>{unitName(user.unitId)}</td><td>{t(user.active ? 'active' : 'inactive')}</td></tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

function Tokens ({ unitId }: { unitId: string | undefined }) {
  const { lang, t, units } = useDashboard()
  const tokens = useLoad(() => get<Items<ApiToken>>('/api-tokens'), [])
  const [name, setName] = useState('')
  const [unit, setUnit] = useState(unitId ?? '')
  const [secret, setSecret] = useState<string | null>(null)
  return (
    <>
      <AdminForm submit={t('create')} onSubmit={async () => {
        const created = await call<ApiToken & { token: string }>('POST', '/api-tokens', { name, unitId: unit })
        setSecret(created.token)
        setName('')
        tokens.reload()
      }}>
        <label>{t('tokenName')}<input required value={name} onInput={(event) => setName(event.currentTarget.value)} /></label>
        <UnitSelect value={unit} onChange={setUnit} />
      </AdminForm>
      {secret !== null && <div class="secret" role="status"><p>{t('tokenShownOnce')}</p><code>{secret}</code></div>}
      <table class="grid">
        <thead><tr><th>{t('tokenName')}</th><th>{t('unit')}</th><th>{t('createdAt')}</th><th>{t('lastSeen')}</th><th /></tr></thead>
        <tbody>
          {(tokens.value?.items ?? []).map((token) => (
            <tr key={token.id}>
              <td>{token.name}</td><td>{units.find((item) => item.id === token.unitId)?.name ?? ''}</td><td>{dateTime(lang, token.createdAt)}</td>
              <td>{token.lastUsedAt === null ? '–' : dateTime(lang, token.lastUsedAt)}</td>
              <td><button type="button" class="link" onClick={() => { void call('DELETE', `/api-tokens/${token.id}`).then(tokens.reload) }}>{t('revoke')}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

export function Admin () {
  const { t, user } = useDashboard()
  const selection = useSelection()
  const [tab, setTab] = useState<Tab>('terminals')
  const unitId = selection.stats.unitId as string | undefined
  return (
    <Layout>
      <div role="tablist" class="tabs">
        {/* The scale and criteria are national: only an admin of the whole tree may change them (403 otherwise). */}
        {tabs.filter((item) => item.tab !== 'catalogue' || (user.role === 'admin' && user.unitId === null)).map((item) => <button key={item.tab} type="button" role="tab" aria-selected={tab === item.tab} onClick={() => setTab(item.tab)}>{t(item.label)}</button>)}
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
