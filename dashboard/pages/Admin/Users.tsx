// Admin tab Người dùng: the scope's users and a new one (an officer's account is tied to the officer, others to a unit).
import { useState } from 'preact/hooks'
import { call, get, type Items, type Officer, type Role, type User } from '../../api.ts'
import { useLoad } from '../../components/useLoad.ts'
import { useDashboard } from '../../context.ts'
import type { MessageKey } from '../../i18n.ts'
import { AdminForm, UnitSelect } from './forms.tsx'

const roleKeys: Record<Role, MessageKey> = {
  admin: 'roleAdmin', supervisor: 'roleSupervisor', analyst: 'roleAnalyst', officer: 'roleOfficer'
}

export function Users ({ unitId }: { unitId: string | undefined }) {
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
      <AdminForm
        submit={t('create')} onSubmit={async () => {
          const belongsTo = role === 'officer' ? { officerId } : { unitId: unit }
          await call('POST', '/users', { username, password, role, ...belongsTo })
          setUsername('')
          setPassword('')
          users.reload()
        }}
      >
        <label>{t('username')}
          <input required pattern='[a-zA-Z0-9._\-]{3,64}' value={username} onInput={(event) => setUsername(event.currentTarget.value)} />
        </label>
        <label>{t('password')}
          <input
            type='password' required minLength={8} autoComplete='new-password' value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
        </label>
        <label>{t('role')}
          <select value={role} onChange={(event) => setRole(event.currentTarget.value as Role)}>
            {(Object.keys(roleKeys) as Role[]).map((value) => <option key={value} value={value}>{t(roleKeys[value])}</option>)}
          </select>
        </label>
        {role === 'officer'
          ? (
            <label>{t('officer')}
              <select required value={officerId} onChange={(event) => setOfficerId(event.currentTarget.value)}>
                <option value='' disabled>—</option>
                {(officers.value?.items ?? []).map((officer) => (
                  <option key={officer.id} value={officer.id}>{officer.staffCode} · {officer.fullName}</option>
                ))}
              </select>
            </label>
            )
          : <UnitSelect value={unit} onChange={setUnit} />}
      </AdminForm>
      <table class='grid'>
        <thead><tr><th>{t('username')}</th><th>{t('name')}</th><th>{t('role')}</th><th>{t('unit')}</th><th>{t('status')}</th></tr></thead>
        <tbody>
          {(users.value?.items ?? []).map((user) => (
            <tr key={user.id}>
              <td>{user.username}</td><td>{user.displayName}</td><td>{t(roleKeys[user.role])}</td><td>{unitName(user.unitId)}</td>
              <td>{t(user.active ? 'active' : 'inactive')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
