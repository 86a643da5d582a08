// Admin: the rating scale and the conduct criteria, edited as a whole and saved with PUT /api/v1/scale and /criteria.
import { useEffect, useState } from 'preact/hooks'
import { call, get, type Criterion, type Items, type ScaleLevel } from '../../api.ts'
import { failureText } from '../../errors.ts'
import { useDashboard } from '../../context.ts'
import { setCatalogue } from '../../i18n.ts'

const categories = ['satisfied', 'neutral', 'unsatisfied'] as const
const groups = ['xin', 'luon', 'other'] as const

export function Catalogue () {
  const { lang, t } = useDashboard()
  const [scale, setScale] = useState<ScaleLevel[]>([])
  const [criteria, setCriteria] = useState<Criterion[]>([])
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null)
  useEffect(() => {
    get<Items<ScaleLevel>>('/scale')
      .then((list) => setScale(list.items))
      .catch(() => {})
    get<Items<Criterion>>('/criteria')
      .then((list) => setCriteria(list.items))
      .catch(() => {})
  }, [])

  const changeLevel = (index: number, change: Partial<ScaleLevel>): void =>
    setScale(scale.map((level, at) => (at === index ? { ...level, ...change } : level)))
  const changeCriterion = (index: number, change: Partial<Criterion>): void =>
    setCriteria(criteria.map((criterion, at) => (at === index ? { ...criterion, ...change } : criterion)))
  const move = (index: number, by: number): void => {
    const next = [...criteria]
    const [moved] = next.splice(index, 1)
    next.splice(index + by, 0, moved!)
    setCriteria(next)
  }
  const save = async (): Promise<void> => {
    setMessage(null)
    try {
      // Highest first on screen; numbered from the bottom so the levels stay 1…n.
      const levels = scale.map((level, index) => ({
        level: scale.length - index,
        category: level.category,
        weight: Number(level.weight),
        labelVi: level.labelVi,
        labelEn: level.labelEn
      }))
      const savedScale = await call<Items<ScaleLevel>>('PUT', '/scale', { levels })
      const savedCriteria = await call<Items<Criterion>>('PUT', '/criteria', {
        criteria: criteria.map(({ code, group, labelVi, labelEn }) => ({ code, group, labelVi, labelEn }))
      })
      setScale(savedScale.items)
      setCriteria(savedCriteria.items)
      setCatalogue(savedScale.items, savedCriteria.items)
      setMessage({ error: false, text: t('saved') })
    } catch (failure) {
      setMessage({ error: true, text: failureText(lang, failure) })
    }
  }

  return (
    <form
      class='catalogue'
      onSubmit={(event) => {
        event.preventDefault()
        void save()
      }}
    >
      <h3>{t('scale')}</h3>
      <table class='grid'>
        <thead>
          <tr>
            <th>{t('level')}</th>
            <th>Tiếng Việt</th>
            <th>English</th>
            <th>{t('category')}</th>
            <th>{t('weight')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {scale.map((level, index) => (
            <tr key={index}>
              <td>{scale.length - index}</td>
              <td>
                <input
                  aria-label={`${t('level')} ${scale.length - index} Tiếng Việt`}
                  required
                  value={level.labelVi}
                  onInput={(event) => changeLevel(index, { labelVi: event.currentTarget.value })}
                />
              </td>
              <td>
                <input
                  aria-label={`${t('level')} ${scale.length - index} English`}
                  required
                  value={level.labelEn}
                  onInput={(event) => changeLevel(index, { labelEn: event.currentTarget.value })}
                />
              </td>
              <td>
                <select
                  value={level.category}
                  onChange={(event) => changeLevel(index, { category: event.currentTarget.value as ScaleLevel['category'] })}
                >
                  {categories.map((category) => (
                    <option key={category} value={category}>
                      {category}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  type='number'
                  min='0'
                  max='100'
                  required
                  value={level.weight}
                  onInput={(event) => changeLevel(index, { weight: Number(event.currentTarget.value) })}
                />
              </td>
              <td>
                <button
                  type='button'
                  class='link'
                  disabled={scale.length <= 2}
                  onClick={() => setScale(scale.filter((_, at) => at !== index))}
                >
                  {t('remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type='button'
        onClick={() => setScale([{ level: scale.length + 1, category: 'satisfied', weight: 100, labelVi: '', labelEn: '' }, ...scale])}
      >
        {t('addLevel')}
      </button>

      <h3>{t('criteria')}</h3>
      <table class='grid'>
        <thead>
          <tr>
            <th>{t('code')}</th>
            <th>{t('group')}</th>
            <th>Tiếng Việt</th>
            <th>English</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {criteria.map((criterion, index) => (
            <tr key={index}>
              <td>
                <input
                  aria-label={`${t('code')} ${index + 1}`}
                  required
                  pattern='[a-z][a-z0-9_]{0,31}'
                  value={criterion.code}
                  onInput={(event) => changeCriterion(index, { code: event.currentTarget.value })}
                />
              </td>
              <td>
                <select
                  value={criterion.group}
                  onChange={(event) => changeCriterion(index, { group: event.currentTarget.value as Criterion['group'] })}
                >
                  {groups.map((group) => (
                    <option key={group} value={group}>
                      {group}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  aria-label={`${criterion.code} Tiếng Việt`}
                  required
                  value={criterion.labelVi}
                  onInput={(event) => changeCriterion(index, { labelVi: event.currentTarget.value })}
                />
              </td>
              <td>
                <input
                  aria-label={`${criterion.code} English`}
                  required
                  value={criterion.labelEn}
                  onInput={(event) => changeCriterion(index, { labelEn: event.currentTarget.value })}
                />
              </td>
              <td>
                <button
                  type='button'
                  class='link'
                  aria-label={`${t('moveUp')} ${criterion.code}`}
                  disabled={index === 0}
                  onClick={() => move(index, -1)}
                >
                  ▲
                </button>
                <button
                  type='button'
                  class='link'
                  aria-label={`${t('moveDown')} ${criterion.code}`}
                  disabled={index === criteria.length - 1}
                  onClick={() => move(index, 1)}
                >
                  ▼
                </button>
                <button type='button' class='link' onClick={() => setCriteria(criteria.filter((_, at) => at !== index))}>
                  {t('remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type='button' onClick={() => setCriteria([...criteria, { code: '', group: 'other', labelVi: '', labelEn: '' }])}>
        {t('addCriterion')}
      </button>
      <p>
        <button type='submit' class='primary'>
          {t('save')}
        </button>
      </p>
      {message !== null && (
        <p class={message.error ? 'error' : ''} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </form>
  )
}
