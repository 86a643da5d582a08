// Admin tab Đơn vị: the unit tree of the scope, a new unit under a parent, each unit's satisfaction target, case SLA and the
// follow-up question its terminals ask after an unsatisfied rating.
import { useState } from 'preact/hooks'
import { call, get, type FollowUpSettings, type Unit, type UnitFollowUp } from '../../api.ts'
import { useLoad } from '../../components/useLoad.ts'
import { unitTree } from '../../components/Layout.tsx'
import { targetOf, useDashboard } from '../../context.ts'
import { failureText } from '../../errors.ts'
import { fill, unitKindLabel } from '../../i18n.ts'
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

/** A unit setting in days, inherited down the tree: the case SLA (working days) and how long a receipt code is valid. */
type DaysField = 'caseSlaDays' | 'receiptDays'
const daysTexts = {
  caseSlaDays: { label: 'caseSla', hint: 'caseSlaHint', unit: 'workingDays', top: 2 },
  receiptDays: { label: 'receiptDays', hint: 'receiptDaysHint', unit: 'days', top: 7 }
} as const

/** The days that hold for a unit: its own, else the nearest ancestor's, else the top's default (2 working days; 7 days). */
function daysOf (units: Unit[], unitId: string, field: DaysField = 'caseSlaDays'): number {
  const byId = new Map(units.map((unit) => [unit.id, unit]))
  for (let unit = byId.get(unitId); unit !== undefined; unit = unit.parentId === null ? undefined : byId.get(unit.parentId)) {
    const days = unit[field]
    if (days != null) return days
  }
  return daysTexts[field].top
}
const slaOf = (units: Unit[], unitId: string): number => daysOf(units, unitId)

/** The unit's days (case SLA, receipt validity); empty goes back to the parent's. */
function SlaInput ({ unit, inherited, onSaved, field = 'caseSlaDays' }: {
  unit: Unit, inherited: number, onSaved: (unit: Unit) => void, field?: DaysField
}) {
  const { lang, t } = useDashboard()
  const texts = daysTexts[field]
  const [value, setValue] = useState(unit[field] == null ? '' : String(unit[field]))
  const [state, setState] = useState<string | null>(null)
  return (
    <form
      class={`inline ${field === 'caseSlaDays' ? 'sla' : 'receipt-days'}`} onSubmit={(event) => {
        event.preventDefault()
        const days = value.trim() === '' ? null : Number(value)
        call<Unit>('PATCH', `/units/${unit.id}`, { [field]: days }).then(
          (saved) => { onSaved(saved); setState(t('saved')) },
          (failure: unknown) => setState(failureText(lang, failure))
        )
      }}
    >
      <input
        aria-label={`${t(texts.label)} ${unit.name}`} title={t(texts.hint)}
        placeholder={String(inherited)} inputMode='numeric' pattern='[0-9]{1,2}' value={value}
        onInput={(event) => { setValue(event.currentTarget.value); setState(null) }}
      /> {t(texts.unit)}
      <button type='submit'>{t('save')}</button>
      {state !== null && <span role='status'>{state}</span>}
    </form>
  )
}

/** A unit's follow-up question: its own settings, or (ticked) as the parent unit's, which start the editing. */
function FollowUpEditor ({ unit }: { unit: Unit }) {
  const { lang, t } = useDashboard()
  const loaded = useLoad(() => get<UnitFollowUp>(`/units/${unit.id}/follow-up`), [unit.id])
  const [draft, setDraft] = useState<{ inherit: boolean; settings: FollowUpSettings } | null>(null)
  const [state, setState] = useState<string | null>(null)
  const current = loaded.value
  if (current === null) return loaded.error === null ? null : <p role='alert'>{failureText(lang, loaded.error)}</p>
  const shown = draft ?? { inherit: current.own === null, settings: current.own ?? current.effective }
  const change = (next: Partial<FollowUpSettings>, inherit = shown.inherit): void => {
    setDraft({ inherit, settings: { ...shown.settings, ...next } })
    setState(null)
  }
  const reasons = shown.settings.reasons
  const setReason = (index: number, field: 'code' | 'labelVi' | 'labelEn', value: string): void =>
    change({ reasons: reasons.map((reason, i) => (i === index ? { ...reason, [field]: value } : reason)) })
  return (
    <form
      class='follow-up-settings' aria-label={fill(t('followUpEdit'), { unit: unit.name })} onSubmit={(event) => {
        event.preventDefault()
        call<UnitFollowUp>('PUT', `/units/${unit.id}/follow-up`, { settings: shown.inherit ? null : shown.settings }).then(
          (saved) => { setDraft({ inherit: saved.own === null, settings: saved.own ?? saved.effective }); setState(t('saved')) },
          (failure: unknown) => setState(failureText(lang, failure))
        )
      }}
    >
      <h3>{fill(t('followUpEdit'), { unit: unit.name })}</h3>
      <label><input type='checkbox' checked={shown.inherit} onChange={(event) => change({}, event.currentTarget.checked)} /> {t('followUpInherit')}</label>
      <fieldset disabled={shown.inherit}>
        <legend>{t('followUpReasons')}</legend>
        {reasons.map((reason, index) => (
          <div class='reason-row' key={index}>
            {(['code', 'labelVi', 'labelEn'] as const).map((field) => (
              <input
                key={field} aria-label={`${field === 'code' ? t('code') : field === 'labelVi' ? 'Tiếng Việt' : 'English'} ${index + 1}`}
                required maxLength={field === 'code' ? 32 : 60} pattern={field === 'code' ? '[a-z0-9_\\-]{1,32}' : undefined}
                value={reason[field]} onInput={(event) => setReason(index, field, event.currentTarget.value)}
              />
            ))}
            <button type='button' onClick={() => change({ reasons: reasons.filter((_, i) => i !== index) })}>{t('followUpRemove')}</button>
          </div>
        ))}
        {reasons.length < 8 && (
          <button type='button' onClick={() => change({ reasons: [...reasons, { code: '', labelVi: '', labelEn: '' }] })}>
            {t('followUpAddReason')}
          </button>
        )}
        {(['askNeutral', 'callBack'] as const).map((flag) => (
          <label key={flag}>
            <input type='checkbox' checked={shown.settings[flag]} onChange={(event) => change({ [flag]: event.currentTarget.checked })} />{' '}
            {t(flag === 'askNeutral' ? 'followUpAskNeutral' : 'followUpCallBack')}
          </label>
        ))}
        <label>{t('followUpRetention')}{' '}
          <input
            type='number' min={1} max={365} required value={shown.settings.phoneRetentionDays}
            onInput={(event) => change({ phoneRetentionDays: Number(event.currentTarget.value) })}
          />
        </label>
      </fieldset>
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
  const [editing, setEditing] = useState<string | null>(null)
  const editedUnit = all.find((unit) => unit.id === editing)
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
            <th title={t('caseSlaHint')}>{t('caseSla')}</th><th title={t('followUpHint')}>{t('followUp')}</th>
            <th title={t('receiptDaysHint')}>{t('receiptDays')}</th>
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
              <td>
                <button type='button' aria-label={fill(t('followUpEdit'), { unit: unit.name })} onClick={() => setEditing(unit.id)}>
                  {t('edit')}
                </button>
              </td>
              <td>
                {unit.id === user.unitId
                  ? `${daysOf(all, unit.id, 'receiptDays')} ${t('days')}`
                  : (
                    <SlaInput
                      unit={unit} field='receiptDays' inherited={daysOf(all, unit.parentId ?? '', 'receiptDays')}
                      onSaved={(next) => { setSaved(new Map(saved).set(next.id, next)); refreshUnits() }}
                    />
                    )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editedUnit !== undefined && <FollowUpEditor key={editedUnit.id} unit={editedUnit} />}
    </>
  )
}
