// Cases: every open case in scope (oldest, the most urgent, first; no period hides one), the resolved ones of the period
// (newest resolution first), a page at a time; each with its owner, due time, timeline, resolution and reopening.
import { useEffect, useState } from 'preact/hooks'
import { useLocation } from 'preact-iso'
import { call, get, type Case, type CaseEvent, type CasePage, type Items } from '../../api.ts'
import { counterLabel, Section, Status } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { useLoad } from '../../components/useLoad.ts'
import { failureText } from '../../errors.ts'
import { useDashboard, useSelection } from '../../context.ts'
import { fill, levelLabel, type MessageKey } from '../../i18n.ts'
import { age, dateTime, integer, vietnameseOrder } from '../../period.ts'

const PAGE = 50

const eventKeys: Record<CaseEvent['kind'], MessageKey> = {
  opened: 'caseEventOpened',
  assigned: 'caseEventAssigned',
  note: 'caseEventNote',
  contacted: 'caseEventContacted',
  resolved: 'caseEventResolved',
  reopened: 'caseEventReopened'
}

/**
 * What the citizen said on the terminal: the reason, and the call-back number — masked in the list; "Hiện số" asks the server
 * for it whole (admins and supervisors in scope only) and offers a tel: link.
 */
function CitizenVoice ({ item }: { item: Case }) {
  const { lang, t } = useDashboard()
  const [whole, setWhole] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  if (item.reason === null && !item.callBack) return null
  const show = async (): Promise<void> => {
    try {
      setWhole((await get<Case>(`/cases/${item.id}`)).phone)
    } catch (failure) {
      setError(failureText(lang, failure))
    }
  }
  return (
    <div class='case-voice'>
      {item.reason !== null && (
        <span class='reason'>{t('caseReason')}: <strong>{lang === 'vi' ? item.reason.labelVi : item.reason.labelEn}</strong></span>
      )}
      {item.callBack && (
        <span class='call-back'>
          {t('caseCallBack')}:{' '}
          {item.phoneErasedAt !== null
            ? <span class='muted'>{fill(t('casePhoneErased'), { at: dateTime(lang, item.phoneErasedAt) })}</span>
            : whole !== null
              ? <a class='phone' href={`tel:${whole}`}>{fill(t('caseCall'), { phone: whole })}</a>
              : item.phone !== null
                ? (
                  <>
                    <span class='phone'>{item.phone}</span>{' '}
                    <button type='button' class='link' onClick={() => { void show() }}>{t('caseShowPhone')}</button>
                  </>
                  )
                : <span>{t('caseCallBackAsked')}</span>}
        </span>
      )}
      {error !== null && <span class='error' role='alert'>{error}</span>}
    </div>
  )
}

/** A case's history, loaded when opened, with a form to add a remark or a call-back. */
function Timeline ({ item, canWrite, round }: { item: Case; canWrite: boolean; round: number }) {
  const { lang, t } = useDashboard()
  const [kind, setKind] = useState<'note' | 'contacted'>('contacted')
  const [note, setNote] = useState('')
  const [error, setError] = useState<string | null>(null)
  const events = useLoad(() => get<Items<CaseEvent>>(`/cases/${item.id}/events`), [item.id, round])
  const add = async (event: Event): Promise<void> => {
    event.preventDefault()
    try {
      await call('POST', `/cases/${item.id}/events`, { kind, note })
      setNote('')
      setError(null)
      events.reload()
    } catch (failure) {
      setError(failureText(lang, failure))
    }
  }
  return (
    <div class='timeline'>
      <Status loading={events.loading && events.value === null} error={events.error} />
      <ol>
        {(events.value?.items ?? []).map((entry, index) => (
          <li key={index} data-event={entry.kind}>
            <span class='muted'>{dateTime(lang, entry.at)}</span> <strong>{t(eventKeys[entry.kind])}</strong>
            {entry.kind === 'assigned' && <> → {entry.assigneeName ?? t('caseNobody')}</>}
            {entry.actorName !== null && <span class='muted'> · {entry.actorName}</span>}
            {entry.note !== null && <div>{entry.note}</div>}
          </li>
        ))}
      </ol>
      {canWrite && (
        <form class='resolve' onSubmit={add}>
          <select
            aria-label={t('caseEventKind')} value={kind}
            onChange={(event) => setKind(event.currentTarget.value as 'note' | 'contacted')}
          >
            <option value='contacted'>{t('caseEventContacted')}</option>
            <option value='note'>{t('caseEventNote')}</option>
          </select>
          <input
            aria-label={t('caseEventText')}
            required
            maxLength={2000}
            value={note}
            onInput={(event) => setNote(event.currentTarget.value)}
          />
          <button type='submit' disabled={note.trim() === ''}>{t('caseEventAdd')}</button>
          {error !== null && <span class='error' role='alert'>{error}</span>}
        </form>
      )}
    </div>
  )
}

function CaseItem ({ item, focused, onChanged }: { item: Case; focused: boolean; onChanged: (item: Case, before: Case) => void }) {
  const { lang, t, counters, user } = useDashboard()
  const canWrite = user.role === 'admin' || user.role === 'supervisor'
  const [note, setNote] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [history, setHistory] = useState(focused)
  const [round, setRound] = useState(0)
  const change = async (body: object): Promise<void> => {
    try {
      onChanged(await call<Case>('PATCH', `/cases/${item.id}`, body), item)
      setNote('')
      setError(null)
      setRound((n) => n + 1)
    } catch (failure) {
      setError(failureText(lang, failure))
    }
  }
  return (
    <li class={`case ${item.status}${item.overdue ? ' overdue' : ''}${focused ? ' focused' : ''}`} data-case={item.id}>
      <div class='case-head'>
        <strong>{levelLabel(lang, item.level)}</strong>
        <span>{counterLabel(t('counter'), item.counterNumber, counters.get(item.counterId)?.name)}</span>
        <span>{item.officerName ?? t('noOfficer')}</span>
        <span>{dateTime(lang, item.ratedAt)}</span>
        <span class='age' title={t('age')}>{age(lang, item.ageSeconds)}</span>
      </div>
      <CitizenVoice item={item} />
      <div class='case-owner'>
        {item.status === 'open' && (
          <span class='due'>
            {t('caseDue')}: {dateTime(lang, item.dueAt)}
            {item.overdue && <strong class='badge overdue'>{t('caseOverdue')}</strong>}
          </span>
        )}
        <span class='assignee'>{t('caseAssignee')}: {item.assigneeName ?? t('caseNobody')}</span>
        {canWrite && item.status === 'open' && item.assigneeId !== user.id && (
          <button type='button' class='link' onClick={() => { void change({ assigneeId: user.id }) }}>{t('caseTake')}</button>
        )}
        <button type='button' class='link' aria-expanded={history} onClick={() => setHistory(!history)}>{t('caseHistory')}</button>
      </div>
      {item.status === 'open' && canWrite && (
        <form class='resolve' onSubmit={(event) => { event.preventDefault(); void change({ status: 'resolved', note }) }}>
          <input
            aria-label={t('note')}
            placeholder={t('notePlaceholder')}
            required
            maxLength={2000}
            value={note}
            onInput={(event) => setNote(event.currentTarget.value)}
          />
          <button type='submit' class='primary' disabled={note.trim() === ''}>{t('resolve')}</button>
        </form>
      )}
      {item.status === 'resolved' && (
        <p class='note'>
          <span class='muted'>
            {fill(t('caseResolvedBy'), {
              who: item.resolvedByName ?? '—',
              at: item.resolvedAt === null ? '' : dateTime(lang, item.resolvedAt)
            })}:
          </span>{' '}
          {item.note}
          {canWrite && (
            <button type='button' class='link' onClick={() => { void change({ status: 'open' }) }}>{t('caseReopen')}</button>
          )}
        </p>
      )}
      {error !== null && <span class='error' role='alert'>{error}</span>}
      {history && <Timeline item={item} canWrite={canWrite} round={round} />}
    </li>
  )
}

export function Cases () {
  const { lang, t, counters, officers, user } = useDashboard()
  const selection = useSelection()
  const { query } = useLocation()
  const focusId = query.case ?? ''
  const [status, setStatus] = useState<'open' | 'resolved'>('open')
  const [counterId, setCounterId] = useState('')
  const [officerId, setOfficerId] = useState('')
  const [overdueOnly, setOverdueOnly] = useState(false)
  const [mine, setMine] = useState(false)
  const [more, setMore] = useState<Case[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [moreError, setMoreError] = useState<string | null>(null)
  const [changed, setChanged] = useState<Record<string, Case>>({})
  // Open cases are never hidden by the period: the period picks the resolved ones, by the day they were resolved.
  const filters = {
    status,
    unitId: selection.stats.unitId,
    counterId,
    officerId,
    ...(status === 'resolved' ? { by: 'resolved', from: selection.period.from, to: selection.period.to, order: 'newest' } : {}),
    ...(overdueOnly && status === 'open' ? { overdue: true } : {}),
    ...(mine ? { assigneeId: user.id } : {}),
    limit: PAGE
  }
  const page = useLoad(() => get<CasePage>('/cases', filters), [status, selection.search, counterId, officerId, overdueOnly, mine])
  const focus = useLoad(() => focusId === '' ? Promise.resolve(null) : get<Case>(`/cases/${focusId}`), [focusId])
  useEffect(() => {
    setMore([])
    setCursor(page.value?.nextCursor ?? null)
    setMoreError(null)
  }, [page.value])
  const loadMore = async (): Promise<void> => {
    if (cursor === null) return
    try {
      const next = await get<CasePage>('/cases', { ...filters, cursor })
      setMore((list) => [...list, ...next.items])
      setCursor(next.nextCursor)
    } catch (failure) {
      setMoreError(failureText(lang, failure))
    }
  }
  const listed = [...(page.value?.items ?? []), ...more].filter((item) => item.id !== focusId)
  const focused = focus.value ?? null
  const items = (focused === null ? listed : [focused, ...listed]).map((item) => changed[item.id] ?? item)
  // A new owner shows in place; a case resolved or reopened leaves its tab (the list and its total load again).
  const onChanged = (item: Case, before: Case): void => {
    setChanged((all) => ({ ...all, [item.id]: item }))
    if (item.status !== before.status) {
      page.reload()
      focus.reload()
    }
  }
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
        <p class='muted'>{t(status === 'open' ? 'casesOpenHint' : 'casesResolvedHint')}</p>
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
          {status === 'open' && (
            <label class='check'>
              <input type='checkbox' checked={overdueOnly} onChange={(event) => setOverdueOnly(event.currentTarget.checked)} />
              {t('casesOverdueOnly')}
            </label>
          )}
          {user.role !== 'officer' && user.role !== 'analyst' && (
            <label class='check'>
              <input type='checkbox' checked={mine} onChange={(event) => setMine(event.currentTarget.checked)} />
              {t('casesMine')}
            </label>
          )}
          {page.value !== null && (
            <span class='muted' data-total={page.value.total}>
              {fill(t('casesShown'), { shown: integer(lang, listed.length), total: integer(lang, page.value.total) })}
            </span>
          )}
        </div>
        <Status loading={page.loading && page.value === null} error={page.error} />
        {items.length === 0 && page.value !== null && <p class='muted'>{t('noCases')}</p>}
        <ul class='cases'>
          {items.map((item) => (
            <CaseItem key={item.id} item={item} focused={item.id === focusId} onChanged={onChanged} />
          ))}
        </ul>
        {cursor !== null && (
          <button type='button' class='more' onClick={() => { void loadMore() }}>{t('casesMore')}</button>
        )}
        {moreError !== null && <span class='error' role='alert'>{moreError}</span>}
      </Section>
    </Layout>
  )
}
