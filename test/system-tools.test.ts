// `npm test` on a machine with only Node: tests needing Chromium, socat, the AVR toolchain or a PostgreSQL server skip
// with a line naming the tool and its Debian package; with CI=true the same missing tool fails them.
import { spawn } from 'node:child_process'
import { mkdtemp, rm, symlink } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const root = fileURLToPath(new URL('../', import.meta.url))

/** A PATH holding only node: what a fresh machine with Node alone offers. */
async function nodeOnlyPath (): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hl-node-only-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await symlink(process.execPath, path.join(dir, 'node'))
  return dir
}

async function runFile (file: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: root,
    env: { HOME: process.env.HOME ?? '', PG_BIN: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += String(chunk)
  })
  child.stderr.on('data', (chunk) => {
    output += String(chunk)
  })
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  return { code, output }
}

const files = [
  { file: 'test/dashboard/live.test.ts', line: /^1\.\.0 # needs Chromium \(Debian package chromium\): apt-get install -y chromium$/m },
  { file: 'test/terminal/rating.test.ts', line: /^1\.\.0 # needs Chromium \(Debian package chromium\)/m },
  {
    file: 'test/hardware/firmware.test.ts',
    line: /^1\.\.0 # needs make \(Debian package make\), avr-gcc \(Debian package gcc-avr\), avr-libc \(Debian package avr-libc\), a C compiler \(cc\) \(Debian package gcc\), simavr \(library and headers\) \(Debian package libsimavr-dev\)/m
  },
  {
    file: 'test/hardware/bridge.test.ts',
    line: /, socat \(Debian package socat\): apt-get install -y make gcc-avr avr-libc gcc libsimavr-dev socat$/m
  },
  {
    file: 'test/reliability/graceful-shutdown.test.ts',
    line: /^1\.\.0 # needs a PostgreSQL server \(initdb, pg_ctl\) \(Debian package postgresql\)/m
  }
]

t.test('without the tools (PATH with node only): each such file is skipped with one line naming the tool and package', async (t) => {
  const bin = await nodeOnlyPath()
  for (const { file, line } of files) {
    const { code, output } = await runFile(file, { PATH: bin, CI: 'false' })
    t.equal(code, 0, `${file}: skipped, not failed`)
    t.match(output, line, `${file}: ${output.split('\n').find((text) => text.startsWith('1..0')) ?? output}`)
    t.notMatch(output, /not ok/, `${file}: nothing failed`)
  }
})

t.test('with CI=true the same missing tool is a failure', async (t) => {
  const bin = await nodeOnlyPath()
  for (const { file } of [files[0]!, files[2]!]) {
    const { code, output } = await runFile(file, { PATH: bin, CI: 'true' })
    t.not(code, 0, `${file}: fails in CI`)
    t.match(output, /CI=true and a test needs /, `${file}: says what is missing`)
  }
})
