// Hashing and generating secrets: passwords and PINs (scrypt), bearer tokens and pairing codes (SHA-256).
import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'

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
export function newToken (prefix: 'hlt' | 'hla' | 'hls'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`
}

/** Tokens are long and random, so a fast hash is enough; the database never holds the token itself. */
export function hashToken (token: string): string {
  return createHash('sha256').update(token).digest('hex')
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
