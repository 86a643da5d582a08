// The system tools some tests need beyond Node (Chromium, socat, the AVR toolchain, simavr, a PostgreSQL server). On a
// machine without one, `npm test` skips those tests with a line naming the tool and its Debian package; with CI=true
// (as .ci/run sets) a missing tool fails the test instead, so CI always runs everything.
import { accessSync, constants, existsSync, readdirSync } from 'node:fs'
import path from 'node:path'

export interface SystemTool {
  /** What the skip line calls it. */
  name: string
  debianPackage: string
  /** Where it is, or null when it is missing. */
  find: () => string | null
}

/** An executable on PATH (so a PATH without it behaves as a machine without it). */
export function onPath (command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue
    const file = path.join(dir, command)
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch {
      /* not here */
    }
  }
  return null
}

/** A file beside an executable's prefix (avr-libc's headers sit in <prefix>/lib/avr/include beside <prefix>/bin/avr-gcc). */
function besidePrefix (command: string, relative: string): string | null {
  const executable = onPath(command)
  if (executable === null) return null
  const file = path.join(path.dirname(path.dirname(executable)), relative)
  return existsSync(file) ? file : null
}

/** PostgreSQL's server programs: PG_BIN, Debian's /usr/lib/postgresql/<version>/bin, or initdb on PATH. */
function postgresServer (): string | null {
  if (process.env.PG_BIN !== undefined && process.env.PG_BIN !== '') {
    return existsSync(path.join(process.env.PG_BIN, 'initdb')) ? process.env.PG_BIN : null
  }
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    const found = readdirSync(debian)
      .map((version) => path.join(debian, version, 'bin', 'initdb'))
      .find((file) => existsSync(file))
    if (found !== undefined) return found
  }
  return onPath('initdb')
}

export const tools = {
  chromium: {
    name: 'Chromium',
    debianPackage: 'chromium',
    find: () =>
      process.env.CHROMIUM_PATH !== undefined && process.env.CHROMIUM_PATH !== '' ? process.env.CHROMIUM_PATH : onPath('chromium')
  },
  socat: { name: 'socat', debianPackage: 'socat', find: () => onPath('socat') },
  make: { name: 'make', debianPackage: 'make', find: () => onPath('make') },
  cc: { name: 'a C compiler (cc)', debianPackage: 'gcc', find: () => onPath('cc') },
  avrGcc: { name: 'avr-gcc', debianPackage: 'gcc-avr', find: () => onPath('avr-gcc') },
  avrLibc: { name: 'avr-libc', debianPackage: 'avr-libc', find: () => besidePrefix('avr-gcc', 'lib/avr/include/avr/io.h') },
  simavr: {
    name: 'simavr (library and headers)',
    debianPackage: 'libsimavr-dev',
    find: () => (existsSync('/usr/include/simavr/sim_avr.h') && onPath('simavr') !== null ? '/usr/include/simavr' : null)
  },
  postgres: { name: 'a PostgreSQL server (initdb, pg_ctl)', debianPackage: 'postgresql', find: postgresServer }
} satisfies Record<string, SystemTool>

/** The firmware build and its simavr runner (hardware/firmware/Makefile). */
export const firmwareTools: SystemTool[] = [tools.make, tools.avrGcc, tools.avrLibc, tools.cc, tools.simavr]

export function missingTools (needed: SystemTool[]): SystemTool[] {
  return needed.filter((tool) => tool.find() === null)
}

/** "needs socat (Debian package socat)"; null when every tool is there. */
export function describeMissing (needed: SystemTool[]): string | null {
  const missing = missingTools(needed)
  if (missing.length === 0) return null
  return `needs ${missing.map((tool) => `${tool.name} (Debian package ${tool.debianPackage})`).join(', ')}: apt-get install -y ${[...new Set(missing.map((tool) => tool.debianPackage))].join(' ')}`
}

export const inCI = process.env.CI === 'true'

/** What `t.test(name, { skip }, …)` takes: the skip line outside CI, false when all is there; throws in CI when something is missing. */
export function skipUnless (needed: SystemTool[]): string | false {
  const missing = describeMissing(needed)
  if (missing === null) return false
  if (inCI) throw new Error(`CI=true and a test ${missing}`)
  return missing
}

interface FileTest {
  plan: (count: number, comment?: string) => void
}

/**
 * For a test file that starts its rig at the top (a browser, a firmware build): outside CI, a missing tool ends the
 * file at once as skipped with the line (tap counts it in its summary); in CI it throws, failing the file.
 */
export function requireTools (t: FileTest, needed: SystemTool[]): void {
  const reason = skipUnless(needed)
  if (reason === false) return
  t.plan(0, reason)
  // The file's own tests would start the missing tool; its TAP is written (stdout to tap is a pipe: synchronous).
  process.exit(0)
}
