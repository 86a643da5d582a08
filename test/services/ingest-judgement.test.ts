// The ingest judges every rating in its one statement, from stored data (docs/ingest.md): cooldown and burst misuse,
// history rewound, bulk backdating, ticket repeats and the officer on shift. Random press sequences, sent request by
// request, must be judged exactly as this reference, written from the rules, judges them.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import fc from 'fast-check'
import { build } from '../helper.ts'
import { seedAssignment, seedCentre } from '../fixtures.ts'

const misuse = { cooldownSeconds: 3, burstCount: 5, burstWindowSeconds: 60 }
const clockSkewSeconds = 30
const LOCAL_OFFSET_MS = 7 * 3600_000
const DAY_MS = 86400_000
const localDay = (ms: number): number => Math.floor((ms + LOCAL_OFFSET_MS) / DAY_MS)

interface Press { second: number, ticket: string | null }
interface Judged { reason: string | null, clockUntrusted: boolean, countedAt: number, officerId: string | null }

/** The rules, one request at a time, over everything the terminal stored before it. */
function reference (
  requests: Array<Array<{ ratedAt: number, ticket: string | null }>>,
  receivedAt: number[],
  officerAt: (at: number) => string | null
): Judged[][] {
  const stored: number[] = []
  let latestTrusted: number | null = null
  const ticketsRated = new Set<string>()
  return requests.map((items, request) => {
    const received = receivedAt[request]!
    const judged = items.map((item) => {
      const rewound = latestTrusted !== null && item.ratedAt < latestTrusted - clockSkewSeconds * 1000
      return { item, rewound, reason: null as string | null, countedAt: rewound ? received : item.ratedAt }
    })
    const presses = [
      ...stored.map((at) => ({ at, index: -1 })),
      ...items.map((item, index) => ({ at: item.ratedAt, index }))
    ].sort((a, b) => a.at - b.at || a.index - b.index)
    presses.forEach((press, position) => {
      if (press.index < 0) return
      const previous = presses[position - 1]
      const back = presses[position - misuse.burstCount]
      if (previous !== undefined && press.at - previous.at < misuse.cooldownSeconds * 1000) judged[press.index]!.reason = 'cooldown'
      else if (back !== undefined && press.at - back.at < misuse.burstWindowSeconds * 1000) judged[press.index]!.reason = 'burst'
    })
    const rewound = judged.filter((rating) => rating.rewound)
    if (rewound.length > 5) for (const rating of rewound) rating.reason = 'backdated'
    const byTime = judged.filter((rating) => rating.item.ticket !== null).sort((a, b) => a.item.ratedAt - b.item.ratedAt)
    for (const rating of byTime) {
      const key = `${localDay(rating.countedAt)} ${rating.item.ticket}`
      if (!ticketsRated.has(key)) ticketsRated.add(key)
      else if (rating.reason === null) rating.reason = 'ticket_repeat'
    }
    for (const rating of judged) {
      stored.push(rating.item.ratedAt)
      if (!rating.rewound) latestTrusted = Math.max(latestTrusted ?? rating.item.ratedAt, rating.item.ratedAt)
    }
    return judged.map((rating) => ({
      reason: rating.reason,
      clockUntrusted: rating.rewound,
      countedAt: rating.countedAt,
      officerId: officerAt(rating.countedAt)
    }))
  })
}

t.test('random press sequences are judged as the rules say, request after request', async (t) => {
  const app = await build(t, { misuse, clockSkewSeconds })
  // Around the latest local midnight, so a ticket's day turns inside some sequences.
  const midnight = localDay(Date.now()) * DAY_MS - LOCAL_OFFSET_MS
  const start = Math.min(midnight - 120_000, Date.now() - 3600_000)
  const shiftChange = start + 150_000
  const press = fc.record({
    second: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(0, 1, 2, 3, 4, 60)),
    ticket: fc.constantFrom(null, null, 'A1', 'A2', 'B07')
  })
  // Each request's presses start at a moment of the sequence (later, or now and then well before: a rewind).
  const request = fc.record({ from: fc.integer({ min: 0, max: 300 }), presses: fc.array(press, { minLength: 1, maxLength: 8 }) })
  let runs = 0
  await fc.assert(
    fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 6 }), async (requests) => {
      runs++
      const centre = await seedCentre(app.db, { officers: 2 })
      const [early, late] = centre.officers
      await app.db.insertInto('assignments').values({
        unit_id: centre.centreId,
        counter_id: centre.terminal.counterId,
        officer_id: early!.id,
        started_at: new Date(start - 3600_000),
        ended_at: new Date(shiftChange)
      }).execute()
      await seedAssignment(app.db, centre.terminal.counterId, late!.id, new Date(shiftChange))
      const sent = requests.map((one) => one.presses.map((p: Press) => ({
        id: randomUUID(),
        ratedAt: start + (one.from + p.second) * 1000,
        ticket: p.ticket
      })))
      const receivedAt: number[] = []
      const stored: Array<Map<string, Judged>> = []
      for (const items of sent) {
        const response = await app.inject({
          method: 'POST',
          url: '/api/v1/terminal/ratings',
          headers: { authorization: `Bearer ${centre.terminal.token}` },
          payload: {
            ratings: items.map((item) => ({
              id: item.id,
              level: 2,
              ratedAt: new Date(item.ratedAt).toISOString(),
              ...(item.ticket === null ? {} : { ticket: item.ticket })
            }))
          }
        })
        if (response.statusCode !== 200) throw new Error(`answered ${response.statusCode}`)
        const rows = await app.db.selectFrom('ratings')
          .select(['id', 'misuse_reason', 'clock_untrusted', 'counted_at', 'received_at', 'officer_id'])
          .where('id', 'in', items.map((item) => item.id)).execute()
        receivedAt.push(rows[0]!.received_at.getTime())
        stored.push(new Map(rows.map((row) => [row.id, {
          reason: row.misuse_reason,
          clockUntrusted: row.clock_untrusted,
          countedAt: row.counted_at.getTime(),
          officerId: row.officer_id
        }])))
      }
      const expected = reference(sent, receivedAt, (at) => at < shiftChange ? early!.id : late!.id)
      const actual = sent.map((items, index) => items.map((item) => stored[index]!.get(item.id)))
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        throw new Error(`judged differently:\n${JSON.stringify({ sent, actual, expected })}`)
      }
    }),
    { numRuns: 40, endOnFailure: true }
  )
  t.equal(runs, 40, 'every sequence was judged as the rules say')
})
