// Admin tab Đơn vị: the unit tree of the scope, a new unit under a parent, each unit's satisfaction target and case SLA.
import { useState } from 'preact/hooks'
import { call, type Unit } from '../../api.ts'
import { unitTree } from '../../components/Layout.tsx'
import { targetOf, useDashboard } from '../../context.ts'
import { failureText } from '../../errors.ts'
import { unitKindLabel } from '../../i18n.ts'
import { percent } from '../../period.ts'
import { AdminForm } from './forms.tsx'

const unitKinds = ['province', 'commune', 'ward', 'special_zone', 'centre', 'agency', 'other'] as const

/** The unit's satisfaction target in percent; empty goes back to the SIPAS 2030 default. */
function TargetInput ({ unit, onSaved }: { unit: Unit, onSaved: (unit: Unit) => void }) {
  const { lang, t } = useDashboard()
  const [value, setValue] = useState(unit.satisfactionTarget == null ? '' : String(Math.round(unit.satisfactionTarget * 1000) / 10))
  const [state, setState] = useState<string | null>(null)
  return (
    <form
      class='inline target' onSubmit={(event) => {
        event.preventDefault()
        const target = value.trim() === '' ? null : Number(value.replace(',', '.')) / 100
        call<Unit>('PATCH', `/units/${unit.id}`, { satisfactionTarget: target }).then(
          (saved) => { onSaved(saved); setState(t('saved')) },
          (failure: unknown) => setState(failureText(lang, failure))
        )
      }}
    >
      <input
        aria-label={`${t('target')} ${unit.name}`} title={t('targetHint')}
        placeholder='95' inputMode='decimal' pattern='[0-9]{1,3}([.,][0-9])?' value={value}
        onInput={(event) => { setValue(event.currentTarget.value); setState(null) }}
      /> %
      <button type='submit'>{t('save')}</button>
      {state !== null && <span role='status'>{state}</span>}
    </form>
  )
}

/** The working days a unit's cases are due in: its own, else the nearest ancestor's, else 2. */
function slaOf (units: Unit[], unitId: string): number {
  const byId = new Map(units.map((unit) => [unit.id, unit]))
  for (let unit = byId.get(unitId); unit !== undefined; unit = unit.parentId === null ? undefined : byId.get(unit.parentId)) {
    if (unit.caseSlaDays != null) return unit.caseSlaDays
  }
  return 2
}

/** The unit's case SLA in working days; empty goes back to the parent's. */
function SlaInput ({ unit, inherited, onSaved }: { unit: Unit, inherited: number, onSaved: (unit: Unit) => void }) {
  const { lang, t } = useDashboard()
  const [value, setValue] = useState(unit.caseSlaDays == null ? '' : String(unit.caseSlaDays))
  const [state, setState] = useState<string | null>(null)
  return (
    <form
      class='inline sla' onSubmit={(event) => {
        event.preventDefault()
        const days = value.trim() === '' ? null : Number(value)
        call<Unit>('PATCH', `/units/${unit.id}`, { caseSlaDays: days }).then(
          (saved) => { onSaved(saved); setState(t('saved')) },
          (failure: unknown) => setState(failureText(lang, failure))
        )
      }}
    >
      <input
        aria-label={`${t('caseSla')} ${unit.name}`} title={t('caseSlaHint')}
        placeholder={String(inherited)} inputMode='numeric' pattern='[0-9]{1,2}' value={value}
        onInput={(event) => { setValue(event.currentTarget.value); setState(null) }}
      /> {t('workingDays')}
      <button type='submit'>{t('save')}</button>
      {state !== null && <span role='status'>{state}</span>}
    </form>
  )
}

/** The unit tree of the scope; a new unit goes under a parent in it. */
export function Units () {
  const { lang, t, units, user, refreshUnits } = useDashboard()
  const [saved, setSaved] = useState<Map<string, Unit>>(new Map())
  const [created, setCreated] = useState<Unit[]>([])
  const all = [...units, ...created.filter((unit) => !units.some((known) => known.id === unit.id))]
    .map((unit) => saved.get(unit.id) ?? unit)
  const [parentId, setParentId] = useState('')
  const [kind, setKind] = useState<typeof unitKinds[number]>('centre')
  const [code, setCode] = useState('')
  const [name, setName] = useState('')
  return (
    <>
      <AdminForm
        submit={t('create')} onSubmit={async () => {
          const unit = await call<Unit>('POST', '/units', { parentId, kind, code, name })
          setCreated([...created, unit])
          setCode('')
          setName('')
        }}
      >
        <label>{t('parentUnit')}
          <select required value={parentId} onChange={(event) => setParentId(event.currentTarget.value)}>
            <option value='' disabled>—</option>
            {unitTree(all).map(({ unit, depth }) => <option key={unit.id} value={unit.id}>{'\u2003'.repeat(depth)}{unit.name}</option>)}
          </select>
        </label>
        <label>{t('kind')}
          <select value={kind} onChange={(event) => setKind(event.currentTarget.value as typeof unitKinds[number])}>
            {unitKinds.map((value) => <option key={value} value={value}>{unitKindLabel(lang, value)}</option>)}
          </select>
        </label>
        <label>{t('code')}
          <input required pattern='[A-Za-z0-9._/\-]{1,32}' value={code} onInput={(event) => setCode(event.currentTarget.value)} />
        </label>
        <label>{t('name')}<input required value={name} onInput={(event) => setName(event.currentTarget.value)} /></label>
      </AdminForm>
      <table class='grid'>
        <thead>
          <tr>
            <th>{t('name')}</th><th>{t('code')}</th><th>{t('kind')}</th><th title={t('targetHint')}>{t('target')}</th>
            <th title={t('caseSlaHint')}>{t('caseSla')}</th>
          </tr>
        </thead>
        <tbody>
          {unitTree(all).map(({ unit, depth }) => (
            <tr key={unit.id} data-unit={unit.id}>
              <td style={{ paddingLeft: `${0.5 + depth * 1.5}rem` }}>{unit.name}</td><td>{unit.code}</td>
              <td>{unitKindLabel(lang, unit.kind)}</td>
              <td>
                {unit.id === user.unitId
                  ? percent(lang, targetOf(all, unit.id))
                  : <TargetInput unit={unit} onSaved={(next) => { setSaved(new Map(saved).set(next.id, next)); refreshUnits() }} />}
              </td>
              <td>
                {unit.id === user.unitId
                  ? `${slaOf(all, unit.id)} ${t('workingDays')}`
                  : (
                    <SlaInput
                      unit={unit} inherited={slaOf(all, unit.parentId ?? '')}
                      onSaved={(next) => { setSaved(new Map(saved).set(next.id, next)); refreshUnits() }}
                    />
                    )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
