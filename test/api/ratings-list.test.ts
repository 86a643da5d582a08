// The ratings list (newest first, by cursor, scoped, officers only their own) and an officer's shifts.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build } from '../helper.ts'
import { seedCentre, seedUser, type SeededCentre } from '../fixtures.ts'

const app = await build(t)

let address = 0
async function signIn (user: { username: string; password: string }): Promise<Record<string, string>> {
  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: `10.9.0.${++address % 250}`,
    payload: { username: user.username, password: user.password }
  })
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`)
  return { hl_session: login.cookies[0]!.value }
}

/** A stored rating, as the ingest would store it. */
async function seedRating (
  centre: SeededCentre,
  countedAt: string,
  options: { counter?: number; officer?: number | null; level?: number; misuse?: boolean } = {}
): Promise<string> {
  const id = randomUUID()
  const level = options.level ?? 4
  await app.db
    .insertInto('ratings')
    .values({
      id,
      unit_id: centre.centreId,
      counter_id: centre.counterIds[options.counter ?? 0]!,
      terminal_id: centre.terminal.id,
      officer_id: options.officer === null ? null : centre.officers[options.officer ?? 0]!.id,
      device_officer_id: null,
      level,
      category: level === 1 ? 'unsatisfied' : level === 2 ? 'neutral' : 'satisfied',
      weight: [0, 0, 40, 75, 100][level]!,
      criteria: JSON.stringify({ xin_chao: true }),
      rated_at: countedAt,
      counted_at: countedAt,
      source: 'touch',
      misuse: options.misuse ?? false,
      misuse_reason: options.misuse === true ? 'cooldown' : null
    })
    .execute()
  return id
}

const ids = (response: { json: () => { items: Array<{ id: string }> } }): string[] => response.json().items.map((item) => item.id)

t.test('ratings: newest first, a page at a time, filtered, scoped', async (t) => {
  const centre = await seedCentre(app.db)
  const other = await seedCentre(app.db)
  const supervisor = await signIn(await seedUser(app.db, 'supervisor', centre.centreId))
  const a = await seedRating(centre, '2026-11-20T01:00:00.000Z', { level: 1 })
  const b = await seedRating(centre, '2026-11-20T16:30:00.000Z', { counter: 1, officer: 1 }) // 23:30 on the 20th in Hà Nội
  const c = await seedRating(centre, '2026-11-20T17:10:00.000Z', { officer: null }) // 00:10 on the 21st
  const misuse = await seedRating(centre, '2026-11-20T17:10:01.000Z', { misuse: true })
  // Two in the same instant: the id breaks the tie, so paging neither skips nor repeats one.
  const d = await seedRating(centre, '2026-11-21T02:00:00.000Z')
  const e = await seedRating(centre, '2026-11-21T02:00:00.000Z', { level: 2 })
  const foreign = await seedRating(other, '2026-11-21T03:00:00.000Z')
  const sameInstant = [d, e].sort().reverse()
  const list = (query = '') => app.inject({ url: `/api/v1/ratings?unitId=${centre.centreId}${query}`, cookies: supervisor })

  const all = await list()
  t.equal(all.statusCode, 200, all.body)
  t.same(ids(all), [...sameInstant, c, b, a], 'newest first, misuse left out, nothing of another centre')
  t.equal(all.json().nextCursor, null)
  t.match(
    all.json().items.find((item: { id: string }) => item.id === b),
    {
      unitId: centre.centreId,
      counterId: centre.counterIds[1],
      counterNumber: 2,
      officerId: centre.officers[1]!.id,
      officerName: centre.officers[1]!.fullName,
      level: 4,
      category: 'satisfied',
      criteria: { xin_chao: true },
      ratedAt: '2026-11-20T16:30:00.000Z',
      countedAt: '2026-11-20T16:30:00.000Z',
      source: 'touch',
      misuse: false
    }
  )

  const pages: string[][] = []
  let cursor: string | null = null
  do {
    const page = await list(`&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`)
    t.equal(page.statusCode, 200)
    pages.push(ids(page))
    cursor = page.json().nextCursor
  } while (cursor !== null && pages.length < 10)
  t.same(pages, [sameInstant, [c, b], [a]], 'pages of two cover every rating once')

  t.same(ids(await list('&includeMisuse=true')), [...sameInstant, misuse, c, b, a])
  t.same(ids(await list(`&counterId=${centre.counterIds[1]}`)), [b])
  t.same(ids(await list(`&officerId=${centre.officers[0]!.id}`)), [...sameInstant, a])
  t.same(ids(await list('&from=2026-11-20&to=2026-11-20')), [b, a], 'a day is a whole day in Hà Nội time')
  t.same(ids(await list('&from=2026-11-21T02:00:00.000Z')), sameInstant)

  const bad: Array<[string, number, string]> = [
    ['&cursor=bm90LWEtY3Vyc29y', 400, 'INVALID_CURSOR'],
    ['&limit=201', 400, 'VALIDATION_FAILED'],
    ['&limit=0', 400, 'VALIDATION_FAILED'],
    ['&from=2026-11-22&to=2026-11-21', 400, 'RANGE_INVALID'],
    ['&officerId=nobody', 400, 'VALIDATION_FAILED'],
    [`&counterId=${other.counterIds[0]}`, 404, 'COUNTER_NOT_FOUND'],
    [`&officerId=${other.officers[0]!.id}`, 404, 'OFFICER_NOT_FOUND']
  ]
  for (const [query, status, code] of bad) {
    const response = await list(query)
    t.equal(response.statusCode, status, query)
    t.equal(response.json().code, code, query)
  }
  const outside = await app.inject({ url: `/api/v1/ratings?unitId=${other.centreId}`, cookies: supervisor })
  t.equal(outside.statusCode, 404)
  t.equal(outside.json().code, 'UNIT_NOT_FOUND')
  t.notOk(
    ids(await app.inject({ url: '/api/v1/ratings', cookies: supervisor })).includes(foreign),
    'the whole scope holds nothing of another centre'
  )
  t.equal((await app.inject({ url: '/api/v1/ratings' })).statusCode, 401)

  // An officer user sees only the ratings credited to itself.
  const officer = await signIn(await seedUser(app.db, 'officer', centre.centreId, { officerId: centre.officers[1]!.id }))
  t.same(ids(await app.inject({ url: '/api/v1/ratings', cookies: officer })), [b])
  t.equal(
    (await app.inject({ url: `/api/v1/ratings?officerId=${centre.officers[0]!.id}`, cookies: officer })).json().code,
    'OFFICER_NOT_FOUND'
  )
})

t.test("an officer's shifts: newest first with the counter, scoped", async (t) => {
  const centre = await seedCentre(app.db)
  const other = await seedCentre(app.db)
  const officerId = centre.officers[0]!.id
  const shift = (counter: number, startedAt: string, endedAt: string | null) =>
    app.db
      .insertInto('assignments')
      .values({
        unit_id: centre.centreId,
        counter_id: centre.counterIds[counter]!,
        officer_id: officerId,
        started_at: startedAt,
        ended_at: endedAt
      })
      .execute()
  await shift(0, '2026-11-19T01:00:00.000Z', '2026-11-19T09:00:00.000Z')
  await shift(1, '2026-11-20T01:00:00.000Z', null)
  await app.db
    .insertInto('assignments')
    .values({
      unit_id: centre.centreId,
      counter_id: centre.counterIds[0]!,
      officer_id: centre.officers[1]!.id,
      started_at: '2026-11-20T01:00:00.000Z',
      ended_at: null
    })
    .execute()
  const supervisor = await signIn(await seedUser(app.db, 'supervisor', centre.centreId))

  const listed = await app.inject({ url: `/api/v1/officers/${officerId}/assignments`, cookies: supervisor })
  t.equal(listed.statusCode, 200, listed.body)
  t.same(
    listed.json().items.map((item: Record<string, unknown>) => [item.counterNumber, item.counterName, item.startedAt, item.endedAt]),
    [
      [2, 'Quầy 2', '2026-11-20T01:00:00.000Z', null],
      [1, 'Quầy 1', '2026-11-19T01:00:00.000Z', '2026-11-19T09:00:00.000Z']
    ],
    "newest first, the open shift without an end, only this officer's"
  )
  t.same((await app.inject({ url: `/api/v1/officers/${officerId}/assignments?limit=1`, cookies: supervisor })).json().items.length, 1)
  t.equal(
    (await app.inject({ url: `/api/v1/officers/${officerId}/assignments?limit=500`, cookies: supervisor })).json().code,
    'VALIDATION_FAILED'
  )
  t.equal((await app.inject({ url: '/api/v1/officers/not-an-id/assignments', cookies: supervisor })).statusCode, 400)

  const outsider = await signIn(await seedUser(app.db, 'supervisor', other.centreId))
  const hidden = await app.inject({ url: `/api/v1/officers/${officerId}/assignments`, cookies: outsider })
  t.equal(hidden.statusCode, 404)
  t.equal(hidden.json().code, 'OFFICER_NOT_FOUND')
  t.equal((await app.inject({ url: `/api/v1/officers/${randomUUID()}/assignments`, cookies: supervisor })).statusCode, 404)

  const self = await signIn(await seedUser(app.db, 'officer', centre.centreId, { officerId }))
  t.equal(
    (await app.inject({ url: `/api/v1/officers/${officerId}/assignments`, cookies: self })).json().items.length,
    2,
    'an officer sees its own shifts'
  )
  t.equal(
    (await app.inject({ url: `/api/v1/officers/${centre.officers[1]!.id}/assignments`, cookies: self })).statusCode,
    404,
    "and nobody else's"
  )
})
