// Live: today's ratings of the scope so far (GET /api/v1/ratings), then each as it arrives (WS /api/v1/live), newest first, unsatisfied
// ones marked.
import { get, type RatingPage } from '../../api.ts'
import { useLoad } from '../../components/useLoad.ts'
import { useDashboard } from '../../context.ts'
import type { LiveRating } from '../../live.ts'
import { counterLabel, Section } from '../../components/Figures.tsx'
import { Layout } from '../../components/Layout.tsx'
import { criterionLabel, levelLabel } from '../../i18n.ts'
import { localToday, time } from '../../period.ts'

const TODAY_LENGTH = 100

/** What a row of the feed shows: a live rating, or a rating of today's list (GET /ratings). */
type FeedRating = Pick<LiveRating, 'id' | 'counterId' | 'officerId' | 'level' | 'category' | 'criteria' | 'ratedAt'>

export function Live () {
  const { live, lang, t, counters, officers } = useDashboard()
  // The page opens on today's feed so far; ratings arriving on the socket go on top of it, each once.
  const today = useLoad(() => get<RatingPage>('/ratings', { from: localToday(), to: localToday(), limit: TODAY_LENGTH }), [])
  const seen = new Set<string>()
  const feed: FeedRating[] = []
  for (const rating of [...live.ratings, ...(today.value?.items ?? []).map((item) => ({ ...item, receivedAt: item.countedAt }))]) {
    if (seen.has(rating.id)) continue
    seen.add(rating.id)
    feed.push(rating)
  }
  return (
    <Layout pickers={false}>
      <Section
        title={t('liveTitle')}
        actions={
          <div class='live-head'>
            <span class={`dot ${live.open ? 'on' : 'off'}`} />{' '}
            <span class='live-status'>{t(live.open ? 'liveConnected' : 'liveDisconnected')}</span>
            <label>
              <input type='checkbox' checked={live.sound} onChange={(event) => live.setSound(event.currentTarget.checked)} /> {t('sound')}
            </label>
          </div>
        }
      >
        {feed.length === 0 && !today.loading && <p class='muted'>{t('liveEmpty')}</p>}
        <ol class='feed'>
          {feed.map((rating) => {
            const counter = counters.get(rating.counterId)
            const met = Object.entries(rating.criteria)
              .filter(([, value]) => value === true)
              .map(([code]) => criterionLabel(lang, code))
            return (
              <li key={rating.id} class={`rating ${rating.category}`} data-rating={rating.id}>
                <time>{time(lang, rating.ratedAt)}</time>
                <strong class='rating-level'>{levelLabel(lang, rating.level)}</strong>
                <span class='rating-counter'>{counter === undefined ? '' : counterLabel(t('counter'), counter.number, counter.name)}</span>
                <span>{rating.officerId === null ? t('noOfficer') : (officers.get(rating.officerId)?.fullName ?? '')}</span>
                <span class='muted'>{met.join(', ')}</span>
              </li>
            )
          })}
        </ol>
      </Section>
    </Layout>
  )
}
