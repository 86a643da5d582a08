// Login limits (issue 13 §7): atomic under concurrency, Retry-After on 429, locked per (username, address) with a slower global limit.
import t from 'tap'
import { build } from '../helper.ts'
import { seedUser } from '../fixtures.ts'

const login = (app: Awaited<ReturnType<typeof build>>, remoteAddress: string, username: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { username, password } })

t.test('10 concurrent wrong passwords: at most 5 are judged, the rest wait with Retry-After', async (t) => {
  const app = await build(t)
  const user = await seedUser(app.db, 'admin', null)
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => login(app, '10.7.0.1', user.username, `wrong guess ${i}`)))
  const judged = answers.filter((answer) => answer.statusCode === 401)
  const waiting = answers.filter((answer) => answer.statusCode === 429)
  t.ok(judged.length <= 5, `${judged.length} passwords were checked (at most 5)`)
  t.equal(judged.length + waiting.length, 10, 'every other attempt is 429')
  for (const answer of waiting) {
    t.equal(answer.json().code, 'RATE_LIMITED')
    const retryAfter = Number(answer.headers['retry-after'])
    t.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 15 * 60, `Retry-After: ${answer.headers['retry-after']} seconds`)
  }
  const right = await login(app, '10.7.0.1', user.username, user.password)
  t.equal(right.statusCode, 429, 'the right password from the guessing address waits too')
  t.match(String(right.headers['retry-after']), /^\d+$/)
})

t.test('a guesser locks the account only for their own address', async (t) => {
  const app = await build(t)
  const user = await seedUser(app.db, 'admin', null)
  const codes: number[] = []
  for (let i = 0; i < 6; i++) codes.push((await login(app, '203.0.113.9', user.username.toUpperCase(), `guess ${i}`)).statusCode)
  t.same(codes, [401, 401, 401, 401, 401, 429], 'five wrong passwords (any letter case) from one address, then that address waits')
  const owner = await login(app, '10.20.0.5', user.username, user.password)
  t.equal(owner.statusCode, 200, 'the owner signs in from their own address')
  const otherGuess = await login(app, '10.20.0.6', user.username, 'another guess')
  t.equal(otherGuess.statusCode, 401, 'another address is still judged')
})

t.test('a slower limit per username across all addresses stops a spread-out guesser', async (t) => {
  const app = await build(t)
  const user = await seedUser(app.db, 'admin', null)
  let judged = 0
  let address = 0
  // Five guesses from each address, below the per-address lock, from as many addresses as it takes.
  while (address < 20) {
    address++
    const codes: number[] = []
    for (let i = 0; i < 5; i++) codes.push((await login(app, `198.51.100.${address}`, user.username, `guess ${address}-${i}`)).statusCode)
    judged += codes.filter((code) => code === 401).length
    if (codes.includes(429)) break
  }
  t.equal(judged, 30, 'at most 30 wrong passwords an hour are judged for one username, however many addresses')
  const blocked = await login(app, '198.51.100.250', user.username, user.password)
  t.equal(blocked.statusCode, 429, 'then the account waits for everyone')
  t.equal(blocked.json().code, 'RATE_LIMITED')
  const retryAfter = Number(blocked.headers['retry-after'])
  t.ok(retryAfter >= 1 && retryAfter <= 3600, `Retry-After: ${retryAfter} seconds`)
  const other = await seedUser(app.db, 'admin', null)
  t.equal((await login(app, '198.51.100.251', other.username, other.password)).statusCode, 200, 'other accounts are not affected')
})
