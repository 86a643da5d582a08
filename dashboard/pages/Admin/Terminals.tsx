// Admin tab Thiết bị: the scope's terminals, a new one's pairing code (large, with a QR code), revocation.
import { useState } from 'preact/hooks'
import { call, get, type Counter, type CreatedTerminal, type Items, type Terminal } from '../../api.ts'
import { counterLabel, Status } from '../../components/Figures.tsx'
import { QrCode } from '../../components/QrCode.tsx'
import { useLoad } from '../../components/useLoad.ts'
import { useDashboard } from '../../context.ts'
import type { MessageKey } from '../../i18n.ts'
import { dateTime } from '../../period.ts'
import { AdminForm } from './forms.tsx'

const terminalStatus: Record<string, MessageKey> = {
  pairing: 'terminalPairing', pairing_expired: 'terminalPairingExpired', paired: 'terminalPaired', revoked: 'terminalRevoked'
}

export function Terminals ({ unitId }: { unitId: string | undefined }) {
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
      <AdminForm
        submit={t('create')} onSubmit={async () => {
          setCreated(await call<CreatedTerminal>('POST', '/terminals', { counterId, kind }))
          terminals.reload()
        }}
      >
        <label>{t('counter')}
          <select required value={counterId} onChange={(event) => setCounterId(event.currentTarget.value)}>
            <option value='' disabled>—</option>
            {(counters.value?.items ?? []).map((counter) => (
              <option key={counter.id} value={counter.id}>{counterLabel(t('counter'), counter.number, counter.name)}</option>
            ))}
          </select>
        </label>
        <label>{t('kind')}
          <select value={kind} onChange={(event) => setKind(event.currentTarget.value as 'touch' | 'button')}>
            <option value='touch'>{t('kindTouch')}</option>
            <option value='button'>{t('kindButton')}</option>
          </select>
        </label>
      </AdminForm>
      {created !== null && (
        <div class='pairing' role='status' aria-label={t('pairingCode')}>
          <div>
            <p>{t('pairingCode')} · {counterName(created.terminal.counterId)}</p>
            <p class='pairing-code'>{created.pairingCode}</p>
            <p class='muted'>{t('pairingHint')} {dateTime(lang, created.pairingExpiresAt)}</p>
          </div>
          <QrCode value={`${location.origin}/terminal/pair?code=${created.pairingCode}`} label={t('pairingCode')} />
        </div>
      )}
      <Status loading={terminals.loading && terminals.value === null} error={terminals.error} />
      <table class='grid'>
        <thead>
          <tr><th>{t('name')}</th><th>{t('counter')}</th><th>{t('kind')}</th><th>{t('status')}</th><th>{t('lastSeen')}</th><th /></tr>
        </thead>
        <tbody>
          {(terminals.value?.items ?? []).map((terminal) => (
            <tr key={terminal.id}>
              <td>{terminal.name}</td><td>{counterName(terminal.counterId)}</td>
              <td>{t(terminal.kind === 'touch' ? 'kindTouch' : 'kindButton')}</td>
              <td>{t(terminalStatus[terminal.status] ?? 'terminalPaired')}</td>
              <td>{terminal.lastSeenAt === null ? '–' : dateTime(lang, terminal.lastSeenAt)}</td>
              <td>
                {terminal.status !== 'revoked' && (
                  <button
                    type='button' class='link'
                    onClick={() => { void call('POST', `/terminals/${terminal.id}/revoke`).then(terminals.reload) }}
                  >
                    {t('revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
