// The demo a newcomer sees: a living centre with a month of ratings in working hours, added once and only on request.
import t from 'tap'
import { sql } from 'kysely'
import { seedDemo } from '../../api/demo/seed.ts'
import { build } from '../helper.ts'

t.test('the demo seeds a centre with counters, officers, terminals and a month of ratings in working hours', async (t) => {
  const app = await build(t)
  t.equal((await app.db.selectFrom('ratings').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n, 0, 'nothing before it is asked for')
  const now = new Date('2026-11-27T08:00:00Z') // a Friday, 15:00 in Vietnam
  const result = await seedDemo(app.db, now, app.config.pairingSecret!)
  t.equal(result.created, true)
  t.ok(result.ratings > 3000, `${result.ratings} ratings`)
  t.match(result.pairingCode, /^\d{8}$/)

  const units = await app.db.selectFrom('units').select(['name', 'kind']).execute()
  t.ok(units.some((unit) => unit.kind === 'province' && unit.name === 'Tỉnh Tây Ninh'))
  t.ok(units.some((unit) => unit.kind === 'centre' && unit.name === 'Trung tâm Phục vụ hành chính công phường Tân Ninh'))
  t.equal((await app.db.selectFrom('counters').select('id').execute()).length, 6)
  t.equal((await app.db.selectFrom('officers').select('id').execute()).length, 10)
  t.equal((await app.db.selectFrom('terminals').select('id').where('paired_at', 'is not', null).execute()).length, 6, 'a paired terminal per counter')

  const hours = await sql<{ hour: number, n: number }>`select extract(hour from counted_at at time zone 'Asia/Ho_Chi_Minh')::int as hour, count(*)::int as n from ratings group by 1 order by 1`.execute(app.db)
  const byHour = new Map(hours.rows.map((row) => [row.hour, row.n]))
  t.notOk(byHour.has(12), 'nobody is served over lunch')
  t.notOk([...byHour.keys()].some((hour) => hour < 7 || hour > 16), 'only in working hours')
  t.ok(byHour.get(9)! > byHour.get(7)!, 'the morning peak is busier than opening time')
  const sundays = await sql<{ n: number }>`select count(*)::int as n from ratings where extract(isodow from counted_at at time zone 'Asia/Ho_Chi_Minh') = 7`.execute(app.db)
  t.equal(sundays.rows[0]!.n, 0, 'closed on Sundays')
  const credited = await sql<{ n: number }>`select count(*)::int as n from ratings r where not exists (select 1 from assignments a where a.counter_id = r.counter_id and a.officer_id = r.officer_id and a.started_at <= r.counted_at and (a.ended_at is null or a.ended_at > r.counted_at))`.execute(app.db)
  t.equal(credited.rows[0]!.n, 0, 'every rating is credited to the officer on shift')
  const unsatisfied = await app.db.selectFrom('ratings').select((eb) => eb.fn.countAll<number>().as('n')).where('category', '=', 'unsatisfied').executeTakeFirstOrThrow()
  const cases = await app.db.selectFrom('cases').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  t.equal(cases.n, unsatisfied.n, 'a case for every unsatisfied rating')

  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: result.supervisor.username, password: result.supervisor.password } })
  t.equal(login.statusCode, 200, 'the printed supervisor can sign in')

  const again = await seedDemo(app.db, now, app.config.pairingSecret!)
  t.equal(again.created, false, 'a second run adds nothing')
})
