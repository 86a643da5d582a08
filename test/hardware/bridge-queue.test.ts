// The button box and the queue (issue 17): the bridge reads its counter's current call and journals the ticket with the
// next press, so the rating carries it exactly once, even when the API is down when the press is delivered.
import { join } from 'node:path'
import t from 'tap'
import { SerialPort } from 'serialport'
import { build } from '../helper.ts'
import { seedCentre, seedQueueToken } from '../fixtures.ts'
import { Bridge } from '../../hardware/bridge/bridge.ts'
import { parseBridgeConfig } from '../../hardware/bridge/config.ts'
import { SimulatedBox } from '../../hardware/simulator/box.ts'
import { openBoxEnd, PtyPair, tempFolder, waitFor } from './serial-line.ts'
import { requireTools, tools } from '../system-tools.ts'

requireTools(t, [tools.socat])

const app = await build(t)
const listening = await app.listen({ port: 0, host: '127.0.0.1' })

t.test('a press after a call carries its ticket and dossier code; the next press does not', async (t) => {
  const centre = await seedCentre(app.db, { terminalKind: 'button' })
  const queueToken = await seedQueueToken(app.db, centre.centreId)
  const dir = await tempFolder(t)
  const pty = new PtyPair(dir)
  await pty.plug()
  t.teardown(() => pty.unplug())
  const serial = 'HL-QUEUE-1'
  const box = new SimulatedBox({ serial, boot: 3, buttons: 4, retransmitMs: 300, beatMs: 1000, queueSize: 32 })
  t.teardown(() => box.detach())
  box.attach(await openBoxEnd(t, pty.boxPath))
  const config = parseBridgeConfig({
    apiUrl: listening,
    dataDir: join(dir, 'data'),
    ports: [{ path: pty.bridgePath }],
    boxes: [{ serial, token: centre.terminal.token }],
    reopenMs: 100,
    retryMs: 100,
    maxRetryMs: 400
  })
  const bridge = new Bridge({ config, portClass: SerialPort, callPollMs: 100 })
  t.teardown(() => bridge.stop())
  await bridge.start()
  await waitFor('the bridge to know the box', () => bridge.status().ports[0]!.box === serial)

  const called = await app.inject({
    method: 'POST',
    url: '/api/v1/queue/calls',
    headers: { authorization: `Bearer ${queueToken}` },
    payload: { counterId: centre.counterIds[0], ticket: 'B-042', calledAt: new Date().toISOString(), dossierCode: 'H72.1-261130-0007' }
  })
  t.equal(called.statusCode, 201)
  // The bridge reads the call within its poll interval (100 ms here, 5 s by default).
  await new Promise((resolve) => setTimeout(resolve, 600))
  const rows = () => app.db.selectFrom('ratings').select(['id', 'ticket', 'dossier_code', 'misuse', 'rated_at'])
    .where('terminal_id', '=', centre.terminal.id).orderBy('rated_at').execute()
  t.not(box.press(1), null)
  await waitFor('the first rating', async () => (await rows()).length === 1)
  t.match((await rows())[0], { ticket: 'B-042', dossier_code: 'H72.1-261130-0007', misuse: false }, 'the press carries the call')
  await new Promise((resolve) => setTimeout(resolve, 600))
  t.not(box.press(2), null)
  await waitFor('the second rating', async () => (await rows()).length === 2)
  t.match((await rows())[1], { ticket: null, dossier_code: null }, 'the next citizen\'s press carries no ticket')
  const journal = await import('node:fs/promises').then((fs) => fs.readFile(join(dir, 'data', 'outbox.jsonl'), 'utf8'))
  t.match(journal, /"ticket":"B-042"/, 'the ticket was journaled with the press')
})
