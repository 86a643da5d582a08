// The terminal's outbox: ratings kept in IndexedDB (fake-indexeddb here) and sent until acknowledged.
import t from 'tap'
import { IDBFactory } from 'fake-indexeddb'
import { ApiError, type RatingItem, type RatingResult } from '../../terminal/api.ts'
import { createSender, openOutbox, retryDelay, type SenderStatus } from '../../terminal/outbox.ts'

let sequence = 0
function rating (overrides: Partial<RatingItem> = {}): RatingItem {
  sequence++
  return {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    level: 4,
    ratedAt: '2026-11-27T09:00:00.000+07:00',
    ...overrides
  }
}

const created = (ratings: RatingItem[]): RatingResult[] => ratings.map((r) => ({ id: r.id, status: 'created' }))

t.test('keeps ratings in tap order across a reopen, and holds a rating while the criteria are answered', async (t) => {
  const factory = new IDBFactory()
  const outbox = await openOutbox(factory)
  const [a, b, c] = [rating({ level: 4 }), rating({ level: 1, officerId: 'officer-1' }), rating({ level: 2 })]
  await outbox.add(a)
  await outbox.add(b, { held: true })
  await outbox.add(c)
  t.equal(await outbox.count(), 3, 'held ratings count as pending')
  t.same(
    (await outbox.ready(10)).map((r) => r.id),
    [a.id, c.id],
    'a held rating is not sent'
  )
  t.same(await outbox.ready(1), [a], 'oldest first, limited, without outbox bookkeeping')

  await outbox.release(b.id, { xin_chao: true, luon_mim_cuoi: false })
  t.same(
    (await outbox.ready(10)).map((r) => r.id),
    [a.id, b.id, c.id],
    'released in its tap place'
  )
  t.same((await outbox.ready(10))[1], { ...b, criteria: { xin_chao: true, luon_mim_cuoi: false } })
  outbox.close()

  const reopened = await openOutbox(factory)
  t.equal(await reopened.count(), 3, 'nothing lost on reload')
  await reopened.remove([a.id, c.id])
  t.same(await reopened.ready(10), [{ ...b, criteria: { xin_chao: true, luon_mim_cuoi: false } }])
  reopened.close()
})

t.test('a rating held when the page went away is sent without criteria after the restart', async (t) => {
  const factory = new IDBFactory()
  const outbox = await openOutbox(factory)
  const held = rating()
  await outbox.add(held, { held: true })
  await outbox.release('no-such-id', { xin_chao: true })
  outbox.close()
  const reopened = await openOutbox(factory)
  t.same(await reopened.ready(10), [], 'still held')
  t.equal(await reopened.releaseHeld(), 1)
  t.same(await reopened.ready(10), [held], 'sent as it was, with no criteria')
  await reopened.release(held.id, {})
  t.same(await reopened.ready(10), [held], 'an empty answer adds no criteria')
  reopened.close()
})

t.test('held through the follow-up: the criteria kept first, then released with the follow-up; a restart sends what it holds', async (t) => {
  const factory = new IDBFactory()
  const outbox = await openOutbox(factory)
  const [answered, leftMidway] = [rating({ level: 1 }), rating({ level: 1 })]
  await outbox.add(answered, { held: true })
  await outbox.add(leftMidway, { held: true })
  await outbox.keep(answered.id, { xin_loi: false })
  await outbox.keep(leftMidway.id, { xin_chao: true })
  t.same(await outbox.ready(10), [], 'still held while the follow-up is asked')
  await outbox.release(answered.id, { xin_loi: false }, { reason: 'wait', phone: '0912345678', consentVersion: 'nd13-2026-11' })
  t.same(await outbox.ready(10), [
    { ...answered, criteria: { xin_loi: false }, followUp: { reason: 'wait', phone: '0912345678', consentVersion: 'nd13-2026-11' } }
  ])
  outbox.close()
  const reopened = await openOutbox(factory)
  t.equal(await reopened.releaseHeld(), 1)
  const sent = (await reopened.ready(10))[1]
  t.same(sent, { ...leftMidway, criteria: { xin_chao: true } }, 'the page went away on the follow-up: the criteria kept')
  reopened.close()
})

t.test('sends in batches of at most 100 and removes created, duplicate and rejected ratings', async (t) => {
  const outbox = await openOutbox(new IDBFactory())
  t.teardown(() => outbox.close())
  const ratings = Array.from({ length: 230 }, () => rating())
  for (const r of ratings) await outbox.add(r)
  const batches: number[] = []
  const statuses: SenderStatus[] = []
  const rejected: string[] = []
  const sender = createSender({
    outbox,
    send: async (batch) => {
      batches.push(batch.length)
      return batch.map((r, i) => ({
        id: r.id,
        status: i === 0 ? 'duplicate' : i === 1 ? 'rejected' : 'created',
        ...(i === 1 ? { error: { code: 'LEVEL_UNKNOWN', message: 'no such level' } } : {})
      }))
    },
    onStatus: (status) => statuses.push(status),
    onRejected: (result) => rejected.push(result.id)
  })
  sender.kick()
  await sender.idle()
  t.same(batches, [100, 100, 30])
  t.equal(await outbox.count(), 0)
  t.equal(rejected.length, 3, 'each rejected rating is reported once')
  t.same(statuses.at(-1), { pending: 0, rejected: 3, reachable: true })
  sender.stop()
})

t.test('an unreachable server: nothing is lost, retries back off, and everything goes once it is back', async (t) => {
  const outbox = await openOutbox(new IDBFactory())
  t.teardown(() => outbox.close())
  for (let i = 0; i < 5; i++) await outbox.add(rating())
  let up = false
  let calls = 0
  const attempts: number[] = []
  const received: string[] = []
  const statuses: SenderStatus[] = []
  const sender = createSender({
    outbox,
    send: async (batch) => {
      calls++
      if (!up) throw new ApiError(0, 'NETWORK', 'Failed to fetch')
      received.push(...batch.map((r) => r.id))
      return created(batch)
    },
    onStatus: (status) => statuses.push(status),
    delay: (attempt) => {
      attempts.push(attempt)
      return 5
    }
  })
  t.teardown(() => sender.stop())
  sender.kick()
  // eslint-disable-next-line no-unmodified-loop-condition -- the sender's calls raise `calls` while this loop awaits
  for (let i = 0; i < 500 && calls < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.ok(calls >= 3, 'kept retrying')
  t.same(attempts.slice(0, 3), [0, 1, 2], 'each retry waits longer')
  t.equal(await outbox.count(), 5, 'nothing dropped while offline')
  t.equal(statuses.at(-1)?.reachable, false)
  up = true
  for (let i = 0; i < 50 && (await outbox.count()) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  await sender.idle()
  t.equal(await outbox.count(), 0)
  t.equal(new Set(received).size, 5, 'each rating delivered')
})

t.test('a revoked token pauses sending and keeps the outbox until paired again', async (t) => {
  const outbox = await openOutbox(new IDBFactory())
  t.teardown(() => outbox.close())
  await outbox.add(rating())
  await outbox.add(rating())
  let revoked = true
  let calls = 0
  let unpaired = 0
  const sender = createSender({
    outbox,
    send: async (batch) => {
      calls++
      if (revoked) throw new ApiError(401, 'TERMINAL_TOKEN_INVALID', 'Unknown or revoked terminal token')
      return created(batch)
    },
    onUnpaired: () => unpaired++,
    delay: () => 1
  })
  t.teardown(() => sender.stop())
  sender.kick()
  await sender.idle()
  sender.kick()
  await sender.idle()
  t.equal(unpaired, 1)
  t.equal(calls, 1, 'no more sends with a revoked token')
  t.equal(await outbox.count(), 2, 'the outbox is kept')
  revoked = false
  sender.resume()
  await sender.idle()
  t.equal(await outbox.count(), 0, 'sent with the new token')
})

t.test('a batch the server refuses as a whole is split, and only the bad rating is dropped', async (t) => {
  const outbox = await openOutbox(new IDBFactory())
  t.teardown(() => outbox.close())
  const bad = rating({ ratedAt: 'not a date' })
  const good = [rating(), rating(), rating()]
  await outbox.add(good[0]!)
  await outbox.add(bad)
  await outbox.add(good[1]!)
  await outbox.add(good[2]!)
  const batches: string[][] = []
  const rejected: string[] = []
  const sender = createSender({
    outbox,
    send: async (batch) => {
      batches.push(batch.map((r) => r.id))
      if (batch.some((r) => r.id === bad.id)) {
        throw new ApiError(400, 'FST_ERR_VALIDATION', 'body/ratings/1/ratedAt must match format "date-time"')
      }
      return created(batch)
    },
    onRejected: (result) => rejected.push(result.id),
    delay: () => 1
  })
  t.teardown(() => sender.stop())
  sender.kick()
  await sender.idle()
  t.equal(await outbox.count(), 0)
  t.same(rejected, [bad.id])
  t.same(batches[0]?.length, 4, 'first tried as one batch')
  t.same(batches.filter((batch) => batch.includes(bad.id)).at(-1), [bad.id], 'then the bad one alone')
  const delivered = batches.filter((batch) => !batch.includes(bad.id)).flat()
  t.same(delivered.sort(), good.map((r) => r.id).sort(), 'each good rating delivered once')
})

t.test('retry delays grow, stay under the cap and are jittered', async (t) => {
  t.equal(
    retryDelay(0, () => 0),
    1_000
  )
  t.equal(
    retryDelay(0, () => 1),
    2_000
  )
  t.equal(
    retryDelay(3, () => 1),
    16_000
  )
  t.equal(
    retryDelay(40, () => 1),
    300_000,
    'capped at five minutes'
  )
  t.equal(
    retryDelay(40, () => 0),
    150_000
  )
  const spread = new Set(Array.from({ length: 20 }, () => Math.round(retryDelay(2))))
  t.ok(spread.size > 10, 'tablets do not retry in step')
})
