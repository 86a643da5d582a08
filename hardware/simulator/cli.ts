// A simulated box on a real serial port (e.g. one end of a socat pty pair): type a button number and Enter to press it.
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { SerialPort } from 'serialport'
import { SimulatedBox } from './box.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    serial: { type: 'string', default: 'HL-SIM-0001' },
    boot: { type: 'string', default: '1' },
    buttons: { type: 'string', default: '4' }
  }
})
if (values.port === undefined) {
  process.stderr.write('usage: node --import tsx hardware/simulator/cli.ts --port PATH [--serial S] [--boot N] [--buttons N]\n')
  process.exit(2)
}
const box = new SimulatedBox({ serial: values.serial, boot: Number(values.boot), buttons: Number(values.buttons) })
const port = new SerialPort({ path: values.port, baudRate: 9600 }, (error) => {
  if (error !== null) { process.stderr.write(`${error.message}\n`); process.exit(1) }
  box.attach(port)
  process.stderr.write(`box ${box.serial} on ${values.port}: type 1–${box.buttons} + Enter\n`)
})
createInterface({ input: process.stdin }).on('line', (line) => {
  const button = Number(line.trim())
  if (Number.isInteger(button) && button >= 1 && button <= box.buttons) box.press(button)
}).on('close', () => { box.detach(); port.close() })
