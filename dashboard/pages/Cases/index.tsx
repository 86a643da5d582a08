// Cases: the inbox of unsatisfied ratings, oldest first, each resolved with a note.
import { useState } from 'preact/hooks'
import { call, get, type Case, type Items } from '../../api.ts'
import { counterLabel, Section, Status } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { useLoad } from '../../components/useLoad.ts'
import { failureText } from '../../errors.ts'
import { useDashboard, useSelection } from '../../context.ts'
import { levelLabel } from '../../i18n.ts'
import { age, dateTime, vietnameseOrder } from '../../period.ts'

function CaseItem ({ item, onResolved }: { item: Case; onResolved: () => void }) {
  const { lang, t, counters } = useDashboard()
  const [note, setNote] = useState('')
  const [error, setError] = useState<string | null>(null)
  const resolve = async (event: Event): Promise<void> => {
    event.preventDefault()
    try {
      await call('PATCH', `/cases/${item.id}`, { status: 'resolved', note })
      onResolved()
    } catch (failure) {
      setError(failureText(lang, failure))
    }
  }
  return (
    <li class={`case ${item.status}`} data-case={item.id}>
      <div class='case-head'>
        <strong>{levelLabel(lang, item.level)}</strong>
        <span>{counterLabel(t('counter'), item.counterNumber, counters.get(item.counterId)?.name)}</span>
        <span>{item.officerName ?? t('noOfficer')}</span>
        <span>{dateTime(lang, item.ratedAt)}</span>
        <span class='age' title={t('age')}>
          {age(lang, item.ageSeconds)}
        </span>
      </div>
      {item.status === 'open'
        ? (
          <form class='resolve' onSubmit={resolve}>
            <input
              aria-label={t('note')}
              placeholder={t('notePlaceholder')}
              required
              maxLength={2000}
              value={note}
              onInput={(event) => setNote(event.currentTarget.value)}
            />
            <button type='submit' class='primary' disabled={note.trim() === ''}>
              {t('resolve')}
            </button>
            {error !== null && (
              <span class='error' role='alert'>
                {error}
              </span>
            )}
          </form>
          )
        : (
          <p class='note'>
            <span class='muted'>{t('note')}:</span> {item.note}
          </p>
          )}
    </li>
  )
}

export function Cases () {
  const { t, counters, officers } = useDashboard()
  const selection = useSelection()
  const [status, setStatus] = useState<'open' | 'resolved'>('open')
  const [counterId, setCounterId] = useState('')
  const [officerId, setOfficerId] = useState('')
  const cases = useLoad(
    () =>
      get<Items<Case>>('/cases', {
        status,
        unitId: selection.stats.unitId,
        from: selection.period.from,
        to: selection.period.to,
        counterId,
        officerId
      }),
    [status, selection.search, counterId, officerId]
  )
  return (
    <Layout>
      <Section
        title={t('casesTitle')}
        actions={
          <div role='group' class='tabs'>
            {(['open', 'resolved'] as const).map((value) => (
              <button key={value} type='button' aria-pressed={status === value} onClick={() => setStatus(value)}>
                {t(value === 'open' ? 'statusOpen' : 'statusResolved')}
              </button>
            ))}
          </div>
        }
      >
        <div class='filters'>
          <label>
            {t('counter')}
            <select aria-label={t('counter')} value={counterId} onChange={(event) => setCounterId(event.currentTarget.value)}>
              <option value=''>{t('all')}</option>
              {[...counters.values()]
                .sort((a, b) => a.unitId.localeCompare(b.unitId) || a.number - b.number)
                .map((counter) => (
                  <option key={counter.id} value={counter.id}>
                    {counterLabel(t('counter'), counter.number, counter.name)}
                  </option>
                ))}
            </select>
          </label>
          <label>
            {t('officer')}
            <select aria-label={t('officer')} value={officerId} onChange={(event) => setOfficerId(event.currentTarget.value)}>
              <option value=''>{t('all')}</option>
              {[...officers.values()]
                .sort((a, b) => vietnameseOrder(a.fullName, b.fullName))
                .map((officer) => (
                  <option key={officer.id} value={officer.id}>
                    {officer.fullName} ({officer.staffCode})
                  </option>
                ))}
            </select>
          </label>
          {cases.value !== null && <span class='muted'>{cases.value.items.length}</span>}
        </div>
        <Status loading={cases.loading && cases.value === null} error={cases.error} />
        {cases.value?.items.length === 0 && <p class='muted'>{t('noCases')}</p>}
        <ul class='cases'>
          {(cases.value?.items ?? []).map((item) => (
            <CaseItem key={item.id} item={item} onResolved={cases.reload} />
          ))}
        </ul>
      </Section>
    </Layout>
  )
}
