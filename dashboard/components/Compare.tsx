// Several counters or officers side by side: pick them, and their satisfaction trends share one chart with the target line.
import { useState } from 'preact/hooks'
import { get, type BucketRow, type Rows } from '../api.ts'
import { targetOf, useDashboard, useSelection } from '../context.ts'
import { intervalFor, vietnameseOrder } from '../period.ts'
import { CompareChart } from './Charts.tsx'
import { counterLabel, Section, Status } from './Figures.tsx'
import { useLoad } from './useLoad.ts'

const MAX_SERIES = 8

export function CompareTrends () {
  const { t, counters, officers, units, user } = useDashboard()
  const selection = useSelection()
  const [kind, setKind] = useState<'counter' | 'officer'>('counter')
  const [picked, setPicked] = useState<string[]>([])
  const interval = intervalFor(selection.period)
  const inUnit = (unitId: string): boolean => {
    if (selection.unitId === '') return true
    const byId = new Map(units.map((unit) => [unit.id, unit]))
    for (let unit = byId.get(unitId); unit !== undefined; unit = unit.parentId === null ? undefined : byId.get(unit.parentId)) {
      if (unit.id === selection.unitId) return true
    }
    return false
  }
  const choices =
    kind === 'counter'
      ? [...counters.values()]
          .filter((counter) => counter.active && inUnit(counter.unitId))
          .sort((a, b) => a.number - b.number || vietnameseOrder(a.name, b.name))
          .map((counter) => ({ id: counter.id, label: counterLabel(t('counter'), counter.number, counter.name) }))
      : [...officers.values()]
          .filter((officer) => officer.active && inUnit(officer.unitId))
          .sort((a, b) => vietnameseOrder(a.fullName, b.fullName))
          .map((officer) => ({ id: officer.id, label: officer.fullName }))
  const shown = picked.filter((id) => choices.some((choice) => choice.id === id))
  const trends = useLoad(
    () =>
      Promise.all(
        shown.map(async (id) => ({
          label: choices.find((choice) => choice.id === id)?.label ?? '',
          rows: (
            await get<Rows<BucketRow>>('/stats/timeseries', {
              ...selection.stats,
              interval,
              [kind === 'counter' ? 'counterId' : 'officerId']: id
            })
          ).rows
        }))
      ),
    [selection.search, kind, shown.join(',')]
  )
  const toggle = (id: string): void =>
    setPicked(picked.includes(id) ? picked.filter((item) => item !== id) : [...picked, id].slice(-MAX_SERIES))
  return (
    <Section
      title={t('compareTitle')}
      class='compare'
      actions={
        <div class='picker' role='group' aria-label={t('compareTitle')}>
          <button
            type='button'
            aria-pressed={kind === 'counter'}
            onClick={() => {
              setKind('counter')
              setPicked([])
            }}
          >
            {t('compareCounters')}
          </button>
          <button
            type='button'
            aria-pressed={kind === 'officer'}
            onClick={() => {
              setKind('officer')
              setPicked([])
            }}
          >
            {t('compareOfficers')}
          </button>
        </div>
      }
    >
      <p class='muted'>{t('compareHint')}</p>
      <div class='compare-pick'>
        {choices.map((choice) => (
          <label key={choice.id}>
            <input type='checkbox' checked={shown.includes(choice.id)} onChange={() => toggle(choice.id)} /> {choice.label}
          </label>
        ))}
      </div>
      {shown.length > 0 &&
        (trends.value !== null && trends.value.length === shown.length
          ? (
            <CompareChart series={trends.value} interval={interval} target={targetOf(units, selection.unitId || user.unitId)} />
            )
          : (
            <Status loading={trends.loading} error={trends.error} />
            ))}
    </Section>
  )
}
