// Admin tab Quầy: the scope's counters with the officer serving at each, and a new counter.
import { useState } from 'preact/hooks'
import { call, get, type Counter, type Items } from '../../api.ts'
import { useLoad } from '../../components/useLoad.ts'
import { useDashboard } from '../../context.ts'
import { AdminForm, UnitSelect } from './forms.tsx'

export function Counters ({ unitId }: { unitId: string | undefined }) {
  const { t } = useDashboard()
  const counters = useLoad(() => get<Items<Counter>>('/counters', { unitId }), [unitId])
  const [unit, setUnit] = useState(unitId ?? '')
  const [number, setNumber] = useState('')
  const [name, setName] = useState('')
  return (
    <>
      <AdminForm
        submit={t('create')} onSubmit={async () => {
          await call('POST', '/counters', { unitId: unit, number: Number(number), name })
          setNumber('')
          setName('')
          counters.reload()
        }}
      >
        <UnitSelect value={unit} onChange={setUnit} />
        <label>{t('number')}
          <input type='number' min='1' max='9999' required value={number} onInput={(event) => setNumber(event.currentTarget.value)} />
        </label>
        <label>{t('name')}<input required value={name} onInput={(event) => setName(event.currentTarget.value)} /></label>
      </AdminForm>
      <table class='grid'>
        <thead><tr><th>{t('number')}</th><th>{t('name')}</th><th>{t('officer')}</th><th>{t('status')}</th></tr></thead>
        <tbody>
          {(counters.value?.items ?? []).map((counter) => (
            <tr key={counter.id}>
              <td>{counter.number}</td><td>{counter.name}</td><td>{counter.officer?.fullName ?? '–'}</td>
              <td>{t(counter.active ? 'active' : 'inactive')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
