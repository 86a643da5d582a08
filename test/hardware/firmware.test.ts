// The real box firmware: make builds it with Debian's avr-gcc and avr-libc, for the ATmega328P, within its flash and RAM.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { tempFolder } from './serial-line.ts'
import { firmwareTools, requireTools } from '../system-tools.ts'

// Skipped with a line naming the missing tool and its Debian package outside CI; a failure with CI=true.
requireTools(t, firmwareTools)

const run = promisify(execFile)
const firmwareDir = join(import.meta.dirname, '../../hardware/firmware')

const buildDir = await tempFolder(t, 'hl-fw-')
const made = await run('make', ['-C', firmwareDir, `BUILD=${buildDir}`, 'all', 'sim'], { timeout: 90_000 })

t.test('make builds the firmware for the ATmega328P, and it fits', async (t) => {
  const program = /Program:\s+(\d+) bytes/.exec(made.stdout)
  const data = /Data:\s+(\d+) bytes/.exec(made.stdout)
  t.ok(program !== null && data !== null, 'avr-size reports the sizes')
  t.ok(Number(program![1]) < 30 * 1024, `program ${program![1]} bytes fits 32 KiB flash with the 2 KiB bootloader`)
  t.ok(Number(data![1]) < 1536, `static RAM ${data![1]} bytes leaves room for the stack in 2 KiB`)
  const { stdout } = await run('avr-objdump', ['-f', join(buildDir, 'box.elf')])
  t.match(stdout, /architecture: avr:5/, 'an AVR ELF')
  const { stdout: hex } = await run('head', ['-c', '11', join(buildDir, 'box.hex')])
  t.match(hex, /^:10000000/, 'an Intel HEX image for avrdude')
})
