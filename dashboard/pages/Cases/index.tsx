// Cases: the inbox of unsatisfied ratings, oldest first, each resolved with a note.
import { useState } from 'preact/hooks'
import { call, get, type Case, type Items } from '../../api.ts'
import { counterLabel, Section, Status } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { useLoad } from '../../components/useLoad.ts'
import { useDashboard, useSelection } from '../../context.ts'
import { levelLabel } from '../../i18n.ts'
import { age, dateTime } from '../../period.ts'

function CaseItem ({ item, onResolved }: { item: Case, onResolved: () => void }) {
  const { lang, t, counters } = useDashboard()
  const [note, setNote] = useState('')
  const [error, setError] = useState<string | null>(null)
  const resolve = async (event: Event): Promise<void> => {
    event.preventDefault()
    try {
      await call('PATCH', `/cases/${item.id}`, { status: 'resolved', note })
      onResolved()
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : t('failed'))
    }
  }
  return (
    <li class={`case ${item.status}`} data-case={item.id}>
      <div class="case-head">
        <strong>{levelLabel(lang, item.level)}</strong>
        <span>{counterLabel(t('counter'), item.counterNumber, counters.get(item.counterId)?.name)}</span>
        <span>{item.officerName ?? t('noOfficer')}</span>
        <span>{dateTime(lang, item.ratedAt)}</span>
        <span class="age" title={t('age')}>{age(lang, item.ageSeconds)}</span>
      </div>
      {item.status === 'open'
        ? (
          <form class="resolve" onSubmit={resolve}>
            <input aria-label={t('note')} placeholder={t('notePlaceholder')} required maxLength={2000} value={note} onInput={(event) => setNote(event.currentTarget.value)} />
            <button type="submit" class="primary" disabled={note.trim() === ''}>{t('resolve')}</button>
            {error !== null && <span class="error" role="alert">{error}</span>}
          </form>
          )
        : <p class="note"><span class="muted">{t('note')}:</span> {item.note}</p>}
    </li>
  )
}

export function Cases () {
  const { t } = useDashboard()
  const selection = useSelection()
  const [status, setStatus] = useState<'open' | 'resolved'>('open')
  const cases = useLoad(() => get<Items<Case>>('/cases', { status, unitId: selection.stats.unitId, from: selection.period.from, to: selection.period.to }), [status, selection.search])
  return (
    <Layout>
      <Section title={t('casesTitle')} actions={
        <div role="group" class="tabs">
          {(['open', 'resolved'] as const).map((value) => (
            <button key={value} type="button" aria-pressed={status === value} onClick={() => setStatus(value)}>{t(value === 'open' ? 'statusOpen' : 'statusResolved')}</button>
          ))}
        </div>
      }>
        <Status loading={cases.loading && cases.value === null} error={cases.error} />
        {cases.value?.items.length === 0 && <p class="muted">{t('noCases')}</p>}
        <ul class="cases">
          {(cases.value?.items ?? []).map((item) => <CaseItem key={item.id} item={item} onResolved={cases.reload} />)}
        </ul>
      </Section>
    </Layout>
  )
}
