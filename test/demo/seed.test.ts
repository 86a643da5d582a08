// The demo a newcomer sees: two centres of a ward, 90 days of ratings in working hours and today up to now, alert rules on,
// open and resolved cases, misuse bursts, a pairing code that lasts, one salt per PIN; added once and only on request.
import t from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { DEMO_PAIRING_DAYS, seedDemo, type DemoResult } from '../../api/demo/seed.ts'
import { verifySecret } from '../../api/lib/secrets.ts'
import { build } from '../helper.ts'

const count = async (query: ReturnType<typeof sql<{ n: number }>>, db: Parameters<typeof query.execute>[0]): Promise<number> =>
  (await query.execute(db)).rows[0]!.n

const friday = new Date('2026-11-27T08:00:00Z') // a Friday, 15:00 in Vietnam

/**
 * The demo seeded once at `friday` on a fresh app, shared by the first two tests (the second only reads; the seed is
 * deterministic, so it sees what its own seed would have made). `before` is the ratings count just before seeding.
 */
let fridayDemo: Promise<{ app: FastifyInstance, before: number, result: DemoResult }> | null = null
function seededFriday (): NonNullable<typeof fridayDemo> {
  fridayDemo ??= (async () => {
    const app = await build(t)
    const before = (await app.db.selectFrom('ratings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n
    const result = await seedDemo(app.db, friday, app.config.pairingSecret!)
    return { app, before, result }
  })()
  return fridayDemo
}

t.test('the demo seeds two centres of a ward with 90 days of ratings in working hours, cases, misuse bursts and alert rules', async (t) => {
  const { app, before, result } = await seededFriday()
  t.equal(before, 0, 'nothing before it is asked for')
  const now = friday
  t.equal(result.created, true)
  t.ok(result.ratings > 15000, `${result.ratings} ratings`)
  t.match(result.pairingCode, /^\d{8}$/)

  const units = await app.db.selectFrom('units').select(['id', 'name', 'kind', 'parent_id']).execute()
  t.ok(units.some((unit) => unit.kind === 'province' && unit.name === 'Tỉnh Tây Ninh'))
  const ward = units.find((unit) => unit.kind === 'ward' && unit.name === 'Phường Tân Ninh')!
  const centres = units.filter((unit) => unit.kind === 'centre')
  t.equal(centres.length, 2, 'two centres')
  t.ok(
    centres.every((centre) => centre.parent_id === ward.id),
    'under one ward, so the unit comparison compares'
  )
  t.ok(centres.some((centre) => centre.name === 'Trung tâm Phục vụ hành chính công phường Tân Ninh'))
  t.equal((await app.db.selectFrom('counters').select('id').execute()).length, 9)
  t.equal((await app.db.selectFrom('officers').select('id').execute()).length, 15)
  t.equal(
    (await app.db.selectFrom('terminals').select('id').where('paired_at', 'is not', null).execute()).length,
    9,
    'a paired terminal per counter'
  )

  const days = await sql<{
    first: number
    centres: number
  }>`select floor(max(extract(epoch from (${now}::timestamptz - counted_at))) / 86400)::int as first, count(distinct unit_id)::int as centres from ratings`.execute(
    app.db
  )
  t.ok(
    days.rows[0]!.first >= 88,
    `ratings go back ${days.rows[0]!.first + 1} days of 90 (the first may be a Sunday): a previous period for a 45-day view, a quarter with shape`
  )
  t.equal(days.rows[0]!.centres, 2, 'both centres have ratings')

  // Past days (today is the exception, see below) keep working hours.
  const past = sql`counted_at < date_trunc('day', ${now}::timestamptz at time zone 'Asia/Ho_Chi_Minh') at time zone 'Asia/Ho_Chi_Minh'`
  const hours = await sql<{
    hour: number
    n: number
  }>`select extract(hour from counted_at at time zone 'Asia/Ho_Chi_Minh')::int as hour, count(*)::int as n from ratings where ${past} group by 1 order by 1`.execute(
    app.db
  )
  const byHour = new Map(hours.rows.map((row) => [row.hour, row.n]))
  t.notOk(byHour.has(12), 'nobody is served over lunch')
  t.notOk(
    [...byHour.keys()].some((hour) => hour < 7 || hour > 16),
    'only in working hours'
  )
  t.ok(byHour.get(9)! > byHour.get(7)!, 'the morning peak is busier than opening time')
  t.equal(
    await count(
      sql<{
        n: number
      }>`select count(*)::int as n from ratings where ${past} and extract(isodow from counted_at at time zone 'Asia/Ho_Chi_Minh') = 7`,
      app.db
    ),
    0,
    'closed on Sundays'
  )
  t.equal(
    await count(
      sql<{
        n: number
      }>`select count(*)::int as n from ratings r where not exists (select 1 from assignments a where a.counter_id = r.counter_id and a.officer_id = r.officer_id and a.started_at <= r.counted_at and (a.ended_at is null or a.ended_at > r.counted_at))`,
      app.db
    ),
    0,
    'every rating is credited to the officer on shift'
  )

  // "Không áp dụng": present, and mostly on apologising and asking permission (asked of everyone, seldom called for).
  const notApplicable = await sql<{ code: string, na: number, answered: number }>`select c.key as code,
      count(*) filter (where c.value = '"na"'::jsonb)::int as na, count(*)::int as answered
    from ratings r cross join lateral jsonb_each(r.criteria) c group by 1`.execute(app.db)
  const share = new Map(notApplicable.rows.map((row) => [row.code, row.na / row.answered]))
  t.ok(share.get('xin_loi')! > 0.4 && share.get('xin_phep')! > 0.4, `mostly N/A on xin_loi / xin_phep: ${JSON.stringify([...share])}`)
  t.ok(
    [...share].every(([code, part]) => code === 'xin_loi' || code === 'xin_phep' || (part > 0 && part < 0.1)),
    'a few on the other criteria'
  )

  const misuse = await sql<{
    reason: string
    n: number
  }>`select misuse_reason as reason, count(*)::int as n from ratings where misuse group by 1`.execute(app.db)
  t.ok(
    misuse.rows.length > 0 && misuse.rows.every((row) => ['cooldown', 'burst', 'ticket_repeat'].includes(row.reason)),
    `misuse bursts and repeated tickets: ${JSON.stringify(misuse.rows)}`
  )
  t.equal(
    misuse.rows.reduce((sum, row) => sum + row.n, 0),
    result.misuse
  )
  t.equal(
    await count(
      sql<{
        n: number
      }>`select count(*)::int as n from ratings r where category = 'unsatisfied' and not misuse and not exists (select 1 from cases c where c.rating_id = r.id)`,
      app.db
    ),
    0,
    'a case for every unsatisfied rating'
  )
  t.equal(
    await count(sql<{ n: number }>`select count(*)::int as n from cases c join ratings r on r.id = c.rating_id where r.misuse`, app.db),
    0,
    'none for misuse'
  )
  const cases = await sql<{ status: string; n: number }>`select status, count(*)::int as n from cases group by 1 order by 1`.execute(app.db)
  t.same(
    cases.rows.map((row) => row.status),
    ['open', 'resolved'],
    'open and resolved cases'
  )
  const story = await sql<{ state: string }>`
    select distinct case
      when status = 'resolved' and resolved_at <= due_at then 'resolved on time'
      when status = 'resolved' then 'resolved late'
      when status = 'open' and due_at < ${now} then 'overdue'
      else 'open' end as state from cases
    union select distinct case when assignee_id is not null then 'assigned' else 'nobody' end from cases where status = 'open'
    union select distinct kind from case_events`.execute(app.db)
  t.same(
    new Set(story.rows.map((row) => row.state)),
    new Set(['resolved on time', 'resolved late', 'overdue', 'open', 'assigned', 'nobody', 'resolved', 'reopened', 'contacted']),
    'the follow-up in every state: on time and late, overdue, taken or not, reopened, called back'
  )
  const voice = await sql<{ reasons: number; open_calls: number; erased: number; unconsented: number }>`select
      count(distinct reason)::int as reasons,
      count(*) filter (where status = 'open' and phone is not null)::int as open_calls,
      count(*) filter (where status = 'resolved' and phone is null and phone_erased_at is not null)::int as erased,
      count(*) filter (where (phone is not null or phone_erased_at is not null) and consent_version is null)::int as unconsented
    from cases`.execute(app.db)
  t.match(voice.rows[0], { reasons: 5, erased: Number, unconsented: 0 }, 'every reason, every number with its consent')
  t.ok(voice.rows[0]!.open_calls > 0 && voice.rows[0]!.erased > 0, 'open cases with a call-back, and older numbers already erased')
  const rules = await app.db.selectFrom('alert_rules').select(['unit_id', 'kind']).where('enabled', '=', true).execute()
  t.same(new Set(rules.map((rule) => rule.unit_id)), new Set(centres.map((centre) => centre.id)), 'alert rules on in both centres')

  const login = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: result.supervisor.username, password: result.supervisor.password }
  })
  t.equal(login.statusCode, 200, 'the printed supervisor can sign in')
  const cookie = `hl_session=${login.cookies.find((item) => item.name === 'hl_session')!.value}`
  const units2 = await app.inject({ method: 'GET', url: '/api/v1/stats/units?from=2026-08-30&to=2026-11-27', headers: { cookie } })
  t.equal(units2.statusCode, 200)
  const quarter = await app.inject({ method: 'GET', url: '/api/v1/stats/summary?from=2026-08-30&to=2026-11-27', headers: { cookie } })
  const counted = await count(sql<{ n: number }>`select count(*)::int as n from ratings where not misuse`, app.db)
  t.equal(quarter.json().total, counted, 'the rollups hold every rating the demo added (misuse left out)')

  const again = await seedDemo(app.db, now, app.config.pairingSecret!)
  t.equal(again.created, false, 'a second run adds nothing')
})

t.test('the demo\'s visits: queue calls at every counter, tickets and dossier codes on the ratings, repeats flagged', async (t) => {
  const { app, result } = await seededFriday()
  const now = friday
  t.match(result.queueToken, /^hlq_/, 'the ward\'s queue integration token is printed')
  const token = await app.db.selectFrom('api_tokens').select(['id', 'purpose']).where('purpose', '=', 'queue').executeTakeFirstOrThrow()
  const calls = await sql<{ counters: number, calls: number, future: number, other_token: number }>`
    select count(distinct counter_id)::int as counters, count(*)::int as calls,
      count(*) filter (where called_at > ${now})::int as future,
      count(*) filter (where token_id is distinct from ${token.id})::int as other_token
    from queue_calls`.execute(app.db)
  t.match(calls.rows[0], { counters: 9, future: 0, other_token: 0 }, `calls at all 9 counters none ahead ${JSON.stringify(calls.rows[0])}`)
  // The share of visits rated: ratings with a ticket ÷ tickets called.
  const share = await sql<{ rated: number, called: number }>`
    select (select count(*) from ratings where ticket is not null and not misuse)::int as rated,
      (select count(*) from queue_calls)::int as called`.execute(app.db)
  const visitsRated = share.rows[0]!.rated / share.rows[0]!.called
  t.ok(visitsRated > 0.6 && visitsRated < 0.9, `${(visitsRated * 100).toFixed(1)} % of the visits called were rated`)
  const rated = await sql<{ n: number }>`
    select count(*)::int as n from ratings r where r.ticket is not null and not exists (
      select 1 from queue_calls q where q.counter_id = r.counter_id and q.ticket = r.ticket and q.called_at <= r.rated_at
        and (q.dossier_code is not distinct from r.dossier_code)
        and q.called_at > r.rated_at - interval '1 hour')`.execute(app.db)
  t.equal(rated.rows[0]!.n, 0, 'every ticket on a rating was called to its counter shortly before, with the same dossier')
  const dossiers = await sql<{ codes: number, again: number, bad: number }>`
    select count(*)::int as codes, count(*) filter (where n > 1)::int as again,
      count(*) filter (where code !~ '^[A-Za-z0-9./-]{1,40}$')::int as bad
    from (select dossier_code as code, count(*) as n from ratings where dossier_code is not null and not misuse group by 1) d`
    .execute(app.db)
  t.ok(dossiers.rows[0]!.codes > 3000, `${dossiers.rows[0]!.codes} dossiers rated`)
  t.ok(dossiers.rows[0]!.again > 100, `${dossiers.rows[0]!.again} dossiers rated on more than one visit`)
  t.equal(dossiers.rows[0]!.bad, 0)
  const repeats = await sql<{ n: number, unmatched: number }>`
    select count(*)::int as n, count(*) filter (where not exists (
      select 1 from ratings f where f.unit_id = r.unit_id and f.ticket = r.ticket and not f.misuse and f.counted_at < r.counted_at
        and f.counted_at > r.counted_at - interval '10 minutes'))::int as unmatched
    from ratings r where misuse_reason = 'ticket_repeat'`.execute(app.db)
  t.ok(repeats.rows[0]!.n >= 5, `${repeats.rows[0]!.n} tickets rated twice, flagged ticket_repeat`)
  t.equal(repeats.rows[0]!.unmatched, 0, 'each follows the counted rating of its ticket by minutes')
  const ratingsWithout = await sql<{ n: number }>`select count(*)::int as n from ratings where ticket is null and not misuse`
    .execute(app.db)
  t.ok(ratingsWithout.rows[0]!.n > 0, 'a few ratings missed their call and carry no ticket')
})

t.test(
  "one salt per secret: every officer's PIN has its own salt; the pairing code lasts and the paired tablet is named as a tablet",
  async (t) => {
    const app = await build(t)
    const now = new Date()
    const result = await seedDemo(app.db, now, app.config.pairingSecret!)
    const officers = await app.db.selectFrom('officers').select(['staff_code', 'pin_hash']).execute()
    const salts = officers.map((officer) => officer.pin_hash!.split('$')[4])
    t.equal(new Set(salts).size, officers.length, 'no two officers share a salt')
    t.ok(await verifySecret(result.officerPin, officers[0]!.pin_hash!), "the printed PIN is each officer's PIN")
    t.ok(await verifySecret(result.officerPin, officers.at(-1)!.pin_hash!))

    t.ok(
      result.pairingExpiresAt!.getTime() - now.getTime() >= DEMO_PAIRING_DAYS * 24 * 3600_000 - 1000,
      `the pairing code lasts ${DEMO_PAIRING_DAYS} days`
    )
    const paired = await app.inject({ method: 'POST', url: '/api/v1/terminals/pair', payload: { pairingCode: result.pairingCode } })
    t.equal(paired.statusCode, 200, 'the printed pairing code pairs a device')
    const terminal = await app.db
      .selectFrom('terminals')
      .select('name')
      .where('id', '=', paired.json().terminalId)
      .executeTakeFirstOrThrow()
    t.notMatch(terminal.name, /chờ ghép nối/, `the paired tablet is "${terminal.name}"`)
  }
)

for (const [label, iso] of [
  ['Sunday 22:30', '2026-11-29T15:30:00Z'],
  ['03:10 at night', '2026-11-26T20:10:00Z'],
  ['07:05 on a Monday', '2026-11-30T00:05:00Z']
] as const) {
  t.test(`today has ratings up to the current hour whatever the time of day (${label})`, async (t) => {
    const app = await build(t)
    const now = new Date(iso)
    await seedDemo(app.db, now, app.config.pairingSecret!)
    const hourStart = new Date(Math.floor(now.getTime() / 3600_000) * 3600_000)
    const inHour = await count(
      sql<{ n: number }>`select count(*)::int as n from ratings where counted_at >= ${hourStart} and counted_at <= ${now}`,
      app.db
    )
    t.ok(inHour > 0, `${inHour} rating(s) in the current hour`)
    t.equal(
      await count(sql<{ n: number }>`select count(*)::int as n from ratings where counted_at > ${now}`, app.db),
      0,
      'none in the future'
    )
    t.equal(
      await count(
        sql<{
          n: number
        }>`select count(*)::int as n from ratings r where not exists (select 1 from assignments a where a.counter_id = r.counter_id and a.officer_id = r.officer_id and a.started_at <= r.counted_at and (a.ended_at is null or a.ended_at > r.counted_at))`,
        app.db
      ),
      0,
      'credited to the officer on shift'
    )
  })
}
