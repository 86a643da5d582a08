// Rate later from a phone (issue 17): a terminal issues a single-use receipt code; the phone reads the visit and rates
// it once, credited to the counter and officer of the code, counted when given; expiry per unit; limits; scope.
import t from 'tap'
import { build } from '../helper.ts'
import { redactUrl } from '../../api/logging.ts'
import { rateOnTerminal, seedAssignment, seedCentre, seedUser, signIn, type SeededCentre } from '../fixtures.ts'
import { RECEIPT_ALPHABET, RECEIPT_CODE_LENGTH, deleteExpiredReceipts, receiptCodeHash } from '../../api/services/receipts.ts'
import { RECEIPT_RATINGS_PER_MINUTE, RECEIPT_READS_PER_MINUTE } from '../../api/routes/receipts/index.ts'

type App = Awaited<ReturnType<typeof build>>
const DAY = 86400_000

let address = 0
/** Each call from its own address, unless one is given: the routes are rate-limited per address. */
const from = (remoteAddress?: string) => ({ remoteAddress: remoteAddress ?? `10.77.${(++address >> 8) & 255}.${address & 255}` })

async function issue (app: App, centre: SeededCentre, payload: Record<string, unknown> = {}) {
  const response = await app.inject({
    method: 'POST', url: '/api/v1/terminal/receipt-codes', headers: { authorization: `Bearer ${centre.terminal.token}` }, payload
  })
  if (response.statusCode !== 201) throw new Error(`issue failed: ${response.body}`)
  return response.json() as { code: string, url: string, expiresAt: string, qrSvg: string }
}
const view = (app: App, code: string, remoteAddress?: string) =>
  app.inject({ method: 'GET', url: `/api/v1/receipts/${code}`, ...from(remoteAddress) })
const rate = (app: App, code: string, payload: Record<string, unknown>, remoteAddress?: string) =>
  app.inject({ method: 'POST', url: `/api/v1/receipts/${code}/rating`, payload, ...from(remoteAddress) })

t.test('a terminal issues a code with its link, expiry and QR code; the phone reads the visit', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  await seedAssignment(app.db, centre.terminal.counterId, centre.officers[0]!.id)
  const before = Date.now()
  const issued = await issue(app, centre, { ticket: 'A-1023', dossierCode: '000.00.12.H56-261130-0042' })
  t.match(issued.code, new RegExp(`^[${RECEIPT_ALPHABET}]{${RECEIPT_CODE_LENGTH}}$`), 'no ambiguous characters')
  t.ok(RECEIPT_CODE_LENGTH * Math.log2(RECEIPT_ALPHABET.length) >= 64, 'at least 64 random bits')
  t.match(issued.url, new RegExp(`^http://localhost(:80)?/r/${issued.code}$`), 'the link on the host the terminal called')
  const days = (Date.parse(issued.expiresAt) - before) / DAY
  t.ok(days > 6.99 && days < 7.01, `valid 7 days by default (${days.toFixed(3)})`)
  t.match(issued.qrSvg, /^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/, 'the QR code as SVG')
  const stored = await app.db.selectFrom('receipt_codes').selectAll().execute()
  t.equal(stored.length, 1)
  t.equal(stored[0]!.code_hash, receiptCodeHash(issued.code), 'only the hash is stored')
  t.notOk(JSON.stringify(stored).includes(issued.code), 'the code itself is nowhere in the row')
  t.equal(issued.code, issued.code.toUpperCase())

  const seen = await view(app, issued.code.toLowerCase())
  t.equal(seen.statusCode, 200, 'the code reads in either case')
  const body = seen.json()
  t.equal(body.status, 'open')
  t.match(body.visit, {
    unitName: 'Trung tâm Phục vụ hành chính công 1'.replace(' 1', ` ${body.visit.unitName.split(' ').at(-1)}`),
    counterNumber: 1,
    officer: { fullName: centre.officers[0]!.fullName },
    ticket: 'A-1023'
  })
  t.equal(body.visit.scale.length, 4, 'the scale')
  t.equal(body.visit.criteria.length, 8, 'the criteria')
  t.ok(body.visit.followUp.reasons.length > 0 && body.visit.followUp.consent.version, 'the follow-up question and its consent')
  for (const id of [centre.centreId, centre.terminal.counterId, centre.officers[0]!.id, centre.terminal.id]) {
    t.notOk(seen.body.includes(id), 'no id of the unit, counter, officer or terminal is revealed')
  }
  t.notOk(seen.body.includes('000.00.12.H56'), 'nor the dossier code')
})

t.test('a phone rating is stored once, as phone, for the counter and officer of the code, counted now', async (t) => {
  const app = await build(t, { misuse: { cooldownSeconds: 600, burstCount: 1, burstWindowSeconds: 3600 } })
  const centre = await seedCentre(app.db)
  await seedAssignment(app.db, centre.terminal.counterId, centre.officers[0]!.id)
  const issued = await issue(app, centre, { ticket: 'B-7', dossierCode: 'H56-0042' })
  // The officer hands over before the citizen rates: the rating still goes to the one who served.
  await app.db.updateTable('assignments').set({ ended_at: new Date() }).where('ended_at', 'is', null).execute()
  await seedAssignment(app.db, centre.terminal.counterId, centre.officers[1]!.id, new Date())
  // A press at the counter a moment ago: a phone rating is no press, so no cooldown applies to it.
  await rateOnTerminal(app, centre.terminal.token, [{ level: 4, secondsAgo: 1 }])

  const before = Date.now()
  const answer = { level: 1, criteria: { xin_chao: true, luon_mim_cuoi: 'na' }, followUp: { reason: 'wait' } }
  const [one, two] = await Promise.all([rate(app, issued.code, answer), rate(app, issued.code, answer)])
  t.same([one.statusCode, two.statusCode].sort(), [201, 409], 'two submits at once: one stored, the other told it is used')
  const refused = one.statusCode === 409 ? one : two
  t.equal(refused.json().code, 'RECEIPT_USED')
  const phone = await app.db.selectFrom('ratings').selectAll().where('source', '=', 'phone').execute()
  t.equal(phone.length, 1, 'exactly one phone rating')
  const row = phone[0]!
  t.equal(row.counter_id, centre.terminal.counterId)
  t.equal(row.officer_id, centre.officers[0]!.id, 'credited to the officer on shift when the code was issued')
  t.equal(row.ticket, 'B-7')
  t.equal(row.dossier_code, 'H56-0042')
  t.equal(row.misuse, false, 'no cooldown or burst misuse for a phone rating')
  t.ok(row.counted_at.getTime() >= before - 1000 && row.counted_at.getTime() <= Date.now() + 1000, 'counted when it is given')

  const again = await rate(app, issued.code, { level: 4 })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'RECEIPT_USED')
  t.same((await view(app, issued.code)).json(), { status: 'used' }, 'the link then answers used, and nothing else')
  t.equal((await app.db.selectFrom('ratings').select('id').execute()).length, 2, 'nothing more stored')

  t.equal(row.level, 1)
  t.same(row.criteria, { xin_chao: true, luon_mim_cuoi: 'na' }, 'the criteria, "Không áp dụng" included')
  const cases = await app.db.selectFrom('cases').select(['rating_id', 'reason', 'officer_id']).where('rating_id', '=', row.id).execute()
  t.same(cases, [{ rating_id: row.id, reason: 'wait', officer_id: centre.officers[0]!.id }], 'the follow-up answer goes onto its case')
})

t.test('expiry: 410 after the unit\'s days; per unit, inherited from the parent; set by an admin', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const patch = (unitId: string, receiptDays: unknown) =>
    app.inject({ method: 'PATCH', url: `/api/v1/units/${unitId}`, cookies: admin, payload: { receiptDays } })
  t.equal((await patch(centre.provinceId, 2)).json().receiptDays, 2)
  for (const bad of [0, 91, 1.5, 'x']) {
    const response = await patch(centre.centreId, bad)
    t.equal(response.statusCode, 400, `receiptDays ${JSON.stringify(bad)} is refused`)
  }
  const inherited = await issue(app, centre)
  const days = (Date.parse(inherited.expiresAt) - Date.now()) / DAY
  t.ok(days > 1.99 && days <= 2, 'the province\'s 2 days hold at the centre')
  t.equal((await patch(centre.centreId, 30)).json().receiptDays, 30)
  const own = await issue(app, centre)
  t.ok((Date.parse(own.expiresAt) - Date.now()) / DAY > 29.99, 'the centre\'s own 30 days')
  t.equal((await patch(centre.centreId, null)).json().receiptDays, null, 'null: as the parent again')

  await app.db.updateTable('receipt_codes').set({ expires_at: new Date(Date.now() - 1000) } as never)
    .where('code_hash', '=', receiptCodeHash(inherited.code)).execute()
  t.same((await view(app, inherited.code)).json(), { status: 'expired' })
  const late = await rate(app, inherited.code, { level: 4 })
  t.equal(late.statusCode, 410)
  t.equal(late.json().code, 'RECEIPT_EXPIRED')
  t.equal((await app.db.selectFrom('ratings').select('id').execute()).length, 0, 'nothing stored')
})

t.test('bad codes and bad ratings: a 4xx with a code, nothing stored, never a 5xx', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const issued = await issue(app, centre)
  for (const code of ['ABCDEFGHJKMNPQ', 'short', 'O0O0O0O0O0O0O0', '%E2%9C%93', 'x'.repeat(64)]) {
    const seen = await view(app, code)
    t.equal(seen.statusCode, 404, `GET ${code}`)
    t.equal(seen.json().code, 'RECEIPT_NOT_FOUND')
    const rated = await rate(app, code, { level: 4 })
    t.equal(rated.statusCode, 404, `POST ${code}`)
  }
  t.equal((await view(app, 'x'.repeat(65))).statusCode, 400, 'too long to be a code')
  for (const [payload, code] of [
    [{ level: 9 }, 'LEVEL_UNKNOWN'],
    [{ level: 4, criteria: { nope: true } }, 'CRITERION_UNKNOWN'],
    [{}, 'VALIDATION_FAILED']
  ] as const) {
    const response = await rate(app, issued.code, payload)
    t.equal(response.statusCode, 400, JSON.stringify(payload))
    t.equal(response.json().code, code)
  }
  t.equal((await view(app, issued.code)).json().status, 'open', 'a refused rating leaves the code open')
  // The body names no counter: one sent anyway is dropped, and the code is for the terminal's own counter.
  const extra = await app.inject({
    method: 'POST',
    url: '/api/v1/terminal/receipt-codes',
    headers: { authorization: `Bearer ${centre.terminal.token}` },
    payload: { counterId: centre.counterIds[1] }
  })
  t.equal(extra.statusCode, 201)
  const forExtra = await app.db.selectFrom('receipt_codes').select('counter_id')
    .where('code_hash', '=', receiptCodeHash(extra.json().code)).executeTakeFirstOrThrow()
  t.equal(forExtra.counter_id, centre.terminal.counterId, 'a terminal cannot issue for another counter')
  // Nor can the phone choose whom it credits.
  const credited = await rate(app, issued.code, { level: 4, officerId: centre.officers[1]!.id })
  t.equal(credited.statusCode, 201)
  const row = await app.db.selectFrom('ratings').select('officer_id').executeTakeFirstOrThrow()
  t.equal(row.officer_id, null, 'no officer was on shift at issue: an officerId sent from the phone is ignored')
  const bare = await app.inject({
    method: 'POST', url: '/api/v1/terminal/receipt-codes', headers: { authorization: `Bearer ${centre.terminal.token}` }
  })
  t.equal(bare.statusCode, 201, 'a visit without ticket or dossier needs no body')
  const noToken = await app.inject({ method: 'POST', url: '/api/v1/terminal/receipt-codes', payload: {} })
  t.equal(noToken.statusCode, 401)
  t.equal((await app.db.selectFrom('receipt_codes').select('code_hash').execute()).length, 3, 'no code issued by a refusal')
})

t.test('the receipt routes are rate-limited per address', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const issued = await issue(app, centre)
  const reads = []
  for (let i = 0; i < RECEIPT_READS_PER_MINUTE; i++) reads.push((await view(app, issued.code, '10.66.0.1')).statusCode)
  t.same(new Set(reads), new Set([200]))
  const over = await view(app, issued.code, '10.66.0.1')
  t.equal(over.statusCode, 429)
  t.equal(over.json().code, 'RATE_LIMITED')
  t.equal((await view(app, issued.code, '10.66.0.2')).statusCode, 200, 'another address is not held back')
  for (let i = 0; i < RECEIPT_RATINGS_PER_MINUTE; i++) await rate(app, 'ABCDEFGHJKMNPQ', { level: 4 }, '10.66.0.3')
  const guessing = await rate(app, issued.code, { level: 4 }, '10.66.0.3')
  t.equal(guessing.statusCode, 429, 'guessing codes from one address is cut off')
  t.equal(guessing.json().code, 'RATE_LIMITED')
  t.equal((await view(app, issued.code)).json().status, 'open', 'and stored nothing')
})

t.test('codes are deleted 30 days after they expire', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const old = await issue(app, centre)
  const recent = await issue(app, centre)
  const expire = (code: string, daysAgo: number) => app.db.updateTable('receipt_codes')
    .set({ expires_at: new Date(Date.now() - daysAgo * DAY) } as never).where('code_hash', '=', receiptCodeHash(code)).execute()
  await expire(old.code, 31)
  await expire(recent.code, 29)
  t.equal(await deleteExpiredReceipts(app.db), 1)
  t.equal((await view(app, old.code)).statusCode, 404, 'long gone')
  t.same((await view(app, recent.code)).json(), { status: 'expired' }, 'still says expired')
})

t.test('a receipt code never reaches a log line: its path is redacted like a token', async (t) => {
  t.equal(redactUrl('/r/ABCDEFGHJKMNPQ'), '/r/[REDACTED]')
  t.equal(redactUrl('/api/v1/receipts/ABCDEFGHJKMNPQ'), '/api/v1/receipts/[REDACTED]')
  t.equal(redactUrl('/api/v1/receipts/ABCDEFGHJKMNPQ/rating?token=x'), '/api/v1/receipts/[REDACTED]/rating?token=[REDACTED]')
  t.equal(redactUrl('/api/v1/terminal/receipt-codes'), '/api/v1/terminal/receipt-codes', 'the issuing route holds no code')
})
