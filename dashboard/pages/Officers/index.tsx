// Officers: a sortable table with the "4 xin, 4 luôn" criteria as colour-scaled columns and the small-sample mark.
import { useState } from 'preact/hooks'
import { get, type OfficerRow, type Rows } from '../../api.ts'
import { CsvLink, RateCell, Section, Status } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { useLoad } from '../../components/useLoad.ts'
import { useDashboard, useSelection } from '../../context.ts'
import { criterionLabel } from '../../i18n.ts'
import { decimal, integer, vietnameseOrder } from '../../period.ts'

type SortKey = 'fullName' | 'total' | 'satisfactionRate' | 'rate766' | 'scoreIndex' | `criterion:${string}`

const sortValue = (row: OfficerRow, key: SortKey): string | number => {
  if (key.startsWith('criterion:')) return row.criteria.find((criterion) => criterion.code === key.slice(10))?.rate ?? -1
  if (key === 'fullName') return row.fullName ?? ''
  return row[key as 'total' | 'satisfactionRate' | 'rate766' | 'scoreIndex'] ?? -1
}

export function Officers () {
  const { lang, t } = useDashboard()
  const selection = useSelection()
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'scoreIndex', descending: true })
  const officers = useLoad(() => get<Rows<OfficerRow>>('/stats/officers', selection.stats), [selection.search])
  const rows = [...(officers.value?.rows ?? [])].sort((a, b) => {
    const x = sortValue(a, sort.key)
    const y = sortValue(b, sort.key)
    const order = typeof x === 'string' ? vietnameseOrder(x, String(y)) : x - (y as number)
    return sort.descending ? -order : order
  })
  const codes = officers.value?.rows[0]?.criteria.map((criterion) => criterion.code) ?? []
  const Header = ({ sortKey, label, numeric = true }: { sortKey: SortKey; label: string; numeric?: boolean }) => (
    <th class={numeric ? 'num' : ''} aria-sort={sort.key === sortKey ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
      <button
        type='button'
        class='sort'
        onClick={() => setSort({ key: sortKey, descending: sort.key === sortKey ? !sort.descending : numeric })}
      >
        {label}
        {sort.key === sortKey ? (sort.descending ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  )
  return (
    <Layout>
      <Section title={t('navOfficers')} actions={<CsvLink kind='officers' query={selection.stats} />}>
        <Status loading={officers.loading && officers.value === null} error={officers.error} />
        <div class='scroll'>
          <table class='grid officers'>
            <thead>
              <tr>
                <Header sortKey='fullName' label={t('officer')} numeric={false} />
                <Header sortKey='total' label={t('ratings')} />
                <Header sortKey='satisfactionRate' label={t('satisfactionRate')} />
                <Header sortKey='rate766' label={t('rate766')} />
                <Header sortKey='scoreIndex' label={t('scoreIndex')} />
                {codes.map((code) => (
                  <Header key={code} sortKey={`criterion:${code}`} label={criterionLabel(lang, code)} />
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.officerId ?? 'none'} class={row.smallSample ? 'small-sample' : ''}>
                  <td class='officer-name'>
                    {row.officerId === null
                      ? (
                        <span class='muted'>{t('noOfficer')}</span>
                        )
                      : (
                        <a href={`/officers/${row.officerId}${selection.search}`}>{row.fullName}</a>
                        )}
                    {row.smallSample && (
                      <abbr class='small-mark' title={t('smallSample')} aria-label={t('smallSample')}>
                        {' '}
                        *
                      </abbr>
                    )}
                  </td>
                  <td class='num'>{integer(lang, row.total)}</td>
                  <RateCell rate={row.satisfactionRate} />
                  <RateCell rate={row.rate766} />
                  <td class='num'>{decimal(lang, row.scoreIndex)}</td>
                  {codes.map((code) => {
                    const criterion = row.criteria.find((item) => item.code === code)
                    return (
                      <RateCell
                        key={code}
                        rate={criterion?.rate ?? null}
                        title={criterion === undefined
                          ? ''
                          : `${criterion.met}/${criterion.answered}` +
                            (criterion.notApplicable > 0 ? ` · ${t('notApplicable')}: ${criterion.notApplicable}` : '')}
                      />
                    )
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class='muted note'>* {t('smallSample')}</p>
      </Section>
    </Layout>
  )
}
