// The bridge's outbox journal, rating ids and config: presses survive a restart or a torn write, and are never sent twice.
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { SerialPortMock } from 'serialport'
import { Journal, type PendingRating } from '../../hardware/bridge/journal.ts'
import { ratingId, uuidV5 } from '../../hardware/bridge/rating-id.ts'
import { parseBridgeConfig } from '../../hardware/bridge/config.ts'
import { findPort, type SerialPortClass } from '../../hardware/bridge/port-link.ts'
import { levelForButton } from '../../hardware/bridge/bridge.ts'

async function folder (t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hl-journal-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

function press (seq: number): PendingRating {
  const ratedAt = new Date(1_790_000_000_000 + seq).toISOString()
  return { id: ratingId('HL-0001', 1, seq), serial: 'HL-0001', boot: 1, seq, button: 1, buttons: 4, level: 4, ratedAt }
}

t.test('rating ids are RFC 9562 v5 UUIDs, the same for the same press and different otherwise', async (t) => {
  // The RFC's own example: "www.example.com" in the DNS namespace.
  t.equal(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '2ed6657d-e927-568b-95e1-2665a8aea6a2')
  t.equal(ratingId('HL-0001', 3, 17), ratingId('HL-0001', 3, 17))
  const ids = new Set([
    ratingId('HL-0001', 3, 17), ratingId('HL-0001', 4, 17), ratingId('HL-0001', 3, 18), ratingId('HL-0002', 3, 17),
    ratingId('HL-0001', 31, 7)
  ])
  t.equal(ids.size, 5)
  t.match(ratingId('HL-0001', 1, 1), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
})

t.test('pending presses survive a restart; delivered ones do not come back', async (t) => {
  const dir = await folder(t)
  const path = join(dir, 'outbox.jsonl')
  const journal = await Journal.open({ path })
  for (let seq = 1; seq <= 5; seq++) t.equal(await journal.add(press(seq)), true)
  t.equal(await journal.add(press(3)), false, 'a retransmitted press is not added twice')
  await journal.delivered([press(1).id, press(2).id])
  await journal.rejected([{ id: press(5).id, code: 'LEVEL_NOT_ON_SCALE' }])
  await journal.close()

  const reopened = await Journal.open({ path })
  t.teardown(() => reopened.close())
  t.same(reopened.list().map((rating) => rating.seq), [3, 4])
  t.same(reopened.list()[0], press(3))
})

t.test('a retransmit arriving during the first copy\'s fsync is answered only once that copy is durable', async (t) => {
  const dir = await folder(t)
  const journal = await Journal.open({ path: join(dir, 'outbox.jsonl') })
  t.teardown(() => journal.close())
  const order: string[] = []
  const first = journal.add(press(1)).then((added) => { order.push(`first ${added}`) })
  const retransmit = journal.add(press(1)).then((added) => { order.push(`retransmit ${added}`) })
  await Promise.all([first, retransmit])
  t.same(order, ['first true', 'retransmit false'])
  t.equal((await readFile(join(dir, 'outbox.jsonl'), 'utf8')).trim().split('\n').length, 1, 'written once')
})

t.test('a torn last line (power cut mid-write) is skipped, the rest kept', async (t) => {
  const dir = await folder(t)
  const path = join(dir, 'outbox.jsonl')
  const journal = await Journal.open({ path })
  await journal.add(press(1))
  await journal.close()
  await appendFile(path, JSON.stringify({ op: 'rating', ...press(2) }).slice(0, 40))
  const reopened = await Journal.open({ path })
  t.same(reopened.list().map((rating) => rating.seq), [1])
  await reopened.add(press(3))
  await reopened.close()
  const lines = (await readFile(path, 'utf8')).trim().split('\n')
  t.equal(lines.length, 2, 'the torn line is gone after the rewrite at open')
  t.same(lines.map((line) => JSON.parse(line).seq), [1, 3])
})

t.test('the journal is compacted once everything is delivered', async (t) => {
  const dir = await folder(t)
  const path = join(dir, 'outbox.jsonl')
  const journal = await Journal.open({ path, compactAfter: 10 })
  t.teardown(() => journal.close())
  for (let seq = 1; seq <= 10; seq++) await journal.add(press(seq))
  await journal.delivered(Array.from({ length: 10 }, (_, i) => press(i + 1).id))
  t.equal(journal.size, 0)
  // Compacted: no press left, only the ids settled lately, so a late retransmit is still known after it.
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '')
  t.equal(lines.length, 10)
  t.ok(lines.every((line) => (JSON.parse(line) as { op: string }).op === 'settled'), 'only settled ids')
  await journal.close()
  const reopened = await Journal.open({ path, compactAfter: 10 })
  t.teardown(() => reopened.close())
  t.equal(reopened.size, 0)
  t.equal(await reopened.add(press(3)), false, 'a retransmit of a delivered press is not journaled again')
  t.equal(reopened.size, 0)
  t.equal((await readFile(path, 'utf8')).split('\n').filter((line) => line.includes('"op":"rating"')).length, 0)
  await t.rejects(Journal.open({ path: '' }), TypeError)
})

t.test('buttons map to scale levels, highest first', async (t) => {
  const scale = [1, 2, 3, 4].map((level) => ({ level, category: 'x', weight: 0 }))
  t.same([1, 2, 3, 4].map((button) => levelForButton(button, 4, scale)), [4, 3, 2, 1])
  t.same([1, 2, 3].map((button) => levelForButton(button, 3, scale)), [4, 2, 1], 'three buttons on four levels: ends to ends')
  const five = [1, 2, 3, 4, 5].map((level) => ({ level, category: 'x', weight: 0 }))
  t.same([1, 2, 3, 4, 5].map((button) => levelForButton(button, 5, five)), [5, 4, 3, 2, 1])
  t.equal(levelForButton(1, 4, []), null, 'no scale known yet')
})

t.test('config: defaults, and a TypeError naming the bad field', async (t) => {
  const config = parseBridgeConfig({ apiUrl: 'http://127.0.0.1:3000', dataDir: 'var', ports: [{ vendorId: '2341', productId: '0043' }], boxes: [{ serial: 'HL-0001', pairingCode: 'ABC123' }] }, '/srv/bridge')
  t.equal(config.dataDir, '/srv/bridge/var')
  t.equal(config.baudRate, 9600)
  t.throws(() => parseBridgeConfig({ apiUrl: 'ftp://x', dataDir: 'd', ports: [{ path: '/dev/ttyUSB0' }], boxes: [{ serial: 'A', token: 't' }] }), { name: 'TypeError', message: /apiUrl/ })
  t.throws(() => parseBridgeConfig({ apiUrl: 'http://x', dataDir: 'd', ports: [{ vendorId: 'zz' }], boxes: [{ serial: 'A', token: 't' }] }), { message: /ports\[0\]/ })
  t.throws(() => parseBridgeConfig({ apiUrl: 'http://x', dataDir: 'd', ports: [{ path: '/dev/x' }], boxes: [{ serial: 'A' }] }), { message: /token or a pairingCode/ })
  t.throws(() => parseBridgeConfig({ apiUrl: 'http://x', dataDir: 'd', ports: [{ path: '/dev/x' }], boxes: [{ serial: 'A', token: 't' }, { serial: 'A', token: 'u' }] }), { message: /twice/ })
})

t.test('ports are found by USB vendor/product id on the mock binding, skipping ones already taken', async (t) => {
  const suffix = Math.floor(Math.random() * 1e9)
  SerialPortMock.binding.createPort(`/dev/ttyACM${suffix}`, { vendorId: '2341', productId: '0043' })
  SerialPortMock.binding.createPort(`/dev/ttyACM${suffix + 1}`, { vendorId: '2341', productId: '0043' })
  SerialPortMock.binding.createPort(`/dev/ttyUSB${suffix}`, { vendorId: '1a86', productId: '7523' })
  const portClass = SerialPortMock as unknown as SerialPortClass
  t.equal(await findPort({ vendorId: '1a86', productId: '7523' }, portClass), `/dev/ttyUSB${suffix}`)
  // The mock binding numbers its ports' USB serial numbers itself.
  const second = (await SerialPortMock.list()).find((port) => port.path === `/dev/ttyACM${suffix + 1}`)!
  const spec = { vendorId: '2341', productId: '0043', serialNumber: second.serialNumber! }
  t.equal(await findPort(spec, portClass), `/dev/ttyACM${suffix + 1}`)
  t.equal(await findPort({ vendorId: '2341', productId: '0043' }, portClass, new Set([`/dev/ttyACM${suffix}`])), `/dev/ttyACM${suffix + 1}`)
  t.equal(await findPort({ vendorId: 'dead', productId: 'beef' }, portClass), null)
  t.equal(await findPort({ path: '/dev/ttyS0' }, portClass), '/dev/ttyS0')
})
