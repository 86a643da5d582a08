// The frame of every signed-in page: navigation by role, the unit picker, the period presets, language, live alerts.
import type { ComponentChildren } from 'preact'
import { useLocation } from 'preact-iso'
import type { Alert, AlertKind, Role, Unit } from '../api.ts'
import { useConnection } from '../connection.ts'
import { useDashboard, useSelection } from '../context.ts'
import { counterLabel } from './Figures.tsx'
import { fill, levelLabel, type Lang, type MessageKey } from '../i18n.ts'
import { dateTime, percent, presets, time, vietnameseOrder, type Preset } from '../period.ts'

interface NavItem {
  path: string
  label: MessageKey
  roles: Role[]
}
export const navItems: NavItem[] = [
  { path: '/', label: 'navOverview', roles: ['admin', 'supervisor', 'analyst', 'officer'] },
  { path: '/live', label: 'navLive', roles: ['admin', 'supervisor'] },
  { path: '/officers', label: 'navOfficers', roles: ['admin', 'supervisor', 'analyst'] },
  { path: '/cases', label: 'navCases', roles: ['admin', 'supervisor'] },
  { path: '/alerts', label: 'navAlerts', roles: ['admin', 'supervisor', 'analyst'] },
  { path: '/province', label: 'navProvince', roles: ['admin', 'supervisor', 'analyst'] },
  { path: '/report', label: 'navReport', roles: ['admin', 'supervisor', 'analyst'] },
  { path: '/admin', label: 'navAdmin', roles: ['admin', 'supervisor'] }
]

/** What a rule alert saw, in words: the share in the window, or the streak at a counter. */
export function alertText (
  t: (key: MessageKey) => string,
  lang: Lang,
  kind: AlertKind,
  details: Alert['details'],
  counterNumber: number | null
): string {
  const atCounter = counterNumber === null ? '' : ` · ${t('counter')} ${counterNumber}`
  if (kind === 'case_overdue') {
    return fill(t('ruleOverdueText'), { due: details.dueAt === undefined ? '' : dateTime(lang, details.dueAt) }) + atCounter
  }
  if (kind === 'unsatisfied_share') {
    return fill(t('ruleShareText'), {
      share: percent(lang, details.share ?? null),
      unsatisfied: details.unsatisfied ?? 0,
      total: details.total ?? 0,
      window: details.parameters.windowMinutes ?? ''
    })
  }
  return (
    fill(t('ruleStreakText'), { count: details.unsatisfied ?? details.parameters.count ?? '' }) + atCounter
  )
}

const presetKeys: Record<Preset, MessageKey> = {
  today: 'presetToday',
  '7d': 'preset7d',
  month: 'presetMonth',
  quarter: 'presetQuarter',
  year: 'presetYear',
  custom: 'presetCustom'
}

/** The units of the scope in tree order (siblings in Vietnamese alphabetical order), each with its depth. */
export function unitTree (units: Unit[]): Array<{ unit: Unit; depth: number }> {
  const ids = new Set(units.map((unit) => unit.id))
  const children = new Map<string | null, Unit[]>()
  for (const unit of units) {
    const parent = unit.parentId !== null && ids.has(unit.parentId) ? unit.parentId : null
    children.set(parent, [...(children.get(parent) ?? []), unit])
  }
  const out: Array<{ unit: Unit; depth: number }> = []
  const walk = (parent: string | null, depth: number): void => {
    for (const unit of [...(children.get(parent) ?? [])].sort((a, b) => vietnameseOrder(a.name, b.name))) {
      out.push({ unit, depth })
      walk(unit.id, depth + 1)
    }
  }
  walk(null, 0)
  return out
}

function UnitPicker () {
  const { units, t } = useDashboard()
  const selection = useSelection()
  if (units.length === 0) return null
  return (
    <label class='picker'>
      <span>{t('unit')}</span>
      <select value={selection.unitId} onChange={(event) => selection.change({ unitId: event.currentTarget.value })}>
        <option value=''>{t('wholeScope')}</option>
        {unitTree(units).map(({ unit, depth }) => (
          <option key={unit.id} value={unit.id}>
            {'\u2003'.repeat(depth)}
            {unit.name}
          </option>
        ))}
      </select>
    </label>
  )
}

function PeriodPicker () {
  const { t } = useDashboard()
  const selection = useSelection()
  return (
    <div class='picker period' role='group' aria-label={t('period')}>
      {presets.map((preset) => (
        <button
          key={preset}
          type='button'
          class='preset'
          aria-pressed={selection.preset === preset}
          onClick={() => selection.change({ preset })}
        >
          {t(presetKeys[preset])}
        </button>
      ))}
      {selection.preset === 'custom' && (
        <>
          <input
            type='date'
            aria-label={t('from')}
            value={selection.period.from}
            max={selection.period.to}
            onChange={(event) => event.currentTarget.value !== '' && selection.change({ from: event.currentTarget.value })}
          />
          <input
            type='date'
            aria-label={t('to')}
            value={selection.period.to}
            min={selection.period.from}
            onChange={(event) => event.currentTarget.value !== '' && selection.change({ to: event.currentTarget.value })}
          />
        </>
      )}
    </div>
  )
}

function Toasts () {
  const { live, lang, t, counters, officers, units } = useDashboard()
  const { search } = useSelection()
  if (live.alerts.length === 0) return null
  return (
    <div class='toasts' aria-live='assertive'>
      {live.alerts.length > 1 && (
        <button type='button' class='toast-close-all' onClick={live.dismissAll}>
          {t('dismissAll')} ({live.alerts.length})
        </button>
      )}
      {live.alerts.slice(0, 4).map((alert) =>
        alert.kind === 'rule'
          ? (
            <div key={alert.id} class='toast rule' role='alert' data-alert={alert.id}>
              <strong>{t('ruleAlertTitle')}</strong>
              <span>
                {alertText(t, lang, alert.ruleKind, alert.details, alert.counterNumber)} ·{' '}
                {units.find((unit) => unit.id === alert.unitId)?.name ?? ''} · {time(lang, alert.at)}
              </span>
              <span class='toast-actions'>
                <a href={`/alerts${search}`}>{t('view')}</a>
                <button type='button' class='link' onClick={() => live.dismiss(alert.id)}>
                  {t('dismiss')}
                </button>
              </span>
            </div>
            )
          : (
            <div key={alert.ratingId} class='toast' role='alert'>
              <strong>{t('alertTitle')}</strong>
              <span>
                {levelLabel(lang, alert.level)} ·{' '}
                {counters.has(alert.counterId)
                  ? counterLabel(t('counter'), counters.get(alert.counterId)!.number, counters.get(alert.counterId)!.name)
                  : ''}
                {alert.officerId !== null && officers.has(alert.officerId) ? ` · ${officers.get(alert.officerId)!.fullName}` : ''} ·{' '}
                {time(lang, alert.at)}
              </span>
              <span class='toast-actions'>
                {alert.caseId !== null && (
                  <a href={`/cases${search}${search === '' ? '?' : '&'}case=${alert.caseId}`} onClick={() => live.dismiss(alert.ratingId)}>
                    {t('viewCase')}
                  </a>
                )}
                <button type='button' class='link' onClick={() => live.dismiss(alert.ratingId)}>
                  {t('dismiss')}
                </button>
              </span>
            </div>
            )
      )}
    </div>
  )
}

/** The one connection state of the app: shown while the server does not answer, with automatic retry and a retry button. */
export function ConnectionBanner () {
  const { t } = useDashboard()
  const connection = useConnection()
  if (connection.reachable) return null
  return (
    <div class='offline-banner' role='alert'>
      <strong>{t('offlineTitle')}</strong> <span>{t('offlineRetrying')}</span>
      <button type='button' onClick={connection.retry}>
        {t('retryNow')}
      </button>
    </div>
  )
}

export function Layout ({ children, pickers = true }: { children: ComponentChildren; pickers?: boolean }) {
  const dashboard = useDashboard()
  const { t, user, lang, live } = dashboard
  const { path } = useLocation()
  const { search } = useSelection()
  const connection = useConnection()
  const connected = connection.reachable && live.open
  return (
    <div class='layout'>
      <header class='top no-print'>
        <div class='brand'>
          <strong>{t('appName')}</strong> <span class='muted'>{t('appTagline')}</span>
        </div>
        <nav aria-label='menu'>
          {navItems
            .filter((item) => item.roles.includes(user.role))
            .map((item) => (
              <a key={item.path} href={item.path + search} aria-current={path === item.path ? 'page' : undefined}>
                {t(item.label)}
                {item.path === '/alerts' && live.openAlerts > 0 && (
                  <span class='badge' title={t('alertsOpen')}>
                    {live.openAlerts >= 100 ? '99+' : live.openAlerts}
                  </span>
                )}
              </a>
            ))}
        </nav>
        <div class='who'>
          <span class={`dot ${connected ? 'on' : 'off'}`} title={t(connected ? 'liveConnected' : 'liveDisconnected')} />
          <span>{user.displayName}</span>
          <button
            type='button'
            class='link'
            lang={lang === 'vi' ? 'en' : 'vi'}
            onClick={() => dashboard.setLang(lang === 'vi' ? 'en' : 'vi')}
          >
            {t('otherLanguage')}
          </button>
          <button type='button' class='link' onClick={dashboard.signOut}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <ConnectionBanner />
      {pickers && (
        <div class='pickers no-print'>
          <UnitPicker />
          <PeriodPicker />
        </div>
      )}
      <main>{children}</main>
      <Toasts />
    </div>
  )
}
