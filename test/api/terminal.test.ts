// The device side of the API: pairing, state, officer sign-in with lockout, revocation and live state.
import t from 'tap'
import WebSocket from 'ws'
import { build } from '../helper.ts'
import { seedCentre, seedUser, signIn } from '../fixtures.ts'

t.test('a supervisor creates a terminal; the device pairs once with its code', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const supervisor = await seedUser(app.db, 'supervisor', centre.centreId)
  const cookies = await signIn(app, supervisor)

  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/terminals',
    cookies,
    payload: { counterId: centre.counterIds[1], kind: 'touch' }
  })
  t.equal(created.statusCode, 201)
  const { terminal, pairingCode, pairingExpiresAt } = created.json()
  t.match(pairingCode, /^\d{8}$/, 'eight digits, easy to type on a tablet')
  t.equal(terminal.status, 'pairing')
  const minutes = (new Date(pairingExpiresAt).getTime() - Date.now()) / 60_000
  t.ok(minutes > 14 && minutes <= 15, 'expires in 15 minutes')

  const wrong = await app.inject({ method: 'POST', url: '/api/v1/terminals/pair', payload: { pairingCode: '00000000' } })
  t.equal(wrong.statusCode, 400)
  t.equal(wrong.json().code, 'PAIRING_CODE_INVALID')

  const paired = await app.inject({ method: 'POST', url: '/api/v1/terminals/pair', payload: { pairingCode } })
  t.equal(paired.statusCode, 200)
  t.equal(paired.json().terminalId, terminal.id)
  const token = paired.json().token as string
  t.match(token, /^hlt_/)

  const again = await app.inject({ method: 'POST', url: '/api/v1/terminals/pair', payload: { pairingCode } })
  t.equal(again.statusCode, 400, 'a code works once')

  const stored = await app.db
    .selectFrom('terminals')
    .select(['token_hash', 'pairing_code_hash'])
    .where('id', '=', terminal.id)
    .executeTakeFirstOrThrow()
  t.not(stored.token_hash, token, 'the token is stored hashed')
  t.equal(stored.pairing_code_hash, null)

  const state = await app.inject({ url: '/api/v1/terminal/state', headers: { authorization: `Bearer ${token}` } })
  t.equal(state.statusCode, 200)
  t.equal(state.json().counter.number, 2)

  const list = await app.inject({ url: '/api/v1/terminals', cookies })
  t.same(
    list
      .json()
      .items.map((item: { id: string; status: string }) => item.status)
      .sort(),
    ['paired', 'paired']
  )
})

t.test('an expired pairing code does not pair', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const admin = await seedUser(app.db, 'admin', null)
  const cookies = await signIn(app, admin)
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/terminals',
    cookies,
    payload: { counterId: centre.counterIds[0], kind: 'button' }
  })
  await app.db
    .updateTable('terminals')
    .set({ pairing_expires_at: new Date(Date.now() - 1000) })
    .where('id', '=', created.json().terminal.id)
    .execute()
  const paired = await app.inject({ method: 'POST', url: '/api/v1/terminals/pair', payload: { pairingCode: created.json().pairingCode } })
  t.equal(paired.statusCode, 400)
  t.equal(paired.json().code, 'PAIRING_CODE_INVALID')
})

t.test('pairing attempts are rate-limited', async (t) => {
  const app = await build(t)
  const codes: number[] = []
  for (let i = 0; i < 11; i++) {
    codes.push(
      (await app.inject({ method: 'POST', url: '/api/v1/terminals/pair', payload: { pairingCode: String(10000000 + i) } })).statusCode
    )
  }
  t.same(codes, [...Array(10).fill(400), 429])
})

t.test('terminal state: counter, centre, scale highest first, criteria in order', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const response = await app.inject({ url: '/api/v1/terminal/state', headers: { authorization: `Bearer ${centre.terminal.token}` } })
  t.equal(response.statusCode, 200)
  const state = response.json()
  t.equal(state.unit.id, centre.centreId)
  t.equal(state.officer, null, 'no officer signed in yet')
  t.same(
    state.scale.map((level: { level: number }) => level.level),
    [4, 3, 2, 1]
  )
  t.equal(state.scale[0].labelVi, 'Rất hài lòng')
  t.same(
    state.criteria.map((criterion: { code: string }) => criterion.code),
    ['xin_chao', 'xin_loi', 'xin_cam_on', 'xin_phep', 'luon_mim_cuoi', 'luon_nhe_nhang', 'luon_lang_nghe', 'luon_giup_do']
  )

  const noToken = await app.inject({ url: '/api/v1/terminal/state' })
  t.equal(noToken.statusCode, 401)
  t.equal(noToken.json().code, 'TERMINAL_TOKEN_INVALID')
})

t.test('officer sign-in and sign-out at the terminal; lockout after five wrong PINs', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const headers = { authorization: `Bearer ${centre.terminal.token}` }
  const officer = centre.officers[0]!

  const signedIn = await app.inject({
    method: 'PUT',
    url: '/api/v1/terminal/officer',
    headers,
    payload: { staffCode: officer.staffCode, pin: officer.pin }
  })
  t.equal(signedIn.statusCode, 200)
  t.equal(signedIn.json().fullName, officer.fullName)
  const state = await app.inject({ url: '/api/v1/terminal/state', headers })
  t.equal(state.json().officer.id, officer.id)

  const other = centre.officers[1]!
  for (let i = 0; i < 4; i++) {
    const wrong = await app.inject({
      method: 'PUT',
      url: '/api/v1/terminal/officer',
      headers,
      payload: { staffCode: other.staffCode, pin: '9999' }
    })
    t.equal(wrong.statusCode, 401)
    t.equal(wrong.json().code, 'INVALID_CREDENTIALS')
  }
  const fifth = await app.inject({
    method: 'PUT',
    url: '/api/v1/terminal/officer',
    headers,
    payload: { staffCode: other.staffCode, pin: '9999' }
  })
  t.equal(fifth.statusCode, 423)
  t.equal(fifth.json().code, 'OFFICER_LOCKED')
  t.match(fifth.json().message, /locked/)
  const rightButLocked = await app.inject({
    method: 'PUT',
    url: '/api/v1/terminal/officer',
    headers,
    payload: { staffCode: other.staffCode, pin: other.pin }
  })
  t.equal(rightButLocked.statusCode, 423, 'even the right PIN waits while locked')
  t.equal((await app.inject({ url: '/api/v1/terminal/state', headers })).json().officer.id, officer.id, 'the signed-in officer stays')

  const signOut = await app.inject({ method: 'DELETE', url: '/api/v1/terminal/officer', headers })
  t.equal(signOut.statusCode, 204)
  t.equal((await app.inject({ url: '/api/v1/terminal/state', headers })).json().officer, null)
  const shifts = await app.db.selectFrom('assignments').select(['officer_id', 'ended_at']).execute()
  t.equal(shifts.length, 1)
  t.not(shifts[0]!.ended_at, null, 'the shift has ended')
})

t.test('signing in at a second counter ends the shift at the first', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const admin = await seedUser(app.db, 'admin', null)
  const cookies = await signIn(app, admin)
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/terminals',
    cookies,
    payload: { counterId: centre.counterIds[1], kind: 'touch' }
  })
  const second = (
    await app.inject({ method: 'POST', url: '/api/v1/terminals/pair', payload: { pairingCode: created.json().pairingCode } })
  ).json().token
  const officer = centre.officers[0]!
  await app.inject({
    method: 'PUT',
    url: '/api/v1/terminal/officer',
    headers: { authorization: `Bearer ${centre.terminal.token}` },
    payload: { staffCode: officer.staffCode, pin: officer.pin }
  })
  await app.inject({
    method: 'PUT',
    url: '/api/v1/terminal/officer',
    headers: { authorization: `Bearer ${second}` },
    payload: { staffCode: officer.staffCode, pin: officer.pin }
  })
  t.equal(
    (await app.inject({ url: '/api/v1/terminal/state', headers: { authorization: `Bearer ${centre.terminal.token}` } })).json().officer,
    null
  )
  t.equal(
    (await app.inject({ url: '/api/v1/terminal/state', headers: { authorization: `Bearer ${second}` } })).json().officer.id,
    officer.id
  )
})

t.test('live state: sign-in is pushed to the terminal; revocation closes the socket and the token fails at once', async (t) => {
  const app = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const centre = await seedCentre(app.db)
  const admin = await seedUser(app.db, 'admin', null)
  const cookies = await signIn(app, admin)

  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/terminal/live`, [
    'hailong.terminal.v1',
    `hailong.token.${centre.terminal.token}`
  ])
  const messages: Array<{ type: string; state?: { officer: { id: string } | null } }> = []
  const waitFor = (predicate: () => boolean, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const started = Date.now()
      const timer = setInterval(() => {
        if (predicate()) {
          clearInterval(timer)
          resolve()
        } else if (Date.now() - started > 3000) {
          clearInterval(timer)
          reject(new Error(`timed out waiting for ${what}`))
        }
      }, 10)
    })
  let closeCode = 0
  socket.on('message', (data) => messages.push(JSON.parse(String(data))))
  socket.on('close', (code) => {
    closeCode = code
  })
  t.teardown(() => socket.close())
  await waitFor(() => messages.length >= 1, 'the first state')
  t.equal(messages[0]!.type, 'state')
  t.equal(messages[0]!.state!.officer, null)

  const officer = centre.officers[0]!
  const started = Date.now()
  await app.inject({
    method: 'PUT',
    url: '/api/v1/terminal/officer',
    headers: { authorization: `Bearer ${centre.terminal.token}` },
    payload: { staffCode: officer.staffCode, pin: officer.pin }
  })
  await waitFor(() => messages.some((message) => message.state?.officer?.id === officer.id), 'the officer push')
  t.ok(Date.now() - started < 1000, 'the officer shows within a second')

  const revoked = await app.inject({ method: 'POST', url: `/api/v1/terminals/${centre.terminal.id}/revoke`, cookies })
  t.equal(revoked.statusCode, 200)
  t.equal(revoked.json().status, 'revoked')
  await waitFor(() => closeCode !== 0, 'the socket to close')
  t.equal(closeCode, 4401)
  t.ok(messages.some((message) => message.type === 'revoked'))
  const refused = await app.inject({ url: '/api/v1/terminal/state', headers: { authorization: `Bearer ${centre.terminal.token}` } })
  t.equal(refused.statusCode, 401)
  t.equal(refused.json().code, 'TERMINAL_TOKEN_INVALID')
})

t.test('a supervisor cannot create or revoke terminals of another centre', async (t) => {
  const app = await build(t)
  const mine = await seedCentre(app.db)
  const theirs = await seedCentre(app.db)
  const supervisor = await seedUser(app.db, 'supervisor', mine.centreId)
  const cookies = await signIn(app, supervisor)
  const create = await app.inject({
    method: 'POST',
    url: '/api/v1/terminals',
    cookies,
    payload: { counterId: theirs.counterIds[0], kind: 'touch' }
  })
  t.equal(create.statusCode, 404)
  const revoke = await app.inject({ method: 'POST', url: `/api/v1/terminals/${theirs.terminal.id}/revoke`, cookies })
  t.equal(revoke.statusCode, 404)
  const analyst = await seedUser(app.db, 'analyst', mine.centreId)
  const analystCookies = await signIn(app, analyst)
  const forbidden = await app.inject({
    method: 'POST',
    url: '/api/v1/terminals',
    cookies: analystCookies,
    payload: { counterId: mine.counterIds[0], kind: 'touch' }
  })
  t.equal(forbidden.statusCode, 403)
  const list = await app.inject({ url: '/api/v1/terminals', cookies })
  t.same(
    list.json().items.map((item: { id: string }) => item.id),
    [mine.terminal.id]
  )
})
