// Alerts: what the server's rules fired (open first, acknowledged with a note) and the rule editor per unit.
import { useState } from 'preact/hooks'
import {
  call, get, type Alert, type AlertRule, type AlertKind, type AlertRuleKind, type AlertRuleParameters, type Items
} from '../../api.ts'
import { Section, Status } from '../../components/Figures.tsx'
import { alertText, Layout, unitTree } from '../../components/Layout.tsx'
import { useLoad } from '../../components/useLoad.ts'
import { failureText } from '../../errors.ts'
import { useDashboard, useSelection } from '../../context.ts'
import { fill, type MessageKey } from '../../i18n.ts'
import { dateTime } from '../../period.ts'

const kindKeys: Record<AlertKind, MessageKey> = {
  unsatisfied_share: 'ruleKindShare', unsatisfied_streak: 'ruleKindStreak', case_overdue: 'ruleKindOverdue'
}

function AlertItem ({ alert, canWrite, onChange }: { alert: Alert; canWrite: boolean; onChange: () => void }) {
  const { lang, t, units } = useDashboard()
  const [note, setNote] = useState('')
  const [error, setError] = useState<string | null>(null)
  const acknowledge = async (event: Event): Promise<void> => {
    event.preventDefault()
    try {
      await call('POST', `/alerts/${alert.id}/acknowledge`, note.trim() === '' ? {} : { note })
      onChange()
    } catch (failure) {
      setError(failureText(lang, failure))
    }
  }
  return (
    <li class={`case alert ${alert.acknowledged ? 'resolved' : 'open'}`} data-alert={alert.id}>
      <div class='case-head'>
        <strong>{t(kindKeys[alert.kind])}</strong>
        <span>{alertText(t, lang, alert.kind, alert.details, alert.counterNumber)}</span>
        <span>{units.find((unit) => unit.id === alert.unitId)?.name ?? ''}</span>
        <span>{dateTime(lang, alert.firedAt)}</span>
      </div>
      {!alert.acknowledged && canWrite && (
        <form class='resolve' onSubmit={acknowledge}>
          <input
            aria-label={t('acknowledgeNote')}
            placeholder={t('acknowledgeNote')}
            maxLength={2000}
            value={note}
            onInput={(event) => setNote(event.currentTarget.value)}
          />
          <button type='submit' class='primary'>
            {t('acknowledge')}
          </button>
          {error !== null && (
            <span class='error' role='alert'>
              {error}
            </span>
          )}
        </form>
      )}
      {alert.acknowledged && (
        <p class='note'>
          <span class='muted'>{t('acknowledgedAt')}:</span> {alert.acknowledgedAt === null ? '' : dateTime(lang, alert.acknowledgedAt)}
          {alert.note !== null && <> · {alert.note}</>}
        </p>
      )}
    </li>
  )
}

function ruleSummary (t: (key: MessageKey) => string, rule: AlertRule): string {
  const p = rule.parameters
  return rule.kind === 'unsatisfied_share'
    ? fill(t('ruleShareSummary'), { threshold: p.thresholdPercent ?? '', window: p.windowMinutes ?? '', min: p.minCount ?? '' })
    : fill(t('ruleStreakSummary'), { count: p.count ?? '' })
}

function NumberField ({
  label,
  value,
  min,
  max,
  onChange
}: {
  label: string
  value: number
  min: number
  max: number
  onChange: (value: number) => void
}) {
  return (
    <label>
      {label}
      <input type='number' required min={min} max={max} value={value} onInput={(event) => onChange(Number(event.currentTarget.value))} />
    </label>
  )
}

function RuleForm ({ onCreated }: { onCreated: () => void }) {
  const { lang, t, units } = useDashboard()
  const selection = useSelection()
  const [chosen, setUnitId] = useState('')
  // The units arrive after the first render: until one is chosen, the selected unit or the top of the tree.
  const unitId = chosen !== '' ? chosen : selection.unitId !== '' ? selection.unitId : (units[0]?.id ?? '')
  const [kind, setKind] = useState<AlertRuleKind>('unsatisfied_streak')
  const [share, setShare] = useState({ windowMinutes: 60, thresholdPercent: 30, minCount: 10 })
  const [count, setCount] = useState(3)
  const [error, setError] = useState<string | null>(null)
  const create = async (event: Event): Promise<void> => {
    event.preventDefault()
    const parameters: AlertRuleParameters = kind === 'unsatisfied_share' ? share : { count }
    try {
      await call('POST', '/alert-rules', { unitId, kind, parameters })
      setError(null)
      onCreated()
    } catch (failure) {
      setError(failureText(lang, failure))
    }
  }
  return (
    <form class='admin-form' onSubmit={create} aria-label={t('addRule')}>
      <label>
        {t('unit')}
        <select value={unitId} onChange={(event) => setUnitId(event.currentTarget.value)}>
          {unitTree(units).map(({ unit, depth }) => (
            <option key={unit.id} value={unit.id}>
              {'\u2003'.repeat(depth)}
              {unit.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('ruleKind')}
        <select value={kind} onChange={(event) => setKind(event.currentTarget.value as AlertRuleKind)}>
          <option value='unsatisfied_streak'>{t('ruleKindStreak')}</option>
          <option value='unsatisfied_share'>{t('ruleKindShare')}</option>
        </select>
      </label>
      {kind === 'unsatisfied_streak'
        ? (
          <NumberField label={t('streakCount')} value={count} min={2} max={100} onChange={setCount} />
          )
        : (
          <>
            <NumberField
              label={t('thresholdPercent')}
              value={share.thresholdPercent}
              min={0}
              max={100}
              onChange={(value) => setShare({ ...share, thresholdPercent: value })}
            />
            <NumberField
              label={t('windowMinutes')}
              value={share.windowMinutes}
              min={5}
              max={1440}
              onChange={(value) => setShare({ ...share, windowMinutes: value })}
            />
            <NumberField
              label={t('minCount')}
              value={share.minCount}
              min={1}
              max={10000}
              onChange={(value) => setShare({ ...share, minCount: value })}
            />
          </>
          )}
      <button type='submit' class='primary' disabled={unitId === ''}>
        {t('addRule')}
      </button>
      {error !== null && (
        <span class='error' role='alert'>
          {error}
        </span>
      )}
    </form>
  )
}

function Rules ({ canWrite }: { canWrite: boolean }) {
  const { lang, t, units } = useDashboard()
  const selection = useSelection()
  const rules = useLoad(() => get<Items<AlertRule>>('/alert-rules', { unitId: selection.stats.unitId }), [selection.stats.unitId])
  const [error, setError] = useState<string | null>(null)
  const change = async (method: 'PATCH' | 'DELETE', rule: AlertRule, body?: unknown): Promise<void> => {
    try {
      await call(method, `/alert-rules/${rule.id}`, body)
      setError(null)
      rules.reload()
    } catch (failure) {
      setError(failureText(lang, failure))
    }
  }
  return (
    <Section title={t('rulesTitle')}>
      {canWrite && <RuleForm onCreated={rules.reload} />}
      {error !== null && (
        <p class='error' role='alert'>
          {error}
        </p>
      )}
      <Status loading={rules.loading && rules.value === null} error={rules.error} />
      {rules.value?.items.length === 0 && <p class='muted'>{t('noRules')}</p>}
      {(rules.value?.items.length ?? 0) > 0 && (
        <table class='grid rules'>
          <thead>
            <tr>
              <th>{t('unit')}</th>
              <th>{t('ruleKind')}</th>
              <th />
              <th>{t('enabled')}</th>
              {canWrite && <th />}
            </tr>
          </thead>
          <tbody>
            {rules.value!.items.map((rule) => (
              <tr key={rule.id} data-rule={rule.id}>
                <td>{units.find((unit) => unit.id === rule.unitId)?.name ?? ''}</td>
                <td>{t(kindKeys[rule.kind])}</td>
                <td>{ruleSummary(t, rule)}</td>
                <td>
                  <input
                    type='checkbox'
                    aria-label={t('enabled')}
                    checked={rule.enabled}
                    disabled={!canWrite}
                    onChange={(event) => {
                      void change('PATCH', rule, { enabled: event.currentTarget.checked })
                    }}
                  />
                </td>
                {canWrite && (
                  <td>
                    <button
                      type='button'
                      class='link'
                      onClick={() => {
                        void change('DELETE', rule)
                      }}
                    >
                      {t('remove')}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  )
}

export function Alerts () {
  const { t, user, live } = useDashboard()
  const selection = useSelection()
  const canWrite = user.role === 'admin' || user.role === 'supervisor'
  const [acknowledged, setAcknowledged] = useState(false)
  // Open alerts whenever they fired; acknowledged ones of the chosen period.
  const alerts = useLoad(
    () =>
      get<Items<Alert>>('/alerts', {
        unitId: selection.stats.unitId,
        acknowledged,
        ...(acknowledged ? { from: selection.period.from, to: selection.period.to } : {})
      }),
    [acknowledged, selection.search, live.alertRound]
  )
  return (
    <Layout>
      <Section
        title={t('alertsTitle')}
        actions={
          <div role='group' class='tabs'>
            {[false, true].map((value) => (
              <button key={String(value)} type='button' aria-pressed={acknowledged === value} onClick={() => setAcknowledged(value)}>
                {t(value ? 'alertsAcknowledged' : 'alertsOpen')}
              </button>
            ))}
          </div>
        }
      >
        <Status loading={alerts.loading && alerts.value === null} error={alerts.error} />
        {alerts.value?.items.length === 0 && <p class='muted'>{t('noAlerts')}</p>}
        <ul class='cases'>
          {(alerts.value?.items ?? []).map((alert) => (
            <AlertItem key={alert.id} alert={alert} canWrite={canWrite} onChange={alerts.reload} />
          ))}
        </ul>
      </Section>
      <Rules canWrite={canWrite} />
    </Layout>
  )
}
