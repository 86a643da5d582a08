// Live: ratings of the scope as they arrive (WS /api/v1/live), newest first, unsatisfied ones marked.
import { useDashboard } from '../../context.ts'
import { counterLabel, Section } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { criterionLabel, levelLabel } from '../../i18n.ts'
import { time } from '../../period.ts'

export function Live () {
  const { live, lang, t, counters, officers } = useDashboard()
  return (
    <Layout pickers={false}>
      <Section title={t('liveTitle')} actions={
        <div class="live-head">
          <span class={`dot ${live.open ? 'on' : 'off'}`} /> <span class="live-status">{t(live.open ? 'liveConnected' : 'liveDisconnected')}</span>
          <label><input type="checkbox" checked={live.sound} onChange={(event) => live.setSound(event.currentTarget.checked)} /> {t('sound')}</label>
        </div>
      }>
        {live.ratings.length === 0 && <p class="muted">{t('liveEmpty')}</p>}
        <ol class="feed">
          {live.ratings.map((rating) => {
            const counter = counters.get(rating.counterId)
            const met = Object.entries(rating.criteria).filter(([, value]) => value).map(([code]) => criterionLabel(lang, code))
            return (
              <li key={rating.id} class={`rating ${rating.category}`} data-rating={rating.id}>
                <time>{time(lang, rating.ratedAt)}</time>
                <strong class="rating-level">{levelLabel(lang, rating.level)}</strong>
                <span class="rating-counter">{counter === undefined ? '' : counterLabel(t('counter'), counter.number, counter.name)}</span>
                <span>{rating.officerId === null ? t('noOfficer') : officers.get(rating.officerId)?.fullName ?? ''}</span>
                <span class="muted">{met.join(', ')}</span>
              </li>
            )
          })}
        </ol>
      </Section>
    </Layout>
  )
}
