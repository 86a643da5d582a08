// The monthly report of the chosen unit and period in the form of an administrative document (Decree 30/2020/NĐ-CP): issuing body,
// national title, number, place and date, numbered sections, recipients and signature; prints on A4, or downloads as the server's PDF.
import { get, queryString, type CaseStats, type CounterRow, type Figures, type OfficerRow, type Rows, type UnitRow } from '../../api.ts'
import { CaseUnitTable } from '../../components/CaseFigures.tsx'
import { Status } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { useLoad } from '../../components/useLoad.ts'
import { useDashboard, useSelection } from '../../context.ts'
import { criterionLabel, fill, levelLabel } from '../../i18n.ts'
import { dayLabel, decimal, integer, localToday, percent } from '../../period.ts'
import { CounterTable, UnitTable } from '../../components/ComparisonTables.tsx'

/** "Tỉnh Hải Dương" → "Hải Dương": the place of the date line. */
const placeOf = (name: string): string => name.replace(/^(tỉnh|thành phố|tp\.?)\s+/iu, '').trim()

export function Report () {
  const { lang, t, units, user } = useDashboard()
  const selection = useSelection()
  const report = useLoad(async () => {
    const [summary, unitRows, counters, officers, cases] = await Promise.all([
      get<Figures>('/stats/summary', selection.stats),
      get<Rows<UnitRow>>('/stats/units', selection.stats),
      get<Rows<CounterRow>>('/stats/counters', selection.stats),
      get<Rows<OfficerRow>>('/stats/officers', selection.stats),
      user.role === 'officer' ? Promise.resolve(null) : get<CaseStats>('/stats/cases', selection.stats)
    ])
    return { summary, units: unitRows.rows, counters: counters.rows, officers: officers.rows, cases }
  }, [selection.search])
  const byId = new Map(units.map((unit) => [unit.id, unit]))
  const unit = byId.get(selection.unitId || user.unitId || '')
  const superior = unit?.parentId == null ? undefined : byId.get(unit.parentId)
  let top = unit
  while (top?.parentId != null && byId.has(top.parentId)) top = byId.get(top.parentId)
  const today = localToday()
  const [year, month, day] = today.split('-')
  const dateLine = fill(t('reportDate'), { place: placeOf(top?.name ?? ''), day: Number(day), month: Number(month), year: year! })
  const pdf = `/api/v1/reports/monthly${queryString({ unitId: selection.stats.unitId, from: selection.period.from, to: selection.period.to, lang })}`
  const value = report.value
  return (
    <Layout>
      <div class='no-print report-actions'>
        <a class='button' href={pdf} download>
          {t('reportPdf')}
        </a>
        <button type='button' class='primary' onClick={() => print()}>
          {t('reportPrint')}
        </button>
      </div>
      <article class='report'>
        <header class='report-head'>
          <div class='issuer'>
            {superior !== undefined && <p>{superior.name.toUpperCase()}</p>}
            <p class='issuer-name'>
              <strong>{(unit?.name ?? t('wholeScope')).toUpperCase()}</strong>
            </p>
            <p class='report-number'>
              {t('reportNumber')}:&nbsp;&nbsp;&nbsp;&nbsp;/BC-{unit?.code ?? 'HL'}
            </p>
          </div>
          <div class='nation'>
            <p>
              <strong>{t('reportNation')}</strong>
            </p>
            <p class='motto'>
              <strong>{t('reportMotto')}</strong>
            </p>
            <p class='date-line'>
              <em>{dateLine}</em>
            </p>
          </div>
        </header>
        <h1>{t('reportTitle')}</h1>
        <p class='subject'>
          <strong>{t('reportSubject')}</strong>
        </p>
        <p class='center'>
          <em>{fill(t('reportFromTo'), { from: dayLabel(lang, selection.period.from), to: dayLabel(lang, selection.period.to) })}</em>
        </p>
        <Status loading={report.loading && value === null} error={report.error} />
        {value !== null && (
          <>
            <h2>{t('reportSummary')}</h2>
            <table class='grid'>
              <tbody>
                <tr>
                  <th>{t('ratings')}</th>
                  <td class='num'>{integer(lang, value.summary.total)}</td>
                </tr>
                {Object.keys(value.summary.byLevel)
                  .sort((a, b) => Number(b) - Number(a))
                  .map((level) => (
                    <tr key={level}>
                      <th>{levelLabel(lang, level)}</th>
                      <td class='num'>{integer(lang, value.summary.byLevel[level] ?? 0)}</td>
                    </tr>
                  ))}
                <tr>
                  <th>{t('satisfactionRate')}</th>
                  <td class='num'>{percent(lang, value.summary.satisfactionRate)}</td>
                </tr>
                <tr>
                  <th>
                    {t('rate766')}{' '}
                    <span class='muted'>({t(value.summary.rate766Basis === 'dossier' ? 'basisDossier' : 'basisRating')})</span>
                  </th>
                  <td class='num'>{percent(lang, value.summary.rate766)}</td>
                </tr>
                <tr>
                  <th>{t('scoreIndex')}</th>
                  <td class='num'>{decimal(lang, value.summary.scoreIndex)}</td>
                </tr>
              </tbody>
            </table>
            <h2>{t('reportCriteria')}</h2>
            <table class='grid'>
              <thead>
                <tr>
                  <th>{t('criterion')}</th>
                  <th class='num'>{t('metOfAnswered')}</th>
                  <th class='num'>{t('criterionRate')}</th>
                  <th class='num'>{t('notApplicable')}</th>
                </tr>
              </thead>
              <tbody>
                {value.summary.criteria.map((criterion) => (
                  <tr key={criterion.code}>
                    <th>{criterionLabel(lang, criterion.code)}</th>
                    <td class='num'>
                      {integer(lang, criterion.met)}/{integer(lang, criterion.answered)}
                    </td>
                    <td class='num'>{percent(lang, criterion.rate)}</td>
                    <td class='num'>{integer(lang, criterion.notApplicable)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>{t('reportUnits')}</h2>
            {value.units.length > 0 ? <UnitTable rows={value.units} /> : <p>{t('reportNone')}</p>}
            <h2>{t('reportCounters')}</h2>
            <CounterTable rows={value.counters} />
            <h2>{t('reportOfficers')}</h2>
            <table class='grid'>
              <thead>
                <tr>
                  <th>{t('officer')}</th>
                  <th class='num'>{t('ratings')}</th>
                  <th class='num'>{t('satisfactionRate')}</th>
                  <th class='num'>{t('scoreIndex')}</th>
                </tr>
              </thead>
              <tbody>
                {value.officers.map((row) => (
                  <tr key={row.officerId ?? 'none'}>
                    <td>
                      {row.fullName ?? t('noOfficer')}
                      {row.smallSample ? ' *' : ''}
                    </td>
                    <td class='num'>{integer(lang, row.total)}</td>
                    <td class='num'>{percent(lang, row.satisfactionRate)}</td>
                    <td class='num'>{decimal(lang, row.scoreIndex)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p class='muted'>* {t('smallSample')}</p>
            {value.cases !== null && (
              <>
                <h2>{t('reportCases')}</h2>
                <CaseUnitTable stats={value.cases} />
              </>
            )}
            <footer class='report-foot'>
              <div class='recipients'>
                <p>
                  <strong>
                    <em>{t('reportRecipients')}:</em>
                  </strong>
                </p>
                {t('reportRecipientsList')
                  .split(';')
                  .map((line, index, all) => (
                    <p key={line}>
                      - {line}
                      {index === all.length - 1 ? '.' : ';'}
                    </p>
                  ))}
              </div>
              <div class='signer'>
                <p>
                  <strong>{t('reportSigner')}</strong>
                </p>
                <p>
                  <em>{t('reportSignHint')}</em>
                </p>
              </div>
            </footer>
          </>
        )}
      </article>
    </Layout>
  )
}
