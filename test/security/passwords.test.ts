// Weak passwords (issue 13 §7): common ones and ones built on the username are refused wherever a password is set.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { ConfigError, loadConfig } from '../../api/config.ts'
import { build } from '../helper.ts'
import { seedCentre, seedUser, signIn } from '../fixtures.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))

t.test('creating a user refuses common passwords and the username; nothing is created', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const cookies = await signIn(app, await seedUser(app.db, 'admin', null))
  const usersBefore = (await app.db.selectFrom('users').select('id').execute()).length
  const weak: Array<[string, string]> = [
    ['password1', 'PASSWORD_TOO_COMMON'],
    ['iloveyou', 'PASSWORD_TOO_COMMON'],
    ['Qwerty123', 'PASSWORD_TOO_COMMON'],
    ['12345678', 'PASSWORD_TOO_COMMON'],
    ['matkhau123', 'PASSWORD_TOO_COMMON'],
    ['giamsat.hoabinh', 'PASSWORD_CONTAINS_USERNAME'],
    ['GiamSat.HoaBinh', 'PASSWORD_CONTAINS_USERNAME'],
    ['giamsat.hoabinh2026!', 'PASSWORD_CONTAINS_USERNAME'],
    ['short7!', 'VALIDATION_FAILED']
  ]
  for (const [password, code] of weak) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      cookies,
      payload: { username: 'giamsat.hoabinh', password, role: 'supervisor', unitId: centre.centreId }
    })
    t.equal(response.statusCode, 400, `${password} is refused`)
    t.equal(response.json().code, code, `${password}: ${code}`)
  }
  t.equal((await app.db.selectFrom('users').select('id').execute()).length, usersBefore, 'no user was created')

  const good = await app.inject({
    method: 'POST',
    url: '/api/v1/users',
    cookies,
    payload: { username: 'giamsat.hoabinh', password: 'ngựa vằn ăn cỏ 7', role: 'supervisor', unitId: centre.centreId }
  })
  t.equal(good.statusCode, 201, 'a password nobody guesses first is accepted')
  await signIn(app, { username: 'giamsat.hoabinh', password: 'ngựa vằn ăn cỏ 7' })
})

t.test('changing a password refuses the same; the old one keeps working', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const admin = await signIn(app, await seedUser(app.db, 'admin', null))
  const user = await seedUser(app.db, 'analyst', centre.provinceId)
  for (const [password, code] of [
    ['letmein123', 'PASSWORD_TOO_COMMON'],
    ['sunshine', 'PASSWORD_TOO_COMMON'],
    [`${user.username.toUpperCase()}-mới`, 'PASSWORD_CONTAINS_USERNAME']
  ]) {
    const response = await app.inject({ method: 'PATCH', url: `/api/v1/users/${user.id}`, cookies: admin, payload: { password } })
    t.equal(response.statusCode, 400, `${password} is refused`)
    t.equal(response.json().code, code)
  }
  await signIn(app, user)
  const changed = await app.inject({
    method: 'PATCH',
    url: `/api/v1/users/${user.id}`,
    cookies: admin,
    payload: { password: 'trăng rằm tháng tám' }
  })
  t.equal(changed.statusCode, 200)
  await signIn(app, { username: user.username, password: 'trăng rằm tháng tám' })
})

t.test('ADMIN_PASSWORD: a common one or one containing ADMIN_USERNAME is a clear start error', async (t) => {
  const refused = (env: Record<string, string>): string | null => {
    try {
      loadConfig(env)
      return null
    } catch (error) {
      return error instanceof ConfigError ? `${error.variable}: ${error.message}` : String(error)
    }
  }
  t.match(refused({ ADMIN_PASSWORD: 'password123' }), /^ADMIN_PASSWORD: .*common/)
  t.match(refused({ ADMIN_PASSWORD: 'admin-password' }), /^ADMIN_PASSWORD: .*ADMIN_USERNAME/)
  t.match(refused({ ADMIN_PASSWORD: 'My-Quantri!-2026', ADMIN_USERNAME: 'quantri' }), /^ADMIN_PASSWORD: .*ADMIN_USERNAME/)
  t.equal(refused({ ADMIN_PASSWORD: 'Ba con mèo trèo cây cau' }), null)

  const child = spawn(process.execPath, ['--import', 'tsx', 'api/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ADMIN_PASSWORD: 'iloveyou1', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += String(chunk)
  })
  child.stderr.on('data', (chunk) => {
    output += String(chunk)
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)))
  clearTimeout(killer)
  t.equal(code, 1, 'the server does not start')
  t.match(output, /ADMIN_PASSWORD/, 'and says which setting is wrong')
  t.notMatch(output, /iloveyou1/, 'without printing the password')
  t.notMatch(output, /\n\s+at /, 'in one clear line, no stack trace')
})
