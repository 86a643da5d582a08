// The citizen's voice (issue 15): the follow-up answer (reason, call-back number with its consent) goes onto the case; the
// number is shown whole only in one case to admins and supervisors in scope, masked in their lists, never to officers and
// analysts, never in live events, exports or logs, and erased by the server a set number of days after resolution.
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import t from 'tap'
import pino from 'pino'
import WebSocket from 'ws'
import { buildApp } from '../../api/app.ts'
import { migratedDatabase, testConfig } from '../helper.ts'
import { postRatings, seedAssignment, seedCentre, seedUser, signIn } from '../fixtures.ts'
import { sql } from 'kysely'

let log = ''
const { db, drop } = await migratedDatabase()
const app = await buildApp({ config: testConfig(), db }, pino({ level: 'trace' }, new Writable({
  write (chunk, _encoding, done) {
    log += String(chunk)
    done()
  }
})))
t.teardown(async () => {
  await app.close()
  await drop()
})

const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString()
const post = (token: string, ratings: unknown[]) => postRatings(app, token, ratings)
const caseOf = (ratingId: string) =>
  app.db.selectFrom('cases').selectAll().where('rating_id', '=', ratingId).executeTakeFirst()

t.test('the terminal state carries the follow-up settings that hold: defaults, then a parent unit\'s, then the centre\'s own', async (t) => {
  const centre = await seedCentre(app.db)
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const bearer = { authorization: `Bearer ${centre.terminal.token}` }
  const state = async () => (await app.inject({ url: '/api/v1/terminal/state', headers: bearer })).json()

  const first = await state()
  t.same(first.followUp.reasons.map((reason: { labelVi: string }) => reason.labelVi), [
    'Chờ lâu', 'Thái độ', 'Hướng dẫn chưa rõ', 'Hồ sơ bị trả lại', 'Khác'])
  t.equal(first.followUp.askNeutral, false)
  t.equal(first.followUp.callBack, true)
  t.match(first.followUp.consent, { version: 'nd13-2026-11', textVi: /Nghị định số 13\/2023\/NĐ-CP/, textEn: /Decree 13\/2023/ })

  const provinceSettings = {
    reasons: [{ code: 'queue', labelVi: 'Xếp hàng lâu', labelEn: 'Long queue' }], askNeutral: true, callBack: false, phoneRetentionDays: 10
  }
  const put = await app.inject({
    method: 'PUT', url: `/api/v1/units/${centre.provinceId}/follow-up`, cookies: admin, payload: { settings: provinceSettings }
  })
  t.equal(put.statusCode, 200)
  t.same(put.json(), { own: provinceSettings, effective: provinceSettings })
  const inherited = await app.inject({ url: `/api/v1/units/${centre.centreId}/follow-up`, cookies: admin })
  t.same(inherited.json(), { own: null, effective: provinceSettings }, 'the centre inherits down the tree')
  t.match((await state()).followUp, { reasons: provinceSettings.reasons, askNeutral: true, callBack: false })

  const duplicate = await app.inject({
    method: 'PUT',
    url: `/api/v1/units/${centre.centreId}/follow-up`,
    cookies: admin,
    payload: { settings: { ...provinceSettings, reasons: [provinceSettings.reasons[0], provinceSettings.reasons[0]] } }
  })
  t.equal(duplicate.statusCode, 400)
  t.equal(duplicate.json().code, 'VALIDATION_FAILED')
  const badDays = await app.inject({
    method: 'PUT',
    url: `/api/v1/units/${centre.centreId}/follow-up`,
    cookies: admin,
    payload: { settings: { ...provinceSettings, phoneRetentionDays: 0 } }
  })
  t.equal(badDays.statusCode, 400)

  // A supervisor of the centre sets the centre's own; one of another centre cannot see it.
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const own = { ...provinceSettings, callBack: true }
  const putCentre = (cookies: Record<string, string>, settings: unknown) =>
    app.inject({ method: 'PUT', url: `/api/v1/units/${centre.centreId}/follow-up`, cookies, payload: { settings } })
  const mine = await putCentre(supervisor, own)
  t.equal(mine.statusCode, 200)
  t.equal((await state()).followUp.callBack, true)
  const other = await seedCentre(app.db)
  const stranger = await signIn(app, await seedUser(app.db, 'supervisor', other.centreId))
  const outside = await app.inject({ url: `/api/v1/units/${centre.centreId}/follow-up`, cookies: stranger })
  t.equal(outside.statusCode, 404)
  const analyst = await signIn(app, await seedUser(app.db, 'analyst', centre.centreId))
  t.equal((await putCentre(analyst, null)).statusCode, 403)

  await app.inject({ method: 'PUT', url: `/api/v1/units/${centre.centreId}/follow-up`, cookies: supervisor, payload: { settings: null } })
  t.equal((await state()).followUp.callBack, false, 'null: as the parent again')
})

t.test('the reason and the call-back number go onto the case with the consent; bad numbers are dropped, the rating kept', async (t) => {
  const centre = await seedCentre(app.db)
  await seedAssignment(app.db, centre.terminal.counterId, centre.officers[0]!.id)
  const ids = Array.from({ length: 8 }, () => randomUUID())
  const response = await post(centre.terminal.token, [
    { id: ids[0], level: 1, ratedAt: minutesAgo(20), followUp: { reason: 'wait', phone: '091 234 5678', consentVersion: 'nd13-2026-11' } },
    { id: ids[1], level: 1, ratedAt: minutesAgo(19), followUp: { reason: 'attitude' } },
    // Not a Vietnamese number, or no known consent: the number is dropped, never the rating.
    { id: ids[2], level: 1, ratedAt: minutesAgo(18), followUp: { reason: 'other', phone: '12345', consentVersion: 'nd13-2026-11' } },
    { id: ids[3], level: 1, ratedAt: minutesAgo(17), followUp: { phone: '0912345678' } },
    { id: ids[4], level: 1, ratedAt: minutesAgo(16), followUp: { phone: '+84 24 3825 1234', consentVersion: 'nd13-2026-11' } },
    // Satisfied: no case, the follow-up ignored. Neutral with an answer: a case.
    { id: ids[5], level: 4, ratedAt: minutesAgo(15), followUp: { reason: 'wait', phone: '0912345678', consentVersion: 'nd13-2026-11' } },
    { id: ids[6], level: 2, ratedAt: minutesAgo(14), followUp: { reason: 'guidance' } },
    { id: ids[7], level: 2, ratedAt: minutesAgo(13) }
  ])
  t.equal(response.statusCode, 200)
  t.same(response.json().results.map((result: { status: string }) => result.status), Array(8).fill('created'), 'every rating stored')

  const first = await caseOf(ids[0]!)
  t.match(first, { reason: 'wait', phone: '0912345678', consent_version: 'nd13-2026-11' })
  t.ok(first!.consent_at instanceof Date, 'when the consent was given is recorded')
  t.match(await caseOf(ids[1]!), { reason: 'attitude', phone: null, consent_version: null, consent_at: null })
  t.match(await caseOf(ids[2]!), { reason: 'other', phone: null })
  t.match(await caseOf(ids[3]!), { reason: null, phone: null }, 'a number without consent is not kept')
  t.match(await caseOf(ids[4]!), { phone: '02438251234' }, 'a landline with +84, normalised')
  t.equal(await caseOf(ids[5]!), undefined, 'a satisfied rating opens no case, whatever it carries')
  t.match(await caseOf(ids[6]!), { reason: 'guidance' }, 'a neutral rating with an answer opens a case')
  t.equal(await caseOf(ids[7]!), undefined, 'a neutral rating without one does not')

  // A replay with a different follow-up changes nothing.
  const replay = await post(centre.terminal.token, [{ id: ids[1], level: 1, ratedAt: minutesAgo(19), followUp: { reason: 'other' } }])
  t.equal(replay.json().results[0].status, 'duplicate')
  t.match(await caseOf(ids[1]!), { reason: 'attitude' })
  t.equal((await app.db.selectFrom('cases').select('id').where('rating_id', '=', ids[1]!).execute()).length, 1)

  // A follow-up of the wrong shape is the item's fault: rejected with a code, the others stored.
  const malformed = await post(centre.terminal.token, [{ id: randomUUID(), level: 1, ratedAt: minutesAgo(1), followUp: { reason: 5 } }])
  t.match(malformed.json().results[0], { status: 'rejected', error: { code: 'VALIDATION_FAILED' } })
})

t.test('the number: whole in one case and masked in lists for admins and supervisors in scope, never for others, never live', async (t) => {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const centre = await seedCentre(app.db)
  const supervisorUser = await seedUser(app.db, 'supervisor', centre.centreId)
  const supervisor = await signIn(app, supervisorUser)
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const analyst = await signIn(app, await seedUser(app.db, 'analyst', centre.centreId))
  await seedAssignment(app.db, centre.terminal.counterId, centre.officers[0]!.id)
  const officer = await signIn(app, await seedUser(app.db, 'officer', centre.centreId, { officerId: centre.officers[0]!.id }))
  const stranger = await signIn(app, await seedUser(app.db, 'supervisor', (await seedCentre(app.db)).centreId))

  const frames: string[] = []
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, { headers: { cookie: `hl_session=${supervisor.hl_session}` } })
  t.teardown(() => socket.close())
  socket.on('message', (data) => frames.push(String(data)))
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  await new Promise((resolve) => setTimeout(resolve, 100))

  const ratingId = randomUUID()
  await post(centre.terminal.token, [
    {
      id: ratingId,
      level: 1,
      ratedAt: minutesAgo(2),
      followUp: { reason: 'returned', phone: '0987654321', consentVersion: 'nd13-2026-11' }
    }
  ])
  const caseId = (await caseOf(ratingId))!.id
  const one = (cookies: Record<string, string>) => app.inject({ url: `/api/v1/cases/${caseId}`, cookies })
  const list = (cookies: Record<string, string>) => app.inject({ url: '/api/v1/cases?status=open', cookies })

  for (const [who, cookies] of [['supervisor', supervisor], ['admin', admin]] as const) {
    const whole = (await one(cookies)).json()
    t.match(whole, {
      phone: '0987654321',
      callBack: true,
      consentVersion: 'nd13-2026-11',
      reason: { code: 'returned', labelVi: 'Hồ sơ bị trả lại', labelEn: 'Dossier returned' }
    }, who)
    t.type(whole.consentAt, 'string')
    const item = (await list(cookies)).json().items.find((c: { id: string }) => c.id === caseId)
    t.equal(item.phone, '09******21', `${who}: masked in the list`)
  }
  for (const [who, cookies] of [['analyst', analyst], ['officer', officer]] as const) {
    const seen = (await one(cookies)).json()
    t.equal(seen.phone, null, `${who}: never the number`)
    t.equal(seen.callBack, true)
    t.equal(seen.reason.code, 'returned')
    t.notOk((await list(cookies)).body.includes('4321'), `${who}: not in the list either`)
  }
  t.equal((await one(stranger)).statusCode, 404, 'out of scope: no such case')

  const change = (payload: Record<string, unknown>) =>
    app.inject({ method: 'PATCH', url: `/api/v1/cases/${caseId}`, cookies: supervisor, payload })
  const assigned = await change({ assigneeId: supervisorUser.id })
  t.equal(assigned.json().phone, '09******21', 'a change answers as the lists show it')
  const resolved = await change({ status: 'resolved', note: 'Đã gọi lại, xin lỗi công dân' })
  t.equal(resolved.statusCode, 200)
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.ok(frames.some((frame) => frame.includes(caseId)), 'the case went out live')
  t.notOk(frames.some((frame) => frame.includes('0987654321') || frame.includes('09******21')), 'but never its number')

  const audit = await app.db.selectFrom('audit_log').select(sql<string>`coalesce(before::text, '') || coalesce(after::text, '')`.as('text'))
    .where('entity_id', '=', caseId).execute()
  t.ok(audit.length >= 2)
  t.notOk(audit.some((row) => row.text.includes('4321')), 'nor in the audit log')

  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)
  const csv = await app.inject({ url: `/api/v1/stats/summary?unitId=${centre.centreId}&from=${today}&to=${today}&format=csv`, cookies: admin })
  t.equal(csv.statusCode, 200, csv.body)
  t.match(csv.body, /1/, 'the CSV holds the rating')
  const ratings = await app.inject({ url: `/api/v1/ratings?unitId=${centre.centreId}`, cookies: admin })
  t.equal(ratings.statusCode, 200)
  t.ok(ratings.body.includes(ratingId), 'the ratings list holds the rating')
  t.notOk(csv.body.includes('4321') || ratings.body.includes('4321'), 'nor in the exports')
  t.notOk(log.includes('0987654321'), 'nor in any log line, at trace level')
})

t.test('numbers are erased their unit\'s retention after resolution, once, whichever process sweeps; open cases keep them', async (t) => {
  const centre = await seedCentre(app.db)
  await app.inject({
    method: 'PUT',
    url: `/api/v1/units/${centre.communeId}/follow-up`,
    cookies: await signIn(app, await seedUser(app.db, 'admin', null)),
    payload: { settings: { reasons: [], askNeutral: false, callBack: true, phoneRetentionDays: 7 } }
  })
  const other = await seedCentre(app.db)
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const ids: string[] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()]
  const withPhone = (id: string) => ({
    id, level: 1, ratedAt: minutesAgo(60 - ids.indexOf(id)), followUp: { phone: '0912000111', consentVersion: 'nd13-2026-11' }
  })
  await post(centre.terminal.token, [withPhone(ids[0]!), withPhone(ids[1]!), withPhone(ids[2]!)])
  await post(other.terminal.token, [withPhone(ids[3]!)])
  const resolvedDaysAgo = async (ratingId: string, days: number) => {
    await app.db.updateTable('cases')
      .set({ status: 'resolved', resolved_at: new Date(Date.now() - days * 86400_000), note: 'đã xử lý' })
      .where('rating_id', '=', ratingId).execute()
  }
  await resolvedDaysAgo(ids[0]!, 8) // past the commune's 7 days
  await resolvedDaysAgo(ids[1]!, 6) // within them
  // ids[2] stays open however old
  await resolvedDaysAgo(ids[3]!, 8) // the default 30 days hold elsewhere

  const [a, b] = await Promise.all([app.caseDeadlines.erasePhones(), app.caseDeadlines.erasePhones()])
  const erased = (await caseOf(ids[0]!))!
  t.same(a, [erased.id], 'only the case past its retention')
  t.same(b, a, 'two sweeps asked at once in one process run once')
  t.match(erased, { phone: null })
  t.ok(erased.phone_erased_at instanceof Date)
  t.equal((await caseOf(ids[1]!))!.phone, '0912000111')
  t.equal((await caseOf(ids[2]!))!.phone, '0912000111')
  t.equal((await caseOf(ids[3]!))!.phone, '0912000111')
  t.same(await app.caseDeadlines.erasePhones(), [], 'a second sweep finds nothing to do')

  // Another process's sweep (a second statement on the same database) erases nothing twice either.
  await resolvedDaysAgo(ids[1]!, 8)
  const { erasePhones } = await import('../../api/repositories/cases.ts')
  const both = await Promise.all([erasePhones(app.db), erasePhones(app.db)])
  t.same(both.flat(), [(await caseOf(ids[1]!))!.id], 'two sweeps at once: one erasure')

  const shown = (await app.inject({ url: `/api/v1/cases/${erased.id}`, cookies: supervisor })).json()
  t.match(shown, { phone: null, callBack: true })
  t.type(shown.phoneErasedAt, 'string')
})
