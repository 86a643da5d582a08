// Officer sign-in at a terminal (issue 13 §2): own unit only, an atomic PIN lockout, limits per terminal,
// unknown and locked staff codes alike, and no shift on an inactive counter.
import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.ts'
import { seedAssignment, seedCentre, type SeededCentre } from '../fixtures.ts'
import { hashToken, newToken } from '../../api/lib/secrets.ts'

let address = 0
/** Each call from its own address: only the per-terminal limit can be what stops a request. */
const nextAddress = (): string => `10.13.${Math.floor(++address / 250)}.${address % 250}`

function signInAt (app: FastifyInstance, token: string, staffCode: string, pin: string, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'PUT',
    url: '/api/v1/terminal/officer',
    remoteAddress: nextAddress(),
    headers: { authorization: `Bearer ${token}`, ...headers },
    payload: { staffCode, pin }
  })
}

/** Another paired terminal at the centre's first counter: each has its own per-terminal limit. */
async function extraTerminal (app: FastifyInstance, centre: SeededCentre): Promise<string> {
  const token = newToken('hlt')
  await app.db
    .insertInto('terminals')
    .values({
      unit_id: centre.centreId,
      counter_id: centre.counterIds[0]!,
      kind: 'touch',
      name: 'Máy phụ',
      token_hash: hashToken(token),
      pairing_code_hash: null,
      pairing_expires_at: null,
      paired_at: new Date(),
      revoked_at: null,
      last_seen_at: null
    })
    .execute()
  return token
}

const pinState = (app: FastifyInstance, officerId: string) =>
  app.db.selectFrom('officers').select(['pin_failures', 'pin_locked_until']).where('id', '=', officerId).executeTakeFirstOrThrow()

t.test(
  "a terminal signs in only officers of its own unit: centre B's codes are unknown at A and B's officers keep their shift and their PIN count",
  async (t) => {
    const app = await build(t)
    const a = await seedCentre(app.db)
    const b = await seedCentre(app.db)
    const [b1, b2] = b.officers as [SeededCentre['officers'][0], SeededCentre['officers'][0]]
    await seedAssignment(app.db, b.counterIds[0]!, b1.id)

    const stolen = await signInAt(app, a.terminal.token, b1.staffCode, b1.pin)
    t.equal(stolen.statusCode, 401, "B's officer with the right PIN is refused at A")
    t.equal(stolen.json().code, 'INVALID_CREDENTIALS')
    const atB = await app.db.selectFrom('assignments').select(['counter_id', 'ended_at']).where('officer_id', '=', b1.id).execute()
    t.same(atB, [{ counter_id: b.counterIds[0], ended_at: null }], "B001's shift at B goes on")
    t.equal(
      (await app.inject({ url: '/api/v1/terminal/state', headers: { authorization: `Bearer ${a.terminal.token}` } })).json().officer,
      null,
      'nobody signed in at A'
    )

    for (let i = 0; i < 6; i++) await signInAt(app, a.terminal.token, b2.staffCode, '0000')
    t.same(await pinState(app, b2.id), { pin_failures: 0, pin_locked_until: null }, 'wrong PINs at A do not count against B002')
    const own = await signInAt(app, b.terminal.token, b2.staffCode, b2.pin)
    t.equal(own.statusCode, 200, 'B002 still signs in at B')
    t.equal(own.json().id, b2.id)

    // The staff code is matched in any letter case, within the unit only.
    const mine = await signInAt(app, a.terminal.token, a.officers[0]!.staffCode.toLowerCase(), a.officers[0]!.pin)
    t.equal(mine.statusCode, 200, "A's own officer signs in at A")
  }
)

t.test(
  '20 concurrent wrong PINs: at most 5 are judged, the rest are 423, the lock holds and the right PIN sent last is refused',
  async (t) => {
    const app = await build(t)
    const centre = await seedCentre(app.db)
    const officer = centre.officers[0]!
    const requests = Array.from({ length: 20 }, (_, i) =>
      signInAt(app, centre.terminal.token, officer.staffCode, i === 19 ? officer.pin : String(9000 + i))
    )
    const answers = await Promise.all(requests)
    const statuses = answers.map((answer) => answer.statusCode)
    const judged = statuses.filter((status) => status === 401).length
    t.ok(judged <= 4, `at most 4 wrong PINs answered 401 before the lock (got ${judged}): ${statuses.join(' ')}`)
    t.equal(statuses.filter((status) => status === 423).length, 20 - judged, 'every other attempt is 423')
    t.equal(answers[19]!.statusCode, 423, 'the right PIN, sent last, finds the officer locked')
    t.equal(
      (await app.inject({ url: '/api/v1/terminal/state', headers: { authorization: `Bearer ${centre.terminal.token}` } })).json().officer,
      null,
      'nobody signed in'
    )
    const state = await pinState(app, officer.id)
    t.ok(
      state.pin_locked_until !== null && state.pin_locked_until.getTime() > Date.now() + 14 * 60_000,
      'locked for 15 minutes (no concurrent failure wrote null)'
    )
    const after = await signInAt(app, await extraTerminal(app, centre), officer.staffCode, officer.pin)
    t.equal(after.statusCode, 423, 'still locked for the right PIN, from another terminal too')
  }
)

t.test(
  "the per-terminal limit keys on the terminal, not on the Authorization header's spelling, and ?token= is no credential",
  async (t) => {
    const app = await build(t)
    const centre = await seedCentre(app.db, { officers: 4 })
    const token = centre.terminal.token
    const spellings = [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `Bearer  ${token}`, `Bearer\t${token}`]
    const statuses: number[] = []
    for (let i = 0; i < 24; i++) {
      // Staff codes that do not exist: no lockout gets in the way of counting.
      const response = await app.inject({
        method: 'PUT',
        url: '/api/v1/terminal/officer',
        remoteAddress: nextAddress(),
        headers: { authorization: spellings[i % spellings.length]! },
        payload: { staffCode: `KHONG-${i}`, pin: '0000' }
      })
      statuses.push(response.statusCode)
    }
    t.same(statuses.slice(0, 20), Array(20).fill(401), 'twenty attempts in the minute are judged')
    t.same(statuses.slice(20), [429, 429, 429, 429], 'then 429 whatever the header looks like')

    const viaQuery = await app.inject({
      method: 'PUT',
      url: `/api/v1/terminal/officer?token=${token}`,
      payload: { staffCode: 'X', pin: '0000' }
    })
    t.equal(viaQuery.statusCode, 401, '?token= does not authenticate a plain HTTP route')
    t.equal(viaQuery.json().code, 'TERMINAL_TOKEN_INVALID')
    const stateViaQuery = await app.inject({ url: `/api/v1/terminal/state?token=${token}` })
    t.equal(stateViaQuery.statusCode, 401, 'nor GET /terminal/state')
  }
)

t.test('an unknown staff code and a real one answer alike, locked or not, in status, code, message and time', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const officer = centre.officers[0]!
  const realTerminal = await extraTerminal(app, centre)
  const unknownTerminal = await extraTerminal(app, centre)
  const answer = (response: { statusCode: number; json: () => { code: string; message: string } }) => ({
    status: response.statusCode,
    code: response.json().code,
    message: response.json().message
  })

  const real: Array<ReturnType<typeof answer>> = []
  const unknown: Array<ReturnType<typeof answer>> = []
  const realMs: number[] = []
  const unknownMs: number[] = []
  // Interleaved, so the machine's load falls on both alike.
  for (let i = 0; i < 12; i++) {
    let started = performance.now()
    real.push(answer(await signInAt(app, realTerminal, officer.staffCode, '0000')))
    realMs.push(performance.now() - started)
    started = performance.now()
    unknown.push(answer(await signInAt(app, unknownTerminal, 'CB-KHONG-CO', '0000')))
    unknownMs.push(performance.now() - started)
  }
  t.same(unknown, real, 'the same answers in the same order')
  t.same(
    real.map((entry) => entry.status),
    [401, 401, 401, 401, ...Array(8).fill(423)],
    'four wrong PINs, then locked'
  )
  // The fastest of each: the machine's load only ever adds time, so the minimum shows what the path itself costs.
  const fastest = (values: number[]) => Math.min(...values)
  for (const [label, from, to] of [
    ['while counting', 0, 4],
    ['while locked', 5, 12]
  ] as const) {
    const a = fastest(realMs.slice(from, to))
    const b = fastest(unknownMs.slice(from, to))
    // No path may skip or add a scrypt verification (the slower path would then take 5–50 times as long); a query
    // more or less, and a loaded machine's noise (up to 2–3 times here), stay within the bound.
    t.ok(
      Math.abs(a - b) < Math.max(50, 0.8 * Math.max(a, b)),
      `${label}: a real code ${a.toFixed(1)} ms, an unknown one ${b.toFixed(1)} ms`
    )
  }
})

t.test("sign-in onto an inactive counter is 409 COUNTER_INACTIVE, as on the supervisor's route, and spends no PIN attempt", async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const officer = centre.officers[0]!
  await app.db.updateTable('counters').set({ active: false }).where('id', '=', centre.terminal.counterId).execute()
  const refused = await signInAt(app, centre.terminal.token, officer.staffCode, officer.pin)
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().code, 'COUNTER_INACTIVE')
  const wrongPin = await signInAt(app, centre.terminal.token, officer.staffCode, '0000')
  t.equal(wrongPin.json().code, 'COUNTER_INACTIVE', 'a wrong PIN gets the same answer')
  t.equal((await app.db.selectFrom('assignments').select('id').execute()).length, 0, 'no shift started')
  t.same(await pinState(app, officer.id), { pin_failures: 0, pin_locked_until: null }, 'no attempt counted')
})
