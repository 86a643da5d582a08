// Alert rules and alerts: rules per unit in scope (audited), evaluated by the server on ingest with no screen open,
// one open alert per rule (and counter) until acknowledged, misuse never counted, pushed live to the unit's subtree.
import t from 'tap'
import { build } from '../helper.ts'
import { rateOnTerminal, seedCentre, seedUser, signIn } from '../fixtures.ts'
import type { LiveEvent } from '../../api/plugins/app/live.ts'

// One app for the file (a database per test costs seconds); each test seeds its own centres.
const app = await build(t)

/** Presses on the terminal, `secondsAgo` each (more than the cooldown apart, so none is misuse unless meant). */
async function press (token: string, presses: Array<[level: number, secondsAgo: number]>): Promise<void> {
  await rateOnTerminal(app, token, presses.map(([level, secondsAgo]) => ({ level, secondsAgo })))
  await app.alerts.settled()
}

/** Every distinct second of the test gets its own press time, moving forward, 70 s apart (no burst, no cooldown). */
let clock = 3000
const next = (): number => (clock -= 70)

async function alertRows (unitId: string) {
  return app.db.selectFrom('alerts').selectAll().where('unit_id', '=', unitId).orderBy('fired_at').execute()
}

t.test('rules: created, changed and deleted in scope, audited; bad input and other centres change nothing', async (t) => {
  const centre = await seedCentre(app.db)
  const other = await seedCentre(app.db)
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const analyst = await signIn(app, await seedUser(app.db, 'analyst', centre.provinceId))
  const outsider = await signIn(app, await seedUser(app.db, 'supervisor', other.centreId))

  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/alert-rules',
    cookies: supervisor,
    payload: { unitId: centre.centreId, kind: 'unsatisfied_streak', parameters: {} }
  })
  t.equal(created.statusCode, 201, created.body)
  const rule = created.json()
  t.match(rule, { unitId: centre.centreId, kind: 'unsatisfied_streak', parameters: { count: 3 }, enabled: true })
  const share = await app.inject({
    method: 'POST',
    url: '/api/v1/alert-rules',
    cookies: supervisor,
    payload: { unitId: centre.centreId, kind: 'unsatisfied_share', parameters: { thresholdPercent: 40 } }
  })
  t.same(share.json().parameters, { windowMinutes: 60, thresholdPercent: 40, minCount: 10 }, 'defaults fill what was left out')

  const before = await app.db.selectFrom('alert_rules').select('id').execute()
  const bad: Array<[Record<string, unknown>, number, string]> = [
    [{ unitId: centre.centreId, kind: 'unsatisfied_share', parameters: { count: 3 } }, 400, 'INVALID_RULE_PARAMETERS'],
    [{ unitId: centre.centreId, kind: 'unsatisfied_share', parameters: { thresholdPercent: 150 } }, 400, 'VALIDATION_FAILED'],
    [{ unitId: centre.centreId, kind: 'unsatisfied_streak', parameters: { count: 1 } }, 400, 'VALIDATION_FAILED'],
    [{ unitId: centre.centreId, kind: 'loud_noise', parameters: {} }, 400, 'VALIDATION_FAILED'],
    [{ unitId: 'not-a-uuid', kind: 'unsatisfied_streak', parameters: {} }, 400, 'VALIDATION_FAILED'],
    [{ unitId: other.centreId, kind: 'unsatisfied_streak', parameters: {} }, 404, 'UNIT_NOT_FOUND']
  ]
  for (const [payload, status, code] of bad) {
    const response = await app.inject({ method: 'POST', url: '/api/v1/alert-rules', cookies: supervisor, payload })
    t.equal(response.statusCode, status, JSON.stringify(payload))
    t.equal(response.json().code, code, JSON.stringify(payload))
  }
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/api/v1/alert-rules',
        cookies: analyst,
        payload: { unitId: centre.centreId, kind: 'unsatisfied_streak', parameters: {} }
      })
    ).statusCode,
    403,
    'analysts only read'
  )
  t.same(await app.db.selectFrom('alert_rules').select('id').execute(), before, 'nothing stored by refused requests')

  const listed = await app.inject({ url: `/api/v1/alert-rules?unitId=${centre.provinceId}`, cookies: analyst })
  t.same(
    listed
      .json()
      .items.map((item: { id: string }) => item.id)
      .sort(),
    [rule.id, share.json().id].sort(),
    'the analyst reads the rules of the subtree'
  )
  t.same((await app.inject({ url: '/api/v1/alert-rules', cookies: outsider })).json().items, [], 'another centre sees none')
  t.equal((await app.inject({ url: `/api/v1/alert-rules?unitId=${centre.centreId}`, cookies: outsider })).json().code, 'UNIT_NOT_FOUND')
  const foreignPatch = await app.inject({
    method: 'PATCH',
    url: `/api/v1/alert-rules/${rule.id}`,
    cookies: outsider,
    payload: { enabled: false }
  })
  t.equal(foreignPatch.statusCode, 404)
  t.equal(foreignPatch.json().code, 'ALERT_RULE_NOT_FOUND')
  t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/alert-rules/${rule.id}`, cookies: outsider })).statusCode, 404)
  t.equal(
    (
      await app.inject({
        method: 'PATCH',
        url: `/api/v1/alert-rules/${rule.id}`,
        cookies: supervisor,
        payload: { parameters: { windowMinutes: 30 } }
      })
    ).json().code,
    'INVALID_RULE_PARAMETERS'
  )
  t.equal(
    (await app.inject({ method: 'PATCH', url: `/api/v1/alert-rules/${rule.id}`, cookies: supervisor, payload: {} })).json().code,
    'NOTHING_TO_CHANGE'
  )

  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/v1/alert-rules/${rule.id}`,
    cookies: supervisor,
    payload: { enabled: false, parameters: { count: 5 } }
  })
  t.equal(patched.statusCode, 200)
  t.match(patched.json(), { enabled: false, parameters: { count: 5 } })
  t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/alert-rules/${share.json().id}`, cookies: supervisor })).statusCode, 204)
  t.equal(
    (await app.inject({ method: 'DELETE', url: `/api/v1/alert-rules/${share.json().id}`, cookies: supervisor })).statusCode,
    404,
    'gone'
  )

  const audit = await app.db
    .selectFrom('audit_log')
    .select(['action', 'entity_id', 'before', 'after'])
    .where('entity', '=', 'alert_rule')
    .orderBy('id')
    .execute()
  t.same(
    audit.map((entry) => [entry.action, entry.entity_id]),
    [
      ['create', rule.id],
      ['create', share.json().id],
      ['update', rule.id],
      ['delete', share.json().id]
    ]
  )
  t.match(audit[2], { before: { enabled: true, parameters: { count: 3 } }, after: { enabled: false, parameters: { count: 5 } } })
})

t.test(
  'a streak at one counter fires once with no screen open; not again while open; acknowledged; fires again on a fresh streak',
  async (t) => {
    const centre = await seedCentre(app.db)
    const other = await seedCentre(app.db)
    const supervisorUser = await seedUser(app.db, 'supervisor', centre.centreId)
    const supervisor = await signIn(app, supervisorUser)
    const outsider = await signIn(app, await seedUser(app.db, 'supervisor', other.centreId))
    const analyst = await signIn(app, await seedUser(app.db, 'analyst', centre.provinceId))
    // A rule of the province applies to the centre below it.
    const admin = await signIn(app, await seedUser(app.db, 'admin', null))
    const rule = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/alert-rules',
        cookies: admin,
        payload: { unitId: centre.provinceId, kind: 'unsatisfied_streak', parameters: { count: 3 } }
      })
    ).json()
    t.equal(app.live.userCount(), 0, 'no screen open')

    await press(centre.terminal.token, [
      [1, next()],
      [4, next()],
      [1, next()],
      [1, next()]
    ])
    t.same(await alertRows(centre.centreId), [], 'two in a row after a satisfied one: nothing yet')
    // The second of two presses one second apart is misuse (cooldown): it never counts.
    const at = next()
    await press(centre.terminal.token, [
      [1, at],
      [1, at - 1]
    ])
    let rows = await alertRows(centre.centreId)
    t.equal(rows.length, 1, 'the third in a row fires')
    t.match(rows[0], { rule_id: rule.id, kind: 'unsatisfied_streak', counter_id: centre.terminal.counterId, acknowledged_at: null })
    t.equal((rows[0]!.details.ratingIds as string[]).length, 3)
    const misuse = await app.db
      .selectFrom('ratings')
      .select('id')
      .where('misuse', '=', true)
      .where('unit_id', '=', centre.centreId)
      .executeTakeFirstOrThrow()
    t.notOk((rows[0]!.details.ratingIds as string[]).includes(misuse.id), 'the misuse press is not part of the streak')

    await press(centre.terminal.token, [
      [1, next()],
      [1, next()],
      [1, next()]
    ])
    t.equal((await alertRows(centre.centreId)).length, 1, 'no second alert while the first is open')

    const listed = await app.inject({ url: '/api/v1/alerts?acknowledged=false', cookies: analyst })
    t.equal(listed.statusCode, 200)
    t.match(listed.json().items, [
      {
        id: rows[0]!.id,
        ruleId: rule.id,
        kind: 'unsatisfied_streak',
        counterNumber: 1,
        acknowledged: false,
        details: { parameters: { count: 3 }, unsatisfied: 3 }
      }
    ])
    t.same((await app.inject({ url: '/api/v1/alerts', cookies: outsider })).json().items, [], 'another centre sees none')
    const foreign = await app.inject({ method: 'POST', url: `/api/v1/alerts/${rows[0]!.id}/acknowledge`, cookies: outsider, payload: {} })
    t.equal(foreign.statusCode, 404)
    t.equal(foreign.json().code, 'ALERT_NOT_FOUND')
    t.equal(
      (await app.inject({ method: 'POST', url: `/api/v1/alerts/${rows[0]!.id}/acknowledge`, cookies: analyst, payload: {} })).statusCode,
      403
    )
    t.equal(
      (
        await app.inject({
          method: 'POST',
          url: `/api/v1/alerts/${rows[0]!.id}/acknowledge`,
          cookies: supervisor,
          payload: { note: 'x'.repeat(2001) }
        })
      ).json().code,
      'VALIDATION_FAILED'
    )
    t.equal((await alertRows(centre.centreId))[0]!.acknowledged_at, null, 'refused acknowledgements change nothing')

    const acknowledged = await app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${rows[0]!.id}/acknowledge`,
      cookies: supervisor,
      payload: { note: 'Đã nhắc nhở cán bộ' }
    })
    t.equal(acknowledged.statusCode, 200)
    t.match(acknowledged.json(), { acknowledged: true, acknowledgedBy: supervisorUser.id, note: 'Đã nhắc nhở cán bộ' })
    t.equal(
      (await app.inject({ method: 'POST', url: `/api/v1/alerts/${rows[0]!.id}/acknowledge`, cookies: supervisor, payload: {} })).json()
        .code,
      'ALERT_ALREADY_ACKNOWLEDGED'
    )
    t.same((await app.inject({ url: '/api/v1/alerts?acknowledged=false', cookies: supervisor })).json().items, [])

    // Presses counted before the acknowledgement do not count again: a fresh streak of three is needed.
    // (Pressed a few seconds ahead of the server's clock, within the allowed skew, so they count after it.)
    await press(centre.terminal.token, [
      [1, -4],
      [1, -8]
    ])
    t.equal((await alertRows(centre.centreId)).length, 1, 'two after the acknowledgement: not yet')
    await press(centre.terminal.token, [[1, -12]])
    rows = await alertRows(centre.centreId)
    t.equal(rows.length, 2, 'the third after the acknowledgement fires again')
    t.equal(rows[1]!.acknowledged_at, null)
    const bare = await app.inject({ method: 'POST', url: `/api/v1/alerts/${rows[1]!.id}/acknowledge`, cookies: supervisor })
    t.equal(bare.statusCode, 200, 'the note is optional: no body at all')
    t.match(bare.json(), { acknowledged: true, note: null })
    const audit = await app.db.selectFrom('audit_log').select(['action', 'entity_id']).where('entity', '=', 'alert').orderBy('id').execute()
    t.same(
      audit.map((entry) => [entry.action, entry.entity_id]),
      [
        ['acknowledge', rows[0]!.id],
        ['acknowledge', rows[1]!.id]
      ],
      'acknowledgements audited'
    )
  }
)

t.test('the unsatisfied share of the last N minutes, with a minimum count; pushed live to the subtree only', async (t) => {
  const centre = await seedCentre(app.db)
  const other = await seedCentre(app.db)
  const supervisor = await signIn(app, await seedUser(app.db, 'supervisor', centre.centreId))
  const rule = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/alert-rules',
      cookies: supervisor,
      payload: { unitId: centre.centreId, kind: 'unsatisfied_share', parameters: { windowMinutes: 30, thresholdPercent: 50, minCount: 4 } }
    })
  ).json()
  const events: Array<{ who: string; event: LiveEvent }> = []
  const subscriptions = [
    app.live.subscribeUser({ rootUnitId: centre.provinceId, officerId: null, send: (event) => events.push({ who: 'province', event }) }),
    app.live.subscribeUser({ rootUnitId: other.centreId, officerId: null, send: (event) => events.push({ who: 'other centre', event }) })
  ]
  t.teardown(() => {
    for (const unsubscribe of subscriptions) unsubscribe()
  })
  const ruleAlerts = () => events.filter((entry) => entry.event.type === 'alert' && entry.event.alert.kind === 'rule')

  // Outside the window: never counted.
  await press(centre.terminal.token, [
    [1, 45 * 60],
    [1, 44 * 60],
    [1, 43 * 60]
  ])
  await press(centre.terminal.token, [
    [1, 20 * 60],
    [4, 19 * 60],
    [1, 18 * 60]
  ])
  t.same(await alertRows(centre.centreId), [], '3 ratings in the window: under the minimum count')
  await press(centre.terminal.token, [[4, 17 * 60]])
  t.same(await alertRows(centre.centreId), [], '2 of 4 is 50 %: not above')
  await press(centre.terminal.token, [[1, 16 * 60]])
  const rows = await alertRows(centre.centreId)
  t.equal(rows.length, 1, '3 of 5 is above 50 %')
  t.match(rows[0], { rule_id: rule.id, kind: 'unsatisfied_share', counter_id: null, details: { total: 5, unsatisfied: 3, share: 0.6 } })
  await press(centre.terminal.token, [
    [1, 15 * 60],
    [1, 14 * 60]
  ])
  t.equal((await alertRows(centre.centreId)).length, 1, 'not again while open')

  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(
    ruleAlerts().map((entry) => entry.who),
    ['province'],
    'one live event, to the subtree only'
  )
  t.match(ruleAlerts()[0]!.event, {
    type: 'alert',
    alert: { kind: 'rule', ruleKind: 'unsatisfied_share', id: rows[0]!.id, unitId: centre.centreId, acknowledged: false }
  })

  const bad: Array<[string, number, string]> = [
    ['?from=2026-02-30', 400, 'VALIDATION_FAILED'],
    ['?from=2026-11-21&to=2026-11-20', 400, 'RANGE_INVALID'],
    ['?acknowledged=maybe', 400, 'VALIDATION_FAILED'],
    [`?unitId=${other.centreId}`, 404, 'UNIT_NOT_FOUND']
  ]
  for (const [query, status, code] of bad) {
    const response = await app.inject({ url: `/api/v1/alerts${query}`, cookies: supervisor })
    t.equal(response.statusCode, status, query)
    t.equal(response.json().code, code, query)
  }
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)
  t.equal(
    (await app.inject({ url: `/api/v1/alerts?from=${today}&to=${today}`, cookies: supervisor })).json().items.length,
    1,
    'fired today, local time'
  )
  t.same((await app.inject({ url: '/api/v1/alerts?to=2026-01-01', cookies: supervisor })).json().items, [])

  // A disabled rule does not fire; enabled again, it does at once (the cached rules are dropped on change).
  const quiet = await seedCentre(app.db)
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const paused = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/alert-rules',
      cookies: admin,
      payload: { unitId: quiet.centreId, kind: 'unsatisfied_streak', parameters: { count: 2 }, enabled: false }
    })
  ).json()
  await press(quiet.terminal.token, [
    [1, 600],
    [1, 500]
  ])
  t.same(await alertRows(quiet.centreId), [], 'disabled: no alert')
  t.equal(
    (await app.inject({ method: 'PATCH', url: `/api/v1/alert-rules/${paused.id}`, cookies: admin, payload: { enabled: true } })).statusCode,
    200
  )
  await press(quiet.terminal.token, [[1, 400]])
  t.equal((await alertRows(quiet.centreId)).length, 1, 'enabled: the next unsatisfied completes the streak')
})
