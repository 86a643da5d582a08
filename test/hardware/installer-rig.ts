// Test support for the installer tests: socat cables a box can be swapped on, a bridge in-process on the real app, a seeded button
// terminal.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { SerialPort } from 'serialport'
import { seedCentre } from '../fixtures.ts'
import { Bridge } from '../../hardware/bridge/bridge.ts'
import { parseBridgeConfig, type BoxSpec } from '../../hardware/bridge/config.ts'
import { SimulatedBox } from '../../hardware/simulator/box.ts'
import { openBoxEnd, PtyPair } from './serial-line.ts'

export interface Line { pty: PtyPair, plugBox: (box: SimulatedBox) => Promise<void> }

/** A socat null-modem cable in `dir/name`; `plugBox` attaches a simulated box to its box end. */
export async function line (t: Test, dir: string, name: string): Promise<Line> {
  await mkdir(join(dir, name))
  const pty = new PtyPair(join(dir, name))
  await pty.plug()
  t.teardown(() => pty.unplug())
  let port: SerialPort | null = null
  return {
    pty,
    // Another box on the same cable: the previous one's end is closed first (serialport locks a port it holds).
    plugBox: async (box) => {
      t.teardown(() => box.detach())
      if (port?.isOpen === true) await new Promise<void>((resolve) => port!.close(() => resolve()))
      port = await openBoxEnd(t, pty.boxPath)
      box.attach(port)
    }
  }
}

/** A bridge on `paths` with its data in `dir/data`, fast timings unless `extra` says otherwise; stopped at teardown. */
export async function startBridge (
  t: Test, dir: string, paths: string[], boxSpecs: BoxSpec[], apiUrl: string, extra: Record<string, unknown> = {}
): Promise<Bridge> {
  const ports = paths.map((path) => ({ path }))
  const config = parseBridgeConfig({
    apiUrl, dataDir: join(dir, 'data'), ports, boxes: boxSpecs, reopenMs: 100, retryMs: 100, maxRetryMs: 400, ...extra
  })
  const bridge = new Bridge({ config, portClass: SerialPort })
  t.teardown(() => bridge.stop())
  await bridge.start()
  return bridge
}

/** A fresh centre with a paired button terminal, and its ratings as stored. */
export async function buttonTerminal (
  app: FastifyInstance
): Promise<{ id: string, token: string, ratings: () => Promise<Array<{ id: string, level: number }>> }> {
  const { terminal } = await seedCentre(app.db, { terminalKind: 'button' })
  return {
    id: terminal.id,
    token: terminal.token,
    ratings: () => app.db.selectFrom('ratings').select(['id', 'level']).where('terminal_id', '=', terminal.id).orderBy('id').execute()
  }
}

/** A 4-button box that resends fast and holds a burst. */
export const simulatedBox = (serial: string, boot: number): SimulatedBox =>
  new SimulatedBox({ serial, boot, buttons: 4, retransmitMs: 300, beatMs: 1000, queueSize: 32 })
