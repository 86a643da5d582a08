// The change feed between API processes: payloads within the NOTIFY limit, in order, one send at a time, and a
// process's own notifications never delivered twice to it.
import t from 'tap'
import { ChangeFeed, type Change, type ChangeTransport } from '../../api/services/change-feed.ts'

/** Two feeds joined by a channel that, like NOTIFY, hands every payload to every feed (the sender's own included). */
function channel (payloadLimit: number) {
  const feeds: ChangeFeed[] = []
  const sent: string[][] = []
  let inFlight = 0
  let overlapped = false
  const transport: ChangeTransport = {
    payloadLimit,
    async send (payloads) {
      inFlight++
      if (inFlight > 1) overlapped = true
      await new Promise((resolve) => setTimeout(resolve, 5))
      sent.push(payloads)
      for (const payload of payloads) for (const feed of feeds) feed.receive(payload)
      inFlight--
    }
  }
  return { feeds, sent, transport, overlapped: () => overlapped }
}

const ratingEvent = (n: number): Change => ({
  kind: 'event',
  unitId: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
  officerId: null,
  event: {
    type: 'rating',
    rating: {
      id: `10000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
      unitId: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
      counterId: '20000000-0000-0000-0000-000000000000',
      terminalId: '30000000-0000-0000-0000-000000000000',
      officerId: null,
      level: 4,
      category: 'satisfied',
      criteria: { chu_dao: true },
      ratedAt: '2026-11-30T01:00:00.000Z',
      receivedAt: '2026-11-30T01:00:00.000Z',
      countedAt: '2026-11-30T01:00:00.000Z',
      source: 'touch',
      misuse: false,
      ticket: null,
      dossierCode: null
    }
  }
})

t.test('changes cross in order, within the payload limit, each delivered once to each process', async (t) => {
  const { feeds, sent, transport, overlapped } = channel(1200)
  const here: Change[] = []
  const there: Change[] = []
  const a = new ChangeFeed()
  const b = new ChangeFeed()
  feeds.push(a, b)
  a.attach(transport)
  b.attach(transport)
  a.subscribe((change) => here.push(change))
  b.subscribe((change) => there.push(change))

  const changes: Change[] = [{ kind: 'units' }, ...Array.from({ length: 12 }, (_, i) => ratingEvent(i)), { kind: 'user', userId: 'u1' }]
  // Events are delivered here by the hub itself (share); invalidations by announce.
  const sends = [a.announce(changes[0]!), ...changes.slice(1, -1).map((change) => a.share(change)), a.announce(changes.at(-1)!)]
  await Promise.all(sends)

  t.same(there, changes, 'the other process got every change once, in the order announced')
  t.same(here, [changes[0], changes.at(-1)], 'the sending process delivered its announcements once (its echo was dropped)')
  const payloads = sent.flat()
  t.ok(payloads.length > 1, `packed into ${payloads.length} payloads`)
  for (const payload of payloads) t.ok(Buffer.byteLength(payload) <= 1200, `a payload of ${Buffer.byteLength(payload)} bytes`)
  t.notOk(overlapped(), 'one send at a time, so the order holds')
})

t.test('a change over the limit is reported and skipped; the rest still cross', async (t) => {
  const { feeds, transport } = channel(600)
  const errors: unknown[] = []
  const a = new ChangeFeed((error) => errors.push(error))
  const b = new ChangeFeed()
  feeds.push(a, b)
  a.attach(transport)
  const there: Change[] = []
  b.subscribe((change) => there.push(change))
  await Promise.all([a.share(ratingEvent(1)), a.share({ kind: 'terminal', terminalId: 't1' })])
  t.equal(errors.length, 1, 'the oversize change is reported')
  t.match(String(errors[0]), /over the notification limit/)
  t.same(there, [{ kind: 'terminal', terminalId: 't1' }])
})

t.test('without a transport (PGlite) changes stay in the process; a failed send never rejects', async (t) => {
  const alone = new ChangeFeed()
  const seen: Change[] = []
  alone.subscribe((change) => seen.push(change))
  await alone.announce({ kind: 'units' })
  await alone.share({ kind: 'catalogue' })
  t.same(seen, [{ kind: 'units' }], 'announce delivers here; share has nowhere to go')
  t.notOk(alone.shared)

  const errors: unknown[] = []
  const failing = new ChangeFeed((error) => errors.push(error))
  failing.attach({ payloadLimit: 7900, send: async () => { throw new Error('connection lost') } })
  await failing.announce({ kind: 'units' })
  t.equal(errors.length, 1, 'the failure is reported, not thrown')
  failing.receive('not json')
  t.equal(errors.length, 2, 'an unreadable payload is reported')
})
