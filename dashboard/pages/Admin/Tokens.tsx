// Admin tab Khóa API: the tokens of the scope (statistics, or a queue system's integration), a new one (its secret shown once), revocation.
import { useState } from 'preact/hooks'
import { call, get, type ApiToken, type Items } from '../../api.ts'
import { useLoad } from '../../components/useLoad.ts'
import { useDashboard } from '../../context.ts'
import { dateTime } from '../../period.ts'
import { AdminForm, UnitSelect } from './forms.tsx'

export function Tokens ({ unitId }: { unitId: string | undefined }) {
  const { lang, t, units } = useDashboard()
  const tokens = useLoad(() => get<Items<ApiToken>>('/api-tokens'), [])
  const [name, setName] = useState('')
  const [unit, setUnit] = useState(unitId ?? '')
  const [purpose, setPurpose] = useState<ApiToken['purpose']>('stats')
  const [secret, setSecret] = useState<string | null>(null)
  const purposeText = (value: ApiToken['purpose']): string => t(value === 'queue' ? 'tokenPurposeQueue' : 'tokenPurposeStats')
  return (
    <>
      <AdminForm
        submit={t('create')} onSubmit={async () => {
          const created = await call<ApiToken & { token: string }>('POST', '/api-tokens', { name, unitId: unit, purpose })
          setSecret(created.token)
          setName('')
          tokens.reload()
        }}
      >
        <label>{t('tokenName')}<input required value={name} onInput={(event) => setName(event.currentTarget.value)} /></label>
        <UnitSelect value={unit} onChange={setUnit} />
        <label>{t('tokenPurpose')}
          <select value={purpose} onChange={(event) => setPurpose(event.currentTarget.value as ApiToken['purpose'])}>
            <option value='stats'>{t('tokenPurposeStats')}</option>
            <option value='queue'>{t('tokenPurposeQueue')}</option>
          </select>
        </label>
      </AdminForm>
      {purpose === 'queue' && <p class='muted'>{t('tokenQueueHint')}</p>}
      {secret !== null && <div class='secret' role='status'><p>{t('tokenShownOnce')}</p><code>{secret}</code></div>}
      <table class='grid'>
        <thead>
          <tr>
            <th>{t('tokenName')}</th><th>{t('tokenPurpose')}</th><th>{t('unit')}</th><th>{t('createdAt')}</th><th>{t('lastSeen')}</th><th />
          </tr>
        </thead>
        <tbody>
          {(tokens.value?.items ?? []).map((token) => (
            <tr key={token.id}>
              <td>{token.name}</td><td>{purposeText(token.purpose)}</td>
              <td>{units.find((item) => item.id === token.unitId)?.name ?? ''}</td>
              <td>{dateTime(lang, token.createdAt)}</td>
              <td>{token.lastUsedAt === null ? '–' : dateTime(lang, token.lastUsedAt)}</td>
              <td>
                <button type='button' class='link' onClick={() => { void call('DELETE', `/api-tokens/${token.id}`).then(tokens.reload) }}>
                  {t('revoke')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
