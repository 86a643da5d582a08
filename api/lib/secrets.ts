// Hashing and generating secrets: passwords and PINs (scrypt), bearer tokens (SHA-256), pairing codes (HMAC-SHA-256).
import { createHmac, hash, randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'

const KEY_LENGTH = 32
const COST = { N: 16384, r: 8, p: 1 }

function scryptAsync (secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => { error ? reject(error) : resolve(key) })
  })
}

/** `scrypt$N$r$p$salt$key`, so the cost can grow later without breaking stored hashes. */
export async function hashSecret (secret: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(secret, salt, COST)
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$')
}

export async function verifySecret (secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return false
  const expected = Buffer.from(key, 'base64url')
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** A fresh bearer token: 32 random bytes, with a prefix saying what it is for. */
export function newToken (prefix: 'hlt' | 'hla' | 'hls' | 'hlq'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`
}

/** Tokens are long and random, so a fast hash is enough; the database never holds the token itself. */
export function hashToken (token: string): string {
  // The one-shot hash: a third of createHash().update().digest()'s cost, on every terminal request.
  return hash('sha256', token, 'hex')
}

/**
 * A pairing code has only 10^8 values: an unsalted SHA-256 of it is reversed by trying them all in seconds, so a
 * copy of the database would hand out every live code. Keyed with a server secret that is never in the database
 * (PAIRING_SECRET, or DATA_DIR/pairing.key), the stored hash says nothing without the key.
 */
export function hashPairingCode (code: string, key: string): string {
  return createHmac('sha256', key).update(code).digest('hex')
}

/** File beside the data that holds the pairing key when PAIRING_SECRET is not set. */
export const PAIRING_KEY_FILE = 'pairing.key'

/**
 * The pairing key: PAIRING_SECRET when set, else DATA_DIR/pairing.key, made (32 random bytes, mode 0600) at the
 * first start. Several API processes on one PostgreSQL must share it: set the same PAIRING_SECRET on each.
 */
export async function loadPairingKey (config: { pairingSecret: string | null, dataDir: string }): Promise<string> {
  if (config.pairingSecret !== null) return config.pairingSecret
  const file = path.join(config.dataDir, PAIRING_KEY_FILE)
  try {
    const stored = (await readFile(file, 'utf8')).trim()
    if (stored.length >= 32) return stored
    throw new Error(`${file} holds fewer than 32 characters; delete it to make a new key (pending pairing codes stop working)`)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  await mkdir(config.dataDir, { recursive: true })
  const key = randomBytes(32).toString('base64url')
  // 'wx': never overwrite a key another process wrote a moment ago; read theirs instead.
  try {
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' })
    return key
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return (await readFile(file, 'utf8')).trim()
  }
}

/** Digits only, so it is easy to type on a tablet's numeric keypad. */
export function newPairingCode (length = 8): string {
  let code = ''
  for (let i = 0; i < length; i++) code += String(randomInt(10))
  return code
}

/** A readable random password for the first admin. */
export function newPassword (): string {
  return randomBytes(12).toString('base64url')
}
