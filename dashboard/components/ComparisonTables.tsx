// The comparison tables of the Overview, the Province page and the monthly report: one row a counter or a child unit, with
// the same five figures after the two columns that name it.
import type { ComponentChildren } from 'preact'
import type { CounterRow, Figures, UnitRow } from '../api.ts'
import { useDashboard } from '../context.ts'
import type { MessageKey } from '../i18n.ts'
import { decimal, integer } from '../period.ts'
import { RateCell } from './Figures.tsx'

type RowFigures = Pick<Figures, 'total' | 'satisfactionRate' | 'rate766' | 'scoreIndex' | 'unsatisfied'>

function ComparisonTable<Row extends RowFigures> ({ kind, heads, rows, rowKey, naming }: {
  kind: string
  heads: [MessageKey, MessageKey]
  rows: Row[]
  rowKey: (row: Row) => string
  naming: (row: Row) => [ComponentChildren, ComponentChildren]
}) {
  const { lang, t } = useDashboard()
  return (
    <table class={`grid ${kind}`}>
      <thead>
        <tr>
          <th>{t(heads[0])}</th>
          <th>{t(heads[1])}</th>
          <th class='num'>{t('ratings')}</th>
          <th class='num'>{t('satisfactionRate')}</th>
          <th class='num'>{t('rate766')}</th>
          <th class='num'>{t('scoreIndex')}</th>
          <th class='num'>{t('unsatisfied')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const [first, second] = naming(row)
          return (
            <tr key={rowKey(row)}>
              <td>{first}</td>
              <td>{second}</td>
              <td class='num'>{integer(lang, row.total)}</td>
              <RateCell rate={row.satisfactionRate} />
              <RateCell rate={row.rate766} />
              <td class='num'>{decimal(lang, row.scoreIndex)}</td>
              <td class='num'>{integer(lang, row.unsatisfied)}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

/** One row a counter: its number and name. */
export function CounterTable ({ rows }: { rows: CounterRow[] }) {
  return (
    <ComparisonTable
      kind='counters' heads={['counter', 'name']} rows={rows} rowKey={(row) => row.counterId}
      naming={(row) => [row.number, row.name]}
    />
  )
}

/** One row a child unit, each over its whole subtree: its code and name. */
export function UnitTable ({ rows }: { rows: UnitRow[] }) {
  return (
    <ComparisonTable
      kind='units' heads={['code', 'unit']} rows={rows} rowKey={(row) => row.unitId}
      naming={(row) => [row.code, row.name]}
    />
  )
}
