// A print-ready A4 report (Vietnamese by default) of the chosen unit and period: totals, criteria, units, counters, officers.
import { get, type CounterRow, type Figures, type OfficerRow, type Rows, type UnitRow } from '../../api.ts'
import { Status } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { useLoad } from '../../components/useLoad.ts'
import { useDashboard, useSelection } from '../../context.ts'
import { criterionLabel, levelLabel } from '../../i18n.ts'
import { dayLabel, decimal, integer, localToday, percent } from '../../period.ts'
import { CounterTable } from '../Overview/index.tsx'
import { UnitTable } from '../Province/index.tsx'

export function Report () {
  const { lang, t, units, user } = useDashboard()
  const selection = useSelection()
  const report = useLoad(async () => {
    const [summary, unitRows, counters, officers] = await Promise.all([
      get<Figures>('/stats/summary', selection.stats),
      get<Rows<UnitRow>>('/stats/units', selection.stats),
      get<Rows<CounterRow>>('/stats/counters', selection.stats),
      get<Rows<OfficerRow>>('/stats/officers', selection.stats)
    ])
    return { summary, units: unitRows.rows, counters: counters.rows, officers: officers.rows }
  }, [selection.search])
  const unitName = units.find((unit) => unit.id === (selection.unitId || user.unitId))?.name ?? t('wholeScope')
  const value = report.value
  return (
    <Layout>
      <div class="no-print report-actions"><button type="button" class="primary" onClick={() => print()}>{t('reportPrint')}</button></div>
      <article class="report">
        <p class="nation"><strong>{t('reportNation')}</strong><br /><span>{t('reportMotto')}</span></p>
        <h1>{t('reportTitle')}</h1>
        <p class="center">{t('reportUnit')}: <strong>{unitName}</strong> · {t('reportPeriod')}: {dayLabel(lang, selection.period.from)} – {dayLabel(lang, selection.period.to)}</p>
        <Status loading={report.loading && value === null} error={report.error} />
        {value !== null && (
          <>
            <h2>{t('reportSummary')}</h2>
            <table class="grid">
              <tbody>
                <tr><th>{t('ratings')}</th><td class="num">{integer(lang, value.summary.total)}</td></tr>
                {Object.keys(value.summary.byLevel).sort((a, b) => Number(b) - Number(a)).map((level) => (
                  <tr key={level}><th>{levelLabel(lang, level)}</th><td class="num">{integer(lang, value.summary.byLevel[level] ?? 0)}</td></tr>
                ))}
                <tr><th>{t('satisfactionRate')}</th><td class="num">{percent(lang, value.summary.satisfactionRate)}</td></tr>
                <tr><th>{t('rate766')}</th><td class="num">{percent(lang, value.summary.rate766)}</td></tr>
                <tr><th>{t('scoreIndex')}</th><td class="num">{decimal(lang, value.summary.scoreIndex)}</td></tr>
              </tbody>
            </table>
            <h3>{t('criteria')}</h3>
            <table class="grid">
              <tbody>
                {value.summary.criteria.map((criterion) => (
                  <tr key={criterion.code}><th>{criterionLabel(lang, criterion.code)}</th><td class="num">{integer(lang, criterion.met)}/{integer(lang, criterion.answered)}</td><td class="num">{percent(lang, criterion.rate)}</td></tr>
                ))}
              </tbody>
            </table>
            {value.units.length > 0 && <><h2>{t('reportUnits')}</h2><UnitTable rows={value.units} /></>}
            <h2>{t('reportCounters')}</h2>
            <CounterTable rows={value.counters} />
            <h2>{t('reportOfficers')}</h2>
            <table class="grid">
              <thead><tr><th>{t('officer')}</th><th class="num">{t('ratings')}</th><th class="num">{t('satisfactionRate')}</th><th class="num">{t('scoreIndex')}</th></tr></thead>
              <tbody>
                {value.officers.map((row) => (
                  <tr key={row.officerId ?? 'none'}><td>{row.fullName ?? t('noOfficer')}{row.smallSample ? ' *' : ''}</td><td class="num">{integer(lang, row.total)}</td><td class="num">{percent(lang, row.satisfactionRate)}</td><td class="num">{decimal(lang, row.scoreIndex)}</td></tr>
                ))}
              </tbody>
            </table>
            <p class="muted">* {t('smallSample')}</p>
            <p class="signature">{t('reportMade')} {dayLabel(lang, localToday())}</p>
          </>
        )}
      </article>
    </Layout>
  )
}
