// Pairing codes (issue 13 §7): stored as HMAC-SHA-256 with a key outside the database, so a copy of it reveals no live code.
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { buildApp } from '../../api/app.ts'
import { ConfigError, loadConfig } from '../../api/config.ts'
import { loadPairingKey } from '../../api/lib/secrets.ts'
import { build, testConfig } from '../helper.ts'
import { seedCentre, seedUser, signIn } from '../fixtures.ts'

t.test('a copy of the database does not give the live pairing codes', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const cookies = await signIn(app, await seedUser(app.db, 'admin', null))
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/terminals',
    cookies,
    payload: { counterId: centre.counterIds[1], kind: 'touch' }
  })
  t.equal(created.statusCode, 201)
  const { pairingCode, terminal } = created.json()
  const stored = await app.db.selectFrom('terminals').select('pairing_code_hash').where('id', '=', terminal.id).executeTakeFirstOrThrow()
  t.not(stored.pairing_code_hash, null)
  t.not(stored.pairing_code_hash, createHash('sha256').update(pairingCode).digest('hex'), 'not the bare SHA-256 of the code')
  // What a thief with the table does: hash every 8-digit code and look the stored hashes up. A slice of the 10^8
  // codes around the real one stands for all of them: without the key none matches.
  const code = Number(pairingCode)
  const found: string[] = []
  for (let candidate = Math.max(0, code - 20000); candidate <= Math.min(99_999_999, code + 20000); candidate++) {
    const guess = String(candidate).padStart(8, '0')
    if (createHash('sha256').update(guess).digest('hex') === stored.pairing_code_hash) found.push(guess)
  }
  t.same(found, [], 'hashing candidate codes without the key finds nothing')

  const paired = await app.inject({ method: 'POST', url: '/api/v1/terminals/pair', remoteAddress: '10.3.0.1', payload: { pairingCode } })
  t.equal(paired.statusCode, 200, 'the code still pairs the device')
  t.equal(paired.json().terminalId, terminal.id)
})

t.test('a server with another key cannot use the codes', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const cookies = await signIn(app, await seedUser(app.db, 'admin', null))
  const { pairingCode } = (
    await app.inject({ method: 'POST', url: '/api/v1/terminals', cookies, payload: { counterId: centre.counterIds[1], kind: 'touch' } })
  ).json()
  // The same database behind a second app whose key differs (a stolen copy, run elsewhere).
  const other = await buildApp({ config: testConfig({ pairingSecret: 'another-key-entirely-0123456789abcdef' }), db: app.db })
  t.teardown(() => other.close().catch(() => {}))
  await other.ready()
  const refused = await other.inject({ method: 'POST', url: '/api/v1/terminals/pair', remoteAddress: '10.3.0.2', payload: { pairingCode } })
  t.equal(refused.statusCode, 400)
  t.equal(refused.json().code, 'PAIRING_CODE_INVALID')
  const accepted = await app.inject({ method: 'POST', url: '/api/v1/terminals/pair', remoteAddress: '10.3.0.3', payload: { pairingCode } })
  t.equal(accepted.statusCode, 200, 'the server holding the key pairs with it')
})

t.test('the key: PAIRING_SECRET, else a file beside the data made once with mode 0600', async (t) => {
  t.throws(() => loadConfig({ PAIRING_SECRET: 'too-short' }), ConfigError)
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hl-pairing-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  t.equal(
    await loadPairingKey({ pairingSecret: 'configured-key-0123456789abcdef-XYZ', dataDir: dir }),
    'configured-key-0123456789abcdef-XYZ'
  )
  const dataDir = path.join(dir, 'data')
  const first = await loadPairingKey({ pairingSecret: null, dataDir })
  t.ok(first.length >= 32, 'a long random key')
  t.equal(await loadPairingKey({ pairingSecret: null, dataDir }), first, 'the same key at the next start')
  const file = path.join(dataDir, 'pairing.key')
  t.equal((await readFile(file, 'utf8')).trim(), first)
  t.equal((await stat(file)).mode & 0o777, 0o600, "readable by the server's user only")
  await writeFile(file, 'short\n')
  await t.rejects(loadPairingKey({ pairingSecret: null, dataDir }), /fewer than 32 characters/, 'a damaged key file is a clear start error')
})
