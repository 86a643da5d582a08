// `npm run bridge -- --config FILE`: runs the serial bridge until SIGINT/SIGTERM.
import { parseArgs } from 'node:util'
import createDebug from 'debug'
import { SerialPort } from 'serialport'
import { Bridge } from './bridge.ts'
import { loadBridgeConfig } from './config.ts'
import { DataDirLockedError } from './data-lock.ts'

const log = createDebug('hailong:hardware:cli')

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help === true || values.config === undefined) {
    process.stderr.write('usage: npm run bridge -- --config FILE   (DEBUG=hailong:* for logs; see docs/hardware.md)\n')
    process.exitCode = values.help === true ? 0 : 2
    return
  }
  if (process.env.DEBUG === undefined) createDebug.enable('hailong:hardware:bridge,hailong:hardware:cli')
  const config = await loadBridgeConfig(values.config)
  const bridge = new Bridge({ config, portClass: SerialPort })
  // Handlers first: a stop during start waits for the start, then closes the journal cleanly.
  const started = bridge.start()
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    log('%s: stopping', signal)
    const timer = setTimeout(() => process.exit(1), 10_000)
    timer.unref()
    void started.catch(() => {}).then(() => bridge.stop()).then(() => process.exit(0))
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGUSR1', () => process.stderr.write(JSON.stringify(bridge.status()) + '\n'))
  await started
  log('bridge running: %s → %s', config.ports.map((port) => JSON.stringify(port)).join(', '), config.apiUrl)
}

main().catch((error: Error) => {
  // One line an installer can act on (a second bridge, a bad config), no stack trace.
  process.stderr.write(`bridge: ${error.message}\n`)
  process.exit(error instanceof DataDirLockedError ? 75 : 1)
})
