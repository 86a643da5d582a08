// Reads the environment once at boot into a typed, validated configuration object.
import net from 'node:net'
import path from 'node:path'
import { passwordProblem } from './lib/password-policy.ts'

export interface MisuseConfig {
  /** A press within this many seconds of the previous press on the same terminal is flagged. */
  cooldownSeconds: number
  /** More than `burstCount` presses within `burstWindowSeconds` on one terminal are flagged. */
  burstCount: number
  burstWindowSeconds: number
}

export interface Config {
  port: number
  host: string
  /** PostgreSQL server URL; null means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | null
  /**
   * A streaming replica of `databaseUrl` (DATABASE_READ_URL) for figures, exports and lists; null: they read the primary.
   * Writes, the ingest, sessions and the live hub always use the primary (docs/scale.md lists the routes).
   */
  databaseReadUrl: string | null
  dataDir: string
  adminUsername: string
  /** null: generate one and print it once, when the database has no user yet. */
  adminPassword: string | null
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Sessions expire after this many hours without use. */
  sessionTtlHours: number
  /** Officers with fewer ratings than this in a period are marked `smallSample`. */
  minSample: number
  /** How far ahead of the server clock a device's `ratedAt` may be before it is not trusted. */
  clockSkewSeconds: number
  /** Ingest commits running at once (group commit). */
  ingestCommits: number
  misuse: MisuseConfig
  /** Origins allowed to send state-changing requests besides the server's own. */
  trustedOrigins: string[]
  /**
   * Which X-Forwarded-* to believe (Fastify's trustProxy): false = none, a number = that many proxy hops in front,
   * a list = the proxies' addresses or CIDR ranges. Never `true`, which would believe whatever a client writes.
   */
  trustProxy: false | number | string[]
  /** Bearer token a Prometheus scraper sends to /metrics; null: only loopback and private-network callers may read it. */
  metricsToken: string | null
  /** A session ends this many hours after sign-in, however often it is used (the sliding expiry is within it). */
  sessionMaxHours: number
  /** Open live sockets allowed per session and per client address. */
  liveSocketsPerSession: number
  liveSocketsPerAddress: number
  /** Key of the pairing codes' HMAC (PAIRING_SECRET); null: DATA_DIR/pairing.key, made at the first start. */
  pairingSecret: string | null
}

export class ConfigError extends Error {
  constructor (
    readonly variable: string,
    detail: string
  ) {
    super(`${variable} ${detail}`)
    this.name = 'ConfigError'
  }
}

type Env = Record<string, string | undefined>

function readInt (env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number between ${min} and ${max}, got "${raw}"`)
  const value = Number(raw)
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`)
  return value
}

function readString (env: Env, name: string, fallback: string): string {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  return raw
}

/**
 * TRUST_PROXY: false/0 (default), a hop count (1 = one nginx in front), or the proxies' addresses/CIDRs
 * ("127.0.0.1,10.0.0.0/8"). `true` is refused: it trusts the left-most X-Forwarded-For, which the client writes.
 */
function readTrustProxy (env: Env): false | number | string[] {
  const raw = (env.TRUST_PROXY ?? '').trim()
  if (raw === '' || /^(0|false|no)$/i.test(raw)) return false
  if (/^(true|yes)$/i.test(raw)) {
    throw new ConfigError(
      'TRUST_PROXY',
      'must be a hop count (e.g. 1 for one nginx in front) or the proxies\' addresses (e.g. 127.0.0.1,10.0.0.0/8); "true" would believe any client\'s X-Forwarded-For'
    )
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw)
    if (hops > 10) throw new ConfigError('TRUST_PROXY', `must be a hop count between 1 and 10, got ${hops}`)
    return hops
  }
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
  for (const entry of entries) {
    const [address, bits, extra] = entry.split('/')
    const family = net.isIP(address ?? '')
    const prefixOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32))
    if (family === 0 || !prefixOk || extra !== undefined) {
      throw new ConfigError(
        'TRUST_PROXY',
        `must be a hop count or a comma-separated list of proxy addresses or CIDR ranges, got "${entry}"`
      )
    }
  }
  return entries
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

function readDatabaseUrl (env: Env, name: 'DATABASE_URL' | 'DATABASE_READ_URL'): string | null {
  const raw = env[name]
  if (raw === undefined || raw === '') return null
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError(name, 'must be a URL like postgres://user:password@host:5432/database')
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must start with postgres:// or postgresql://, got "${url.protocol}//"`)
  }
  return raw
}

/** Builds the configuration from environment variables; overrides win (tests use them). */
export function loadConfig (env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const logLevel = readString(env, 'LOG_LEVEL', 'info')
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${logLevels.join(', ')}, got "${logLevel}"`)
  }
  const adminPassword = env.ADMIN_PASSWORD === undefined || env.ADMIN_PASSWORD === '' ? null : env.ADMIN_PASSWORD
  if (adminPassword !== null && adminPassword.length < 8) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be at least 8 characters long')
  }
  const adminUsername = readString(env, 'ADMIN_USERNAME', 'admin')
  if (!/^[a-zA-Z0-9._-]{3,64}$/.test(adminUsername)) {
    throw new ConfigError('ADMIN_USERNAME', 'must be 3–64 letters, digits, dots, dashes or underscores')
  }
  // The same rule as every other password: the first admin's is the one a guesser tries first.
  const adminPasswordProblem = adminPassword === null ? null : passwordProblem(adminPassword, adminUsername)
  if (adminPasswordProblem === 'PASSWORD_TOO_COMMON') {
    throw new ConfigError('ADMIN_PASSWORD', 'is among the most common passwords; choose another')
  }
  if (adminPasswordProblem === 'PASSWORD_CONTAINS_USERNAME') {
    throw new ConfigError('ADMIN_PASSWORD', 'must not contain ADMIN_USERNAME; choose another')
  }
  const trustedOrigins = readString(env, 'TRUSTED_ORIGINS', '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '')
  for (const origin of trustedOrigins) {
    if (!/^https?:\/\/[^/]+$/.test(origin)) {
      throw new ConfigError('TRUSTED_ORIGINS', `must list origins like https://host:port, got "${origin}"`)
    }
  }
  const metricsToken = env.METRICS_TOKEN === undefined || env.METRICS_TOKEN === '' ? null : env.METRICS_TOKEN
  if (metricsToken !== null && metricsToken.length < 16) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters long')
  }
  const pairingSecret = env.PAIRING_SECRET === undefined || env.PAIRING_SECRET === '' ? null : env.PAIRING_SECRET
  if (pairingSecret !== null && pairingSecret.length < 32) {
    throw new ConfigError('PAIRING_SECRET', 'must be at least 32 characters long (e.g. openssl rand -base64 32)')
  }
  const databaseUrl = readDatabaseUrl(env, 'DATABASE_URL')
  const databaseReadUrl = readDatabaseUrl(env, 'DATABASE_READ_URL')
  if (databaseReadUrl !== null && databaseUrl === null) {
    throw new ConfigError('DATABASE_READ_URL', 'needs DATABASE_URL: it names a streaming replica of that PostgreSQL server (PGlite has none)')
  }
  const config: Config = {
    port: readInt(env, 'PORT', 3000, 0, 65535),
    host: readString(env, 'HOST', '127.0.0.1'),
    databaseUrl,
    databaseReadUrl,
    dataDir: path.resolve(readString(env, 'DATA_DIR', './data')),
    adminUsername,
    adminPassword,
    logLevel: logLevel as Config['logLevel'],
    sessionTtlHours: readInt(env, 'SESSION_TTL_HOURS', 12, 1, 24 * 30),
    minSample: readInt(env, 'MIN_SAMPLE', 30, 1, 100000),
    clockSkewSeconds: readInt(env, 'CLOCK_SKEW_SECONDS', 300, 0, 86400),
    ingestCommits: readInt(env, 'INGEST_COMMITS', 2, 1, 16),
    misuse: {
      cooldownSeconds: readInt(env, 'MISUSE_COOLDOWN_SECONDS', 3, 0, 3600),
      burstCount: readInt(env, 'MISUSE_BURST_COUNT', 5, 1, 10000),
      burstWindowSeconds: readInt(env, 'MISUSE_BURST_WINDOW_SECONDS', 60, 1, 86400)
    },
    trustedOrigins,
    trustProxy: readTrustProxy(env),
    metricsToken,
    sessionMaxHours: readInt(env, 'SESSION_MAX_HOURS', 24, 1, 24 * 90),
    liveSocketsPerSession: readInt(env, 'LIVE_SOCKETS_PER_SESSION', 5, 1, 100),
    liveSocketsPerAddress: readInt(env, 'LIVE_SOCKETS_PER_ADDRESS', 200, 1, 100000),
    pairingSecret
  }
  return { ...config, ...overrides }
}

/** Variables read outside loadConfig (tools, Node, npm), which are never suspicious. */
const otherKnownVariables = ['NODE_ENV', 'DEBUG', 'CI', 'CHROMIUM_PATH', 'PG_BIN', 'TZ', 'HOME', 'PATH', 'HOSTNAME']

function editDistance (a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/**
 * Warnings for variables that look meant for Hài Lòng but are not read: an HL_/HAILONG_ name, or a near miss of a
 * setting's name (ADMIN_PASWORD, DATABSE_URL). The known names are the ones loadConfig reads, so a new setting is known
 * at once. Short names (PORT, HOST) are left out of the near-miss check: PATH and HOME are one letter off.
 */
export function configWarnings (env: Env = process.env): string[] {
  const read = new Set<string>()
  const recorder = new Proxy(env, {
    get: (target, name) => {
      if (typeof name === 'string') read.add(name)
      return target[name as string]
    }
  })
  try {
    loadConfig(recorder)
  } catch {
    /* a bad value stops the start on its own */
  }
  const known = [...read]
  const warnings: string[] = []
  for (const name of Object.keys(env)) {
    if (read.has(name) || otherKnownVariables.includes(name) || name.startsWith('npm_')) continue
    const upper = name.toUpperCase()
    const near = known.find((candidate) => candidate.length >= 6 && editDistance(upper, candidate) <= (candidate.length >= 8 ? 2 : 1))
    if (near !== undefined) {
      warnings.push(`the environment variable ${name} is not a setting: did you mean ${near}?`)
    } else if (/^(HL|HAILONG|HAI_LONG)_/i.test(name)) {
      warnings.push(`the environment variable ${name} is not a setting of Hài Lòng (see .env.example); it is ignored`)
    }
  }
  return warnings
}
