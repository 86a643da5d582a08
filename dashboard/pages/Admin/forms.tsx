// What the admin tabs share: a form that posts and shows the failure in words, and the unit picker.
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { unitTree } from '../../components/Layout.tsx'
import { useDashboard } from '../../context.ts'
import { failureText } from '../../errors.ts'

/** A form that posts and reports failure; `onSubmit` throws to show the API's message. */
export function AdminForm ({ onSubmit, children, submit }: { onSubmit: () => Promise<void>, children: ComponentChildren, submit: string }) {
  const { lang } = useDashboard()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  return (
    <form
      class='admin-form' onSubmit={(event) => {
        event.preventDefault()
        setBusy(true)
        setError(null)
        onSubmit().catch((failure: unknown) => setError(failureText(lang, failure))).finally(() => setBusy(false))
      }}
    >
      {children}
      <button type='submit' class='primary' disabled={busy}>{submit}</button>
      {error !== null && <p class='error' role='alert'>{error}</p>}
    </form>
  )
}

export function UnitSelect ({ value, onChange }: { value: string, onChange: (id: string) => void }) {
  const { units, t } = useDashboard()
  return (
    <label>{t('unit')}
      <select required value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value='' disabled>—</option>
        {unitTree(units).map(({ unit, depth }) => <option key={unit.id} value={unit.id}>{'\u2003'.repeat(depth)}{unit.name}</option>)}
      </select>
    </label>
  )
}
