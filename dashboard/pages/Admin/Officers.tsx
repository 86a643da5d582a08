// Admin tab Cán bộ: the scope's officers, a new officer with a PIN, and a PIN reset per officer.
import { useState } from 'preact/hooks'
import { call, get, type Items, type Officer } from '../../api.ts'
import { useLoad } from '../../components/useLoad.ts'
import { useDashboard } from '../../context.ts'
import { failureText } from '../../errors.ts'
import { AdminForm, UnitSelect } from './forms.tsx'

function PinReset ({ officer }: { officer: Officer }) {
  const { lang, t } = useDashboard()
  const [pin, setPin] = useState('')
  const [done, setDone] = useState(false)
  const [error, setError] = useState<string | null>(null)
  return (
    <form
      class='inline' onSubmit={(event) => {
        event.preventDefault()
        call('PATCH', `/officers/${officer.id}`, { pin }).then(
          () => { setDone(true); setPin('') },
          (failure: unknown) => setError(failureText(lang, failure))
        )
      }}
    >
      <input
        aria-label={`${t('newPin')} ${officer.fullName}`} placeholder={t('newPin')}
        inputMode='numeric' pattern='[0-9]{4,8}' required value={pin}
        onInput={(event) => { setPin(event.currentTarget.value); setDone(false) }}
      />
      <button type='submit'>{t('resetPin')}</button>
      {done && <span role='status'>{t('pinReset')}</span>}
      {error !== null && <span class='error' role='alert'>{error}</span>}
    </form>
  )
}

export function Officers ({ unitId }: { unitId: string | undefined }) {
  const { t } = useDashboard()
  const officers = useLoad(() => get<Items<Officer>>('/officers', { unitId }), [unitId])
  const [unit, setUnit] = useState(unitId ?? '')
  const [staffCode, setStaffCode] = useState('')
  const [fullName, setFullName] = useState('')
  const [title, setTitle] = useState('')
  const [pin, setPin] = useState('')
  return (
    <>
      <AdminForm
        submit={t('create')} onSubmit={async () => {
          await call('POST', '/officers', { unitId: unit, staffCode, fullName, title, pin })
          setStaffCode('')
          setFullName('')
          setPin('')
          officers.reload()
        }}
      >
        <UnitSelect value={unit} onChange={setUnit} />
        <label>{t('staffCode')}<input required value={staffCode} onInput={(event) => setStaffCode(event.currentTarget.value)} /></label>
        <label>{t('fullName')}<input required value={fullName} onInput={(event) => setFullName(event.currentTarget.value)} /></label>
        <label>{t('jobTitle')}<input value={title} onInput={(event) => setTitle(event.currentTarget.value)} /></label>
        <label>{t('pin')}
          <input inputMode='numeric' pattern='[0-9]{4,8}' required value={pin} onInput={(event) => setPin(event.currentTarget.value)} />
        </label>
      </AdminForm>
      <table class='grid'>
        <thead>
          <tr><th>{t('staffCode')}</th><th>{t('fullName')}</th><th>{t('jobTitle')}</th><th>{t('status')}</th><th>{t('resetPin')}</th></tr>
        </thead>
        <tbody>
          {(officers.value?.items ?? []).map((officer) => (
            <tr key={officer.id}>
              <td>{officer.staffCode}</td><td>{officer.fullName}</td><td>{officer.title}</td>
              <td>{t(officer.active ? 'active' : 'inactive')}</td>
              <td><PinReset officer={officer} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
