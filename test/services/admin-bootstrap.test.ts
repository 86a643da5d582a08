// The first admin: created whatever the demo added, once, and the start log says which admin exists.
import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { seedDemo } from '../../api/demo/seed.ts'
import { ensureAdmin } from '../../api/services/admin-bootstrap.ts'
import { verifySecret } from '../../api/lib/secrets.ts'
import { migratedDatabase } from '../helper.ts'

function capturingLogger (): { log: pino.Logger, lines: () => string[] } {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(JSON.parse(String(chunk)).msg); done() } })
  return { log: pino({ level: 'info' }, stream), lines: () => lines }
}

t.test('the demo loaded first (a supervisor exists): the first start still creates the admin from ADMIN_PASSWORD, and says so', async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => { await db.destroy(); await drop() })
  await seedDemo(db, new Date(), 'test-pairing-key-not-a-secret-0123456789')
  const first = capturingLogger()
  const result = await ensureAdmin(db, 'admin', 'chosen-admin-password', first.log)
  t.equal(result.created, true, 'demo users do not suppress the first admin')
  t.same(first.lines(), ['created admin "admin" with the password from ADMIN_PASSWORD'])
  const admin = await db.selectFrom('users').select(['password_hash', 'role']).where('username', '=', 'admin').executeTakeFirstOrThrow()
  t.equal(admin.role, 'admin')
  t.ok(await verifySecret('chosen-admin-password', admin.password_hash), 'ADMIN_PASSWORD is its password')

  const next = capturingLogger()
  const again = await ensureAdmin(db, 'admin', 'another-password', next.log)
  t.equal(again.created, false, 'created once')
  t.same(next.lines(), ['admin account "admin" exists; ADMIN_PASSWORD is used only to create the first admin, so it is not used now'], 'the start log names the admin and says ADMIN_PASSWORD is not used')
  const quiet = capturingLogger()
  await ensureAdmin(db, 'admin', null, quiet.log)
  t.same(quiet.lines(), ['admin account "admin" exists'])
})

t.test('a deactivated admin does not count: a new admin name creates one; the same name says what to do', async (t) => {
  const { db, drop } = await migratedDatabase()
  t.teardown(async () => { await db.destroy(); await drop() })
  await ensureAdmin(db, 'admin', 'chosen-admin-password', capturingLogger().log)
  await db.updateTable('users').set({ active: false }).where('username', '=', 'admin').execute()
  const same = capturingLogger()
  t.equal((await ensureAdmin(db, 'admin', null, same.log)).created, false)
  t.match(same.lines()[0], /no active admin, and the user "admin" exists but is not one: set ADMIN_USERNAME/)
  const other = capturingLogger()
  const created = await ensureAdmin(db, 'quantri', null, other.log)
  t.equal(created.created, true)
  t.match(other.lines()[0], new RegExp(`created admin "quantri" with the generated password ${created.generatedPassword}`))
})
