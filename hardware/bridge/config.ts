// The bridge's configuration file: server URL, data folder, the ports to watch and the boxes it may serve.
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'

/** A port named by path, or found by USB vendor/product id (hex, as `lsusb` prints them). */
export type PortSpec =
  | { path: string }
  | { vendorId: string, productId: string, serialNumber?: string }

/** A box (by the serial number it sends in HELLO) and how it gets its terminal token. */
export interface BoxSpec {
  serial: string
  /** A terminal token, when the box was paired elsewhere. */
  token?: string
  /** A pairing code from the admin page; the bridge pairs on first contact and keeps the token in its state file. */
  pairingCode?: string
}

export interface BridgeConfig {
  apiUrl: string
  /** Folder of the journal (outbox.jsonl) and the state file (state.json). */
  dataDir: string
  ports: PortSpec[]
  boxes: BoxSpec[]
  baudRate: number
  /** Wait between attempts to (re)open a missing or unplugged port. */
  reopenMs: number
  /** Ceiling of the first wait after a failed delivery (jittered, doubling up to maxRetryMs, as the terminal's outbox). */
  retryMs: number
  maxRetryMs: number
  requestTimeoutMs: number
}

const DEFAULTS = { baudRate: 9600, reopenMs: 2000, retryMs: 1000, maxRetryMs: 30_000, requestTimeoutMs: 10_000 }
const HEX_ID = /^[0-9a-fA-F]{4}$/

function fail (message: string): never {
  throw new TypeError(`bridge config: ${message}`)
}

const TOP_KEYS = ['apiUrl', 'dataDir', 'ports', 'boxes', 'baudRate', 'reopenMs', 'retryMs', 'maxRetryMs', 'requestTimeoutMs']
const PORT_KEYS = ['path', 'vendorId', 'productId', 'serialNumber']
const BOX_KEYS = ['serial', 'token', 'pairingCode']

/** A misspelt key would be silently ignored and its default used: refuse it, suggesting the key meant. */
function refuseUnknownKeys (object: Record<string, unknown>, known: string[], where: string): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key)) continue
    const meant = known.find((candidate) => candidate.toLowerCase() === key.toLowerCase())
    const hint = meant === undefined ? ` (known: ${known.join(', ')})` : ` (did you mean "${meant}"?)`
    fail(`unknown key ${where}${JSON.stringify(key)}${hint}`)
  }
}

function positiveInt (value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) fail(`${name} must be a positive integer`)
  return value
}

/** Validates a parsed config object; a relative dataDir is taken from `baseDir`. Throws TypeError naming the bad field. */
export function parseBridgeConfig (input: unknown, baseDir = process.cwd()): BridgeConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('must be a JSON object')
  const raw = input as Record<string, unknown>
  refuseUnknownKeys(raw, TOP_KEYS, '')
  if (typeof raw.apiUrl !== 'string' || !/^https?:\/\//.test(raw.apiUrl)) fail('apiUrl must be an http(s) URL')
  if (typeof raw.dataDir !== 'string' || raw.dataDir === '') fail('dataDir is required')
  if (!Array.isArray(raw.ports) || raw.ports.length === 0) fail('ports must list at least one port')
  const ports = raw.ports.map((port: unknown, i): PortSpec => {
    const p = port as Record<string, unknown>
    if (typeof p === 'object' && p !== null) refuseUnknownKeys(p, PORT_KEYS, `in ports[${i}]: `)
    if (typeof p?.path === 'string' && p.path !== '') return { path: p.path }
    if (typeof p?.vendorId === 'string' && HEX_ID.test(p.vendorId) && typeof p.productId === 'string' && HEX_ID.test(p.productId)) {
      const spec: PortSpec = { vendorId: p.vendorId.toLowerCase(), productId: p.productId.toLowerCase() }
      if (typeof p.serialNumber === 'string') spec.serialNumber = p.serialNumber
      return spec
    }
    return fail(`ports[${i}] needs a path, or a vendorId and productId of 4 hex digits`)
  })
  if (!Array.isArray(raw.boxes) || raw.boxes.length === 0) fail('boxes must list at least one box')
  const serials = new Set<string>()
  const boxes = raw.boxes.map((box: unknown, i): BoxSpec => {
    const b = box as Record<string, unknown>
    if (typeof b === 'object' && b !== null) refuseUnknownKeys(b, BOX_KEYS, `in boxes[${i}]: `)
    if (typeof b?.serial !== 'string' || !/^[A-Za-z0-9-]{1,16}$/.test(b.serial)) fail(`boxes[${i}].serial must be 1–16 letters, digits or dashes`)
    if (serials.has(b.serial)) fail(`boxes[${i}].serial ${b.serial} is listed twice`)
    serials.add(b.serial)
    const spec: BoxSpec = { serial: b.serial }
    if (typeof b.token === 'string' && b.token !== '') spec.token = b.token
    if (typeof b.pairingCode === 'string' && b.pairingCode !== '') spec.pairingCode = b.pairingCode
    if (spec.token === undefined && spec.pairingCode === undefined) fail(`boxes[${i}] needs a token or a pairingCode`)
    return spec
  })
  return {
    apiUrl: raw.apiUrl,
    dataDir: resolve(baseDir, raw.dataDir),
    ports,
    boxes,
    baudRate: positiveInt(raw.baudRate, 'baudRate', DEFAULTS.baudRate),
    reopenMs: positiveInt(raw.reopenMs, 'reopenMs', DEFAULTS.reopenMs),
    retryMs: positiveInt(raw.retryMs, 'retryMs', DEFAULTS.retryMs),
    maxRetryMs: positiveInt(raw.maxRetryMs, 'maxRetryMs', DEFAULTS.maxRetryMs),
    requestTimeoutMs: positiveInt(raw.requestTimeoutMs, 'requestTimeoutMs', DEFAULTS.requestTimeoutMs)
  }
}

/** Reads and validates a JSON config file; a relative dataDir is relative to the file. */
export async function loadBridgeConfig (file: string): Promise<BridgeConfig> {
  const text = await readFile(file, 'utf8')
  let parsed: unknown
  try { parsed = JSON.parse(text) } catch (error) { return fail(`${file} is not JSON: ${(error as Error).message}`) }
  return parseBridgeConfig(parsed, dirname(resolve(file)))
}
