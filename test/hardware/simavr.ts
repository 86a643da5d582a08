// Test support: the box firmware running in simavr (boxsim), its UART on a pty reached through a fixed symlink, LEDs reported.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { symlink, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Test } from 'tap'
import { waitFor } from './serial-line.ts'

export interface SimulatedMcu {
  process: ChildProcessWithoutNullStreams
  leds: Map<string, number[]>
  press: (button: number) => void
  quit: () => Promise<void>
}

/**
 * Starts `buildDir/boxsim` on `buildDir/box.elf` with `eeprom` as its EEPROM file; `link` points at its pty. `quit` is a power cut after
 * which the EEPROM is kept.
 */
export async function startSimavr (t: Test, buildDir: string, eeprom: string, link: string): Promise<SimulatedMcu> {
  const child = spawn(join(buildDir, 'boxsim'), [join(buildDir, 'box.elf'), eeprom], { stdio: ['pipe', 'pipe', 'pipe'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  t.teardown(async () => { if (child.exitCode === null) { child.kill('SIGTERM'); await exited } })
  const leds = new Map<string, number[]>()
  let pty: string | null = null
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [word, name, value] = line.split(' ')
    if (word === 'PTY') pty = name!
    if (word === 'LED') leds.set(name!, [...(leds.get(name!) ?? []), Number(value)])
  })
  await waitFor('simavr to open its pty', () => pty !== null || child.exitCode !== null, 10_000)
  if (child.exitCode !== null) throw new Error(`boxsim exited with ${child.exitCode}`)
  await unlink(link).catch(() => {})
  await symlink(pty!, link)
  return {
    process: child,
    leds,
    press: (button) => child.stdin.write(`press ${button}\n`),
    quit: async () => { child.stdin.end('quit\n'); await exited }
  }
}
