// The operator's commands say what they did and how long it took, and warn about a misspelt or unknown variable.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { configWarnings } from '../../api/config.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))

async function run (script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
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

t.test('a misspelt or HL_ variable is warned about with the setting it resembles; the usual environment is not', async (t) => {
  t.same(
    configWarnings({
      ADMIN_PASWORD: 'secret-admin',
      DATABSE_URL: 'postgres://x',
      HL_PORT: '3001',
      session_ttl_hours: '4',
      PATH: '/usr/bin',
      HOME: '/root',
      HOSTNAME: 'vm',
      SESSION_MANAGER: 'local/vm',
      LOGNAME: 'root',
      PORT: '3000',
      SHELL: '/bin/bash',
      PWD: '/app',
      TERM: 'xterm',
      USER: 'root',
      LANG: 'C.UTF-8',
      NODE_ENV: 'production',
      npm_lifecycle_event: 'start'
    }),
    [
      'the environment variable ADMIN_PASWORD is not a setting: did you mean ADMIN_PASSWORD?',
      'the environment variable DATABSE_URL is not a setting: did you mean DATABASE_URL?',
      'the environment variable HL_PORT is not a setting of Hài Lòng (see .env.example); it is ignored',
      'the environment variable session_ttl_hours is not a setting: did you mean SESSION_TTL_HOURS?'
    ]
  )
  t.same(configWarnings({ MISUSE_BURST_COUNT: '5', METRICS_TOKEN: 'a-long-enough-scrape-token' }), [], 'real settings are known')
})

t.test('db:migrate and rollups:rebuild print what they did and the time; a misspelt variable is warned about', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hl-commands-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const migrations = (await readdir(path.join(root, 'migrations'))).filter((file) => file !== 'index.ts' && file.endsWith('.ts')).length
  const first = await run('api/commands/migrate.ts', { DATA_DIR: dataDir, ADMIN_PASWORD: 'typo-admin-password' })
  t.equal(first.code, 0, first.output)
  t.match(first.output, /^warning: the environment variable ADMIN_PASWORD is not a setting: did you mean ADMIN_PASSWORD\?$/m)
  // An empty folder starts from the migrated template when `npm run build` made one (db/pglite-template.ts).
  const fromTemplate = existsSync(path.join(root, 'dist', 'pglite-template', 'hai-long-template.json'))
  t.match(
    first.output,
    fromTemplate
      ? new RegExp(`^PGlite in ${dataDir} is up to date: no migration to apply \\(checked in \\d+\\.\\d s\\)$`, 'm')
      : new RegExp(`^applied ${migrations} migration\\(s\\) to PGlite in ${dataDir} in \\d+\\.\\d s: 2026_11_27_0001_organisation, `, 'm')
  )
  const again = await run('api/commands/migrate.ts', { DATA_DIR: dataDir })
  t.match(again.output, new RegExp(`^PGlite in ${dataDir} is up to date: no migration to apply \\(checked in \\d+\\.\\d s\\)$`, 'm'))
  const rebuild = await run('api/commands/rebuild-rollups.ts', { DATA_DIR: dataDir })
  t.equal(rebuild.code, 0, rebuild.output)
  t.match(
    rebuild.output,
    /^rollups rebuilt from 0 rating\(s\) in \d+\.\d s \(hourly, daily, monthly, unit subtree, officer, counter and heat-map rollups of PGlite in /m
  )
})
