// Deterministic rating ids: UUID v5 of (box serial, boot counter, sequence), so a retransmitted press is stored once.
import { createHash } from 'node:crypto'

/** The namespace of Hài Lòng button-box ratings (a fixed random UUID; never change it). */
export const BUTTON_BOX_NAMESPACE = '6f1c2a4e-8d3b-4f57-9a0e-3c5b7d9e1f20'

/** RFC 9562 UUID version 5 (SHA-1) of `name` in `namespace`. */
export function uuidV5 (name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex')
  if (ns.length !== 16) throw new TypeError('namespace must be a UUID')
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest()
  hash[6] = (hash[6]! & 0x0f) | 0x50
  hash[8] = (hash[8]! & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

/**
 * The id of press `seq` in boot `boot` of box `serial`. `epoch` counts the times the bridge saw this serial's
 * boot counter start over (EEPROM erased) or the serial on two boxes at once; epoch 0 is the plain name, so ids
 * of boxes that never had that happen are unchanged.
 */
export function ratingId (serial: string, boot: number, seq: number, epoch = 0): string {
  return uuidV5(epoch === 0 ? `${serial}/${boot}/${seq}` : `${serial}/${boot}/${seq}/e${epoch}`, BUTTON_BOX_NAMESPACE)
}
