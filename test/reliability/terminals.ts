// Simulated touch terminals: the terminal app's own API client (terminal/api.ts) and outbox (terminal/outbox.ts), on fake-indexeddb, one
// per counter.
import { AsyncLocalStorage } from 'node:async_hooks'
import { IDBFactory } from 'fake-indexeddb'
import { api, type RatingItem, type RatingResult, type TerminalState } from '../../terminal/api.ts'
import { localIso, newRatingId } from '../../terminal/device.ts'
import { createSender, openOutbox, type Outbox, type Sender } from '../../terminal/outbox.ts'

const directFetch = globalThis.fetch
const device = new AsyncLocalStorage<{ address: string }>()

/**
 * The terminal app calls `fetch('/api/v1/…')` as a page of the server would; here those calls go to `baseUrl`
 * (the proxy). Each tablet has its own address, as behind a centre's nginx (X-Forwarded-For, TRUST_PROXY),
 * so ten pairings a minute per device is the limit that applies, not per centre.
 */
export function routeTerminalFetch (baseUrl: string): () => void {
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const target = typeof input === 'string' && input.startsWith('/') ? new URL(input, baseUrl) : input
    const headers = new Headers(init?.headers)
    const current = device.getStore()
    if (current !== undefined) headers.set('x-forwarded-for', current.address)
    return directFetch(target, { ...init, headers })
  }
  return () => { globalThis.fetch = directFetch }
}

/** An admin's session on the API, for setting up the centre. */
export class AdminClient {
  private constructor (private readonly baseUrl: string, private readonly cookie: string) {}

  static async signIn (baseUrl: string, password: string): Promise<AdminClient> {
    const response = await directFetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password })
    })
    if (response.status !== 200) throw new Error(`admin login failed: ${response.status} ${await response.text()}`)
    const cookie = response.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ')
    return new AdminClient(baseUrl, cookie)
  }

  async request<T> (method: string, path: string, body?: unknown): Promise<T> {
    const response = await directFetch(`${this.baseUrl}/api/v1/${path}`, {
      method,
      headers: { cookie: this.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await response.text()
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`)
    return (text === '' ? undefined : JSON.parse(text)) as T
  }
}

export interface SeededProvince {
  provinceId: string
  centreIds: string[]
  /** One counter per terminal, with a pairing code; every other counter has an officer on shift. */
  counters: Array<{ counterId: string, pairingCode: string }>
}

/**
 * Through the admin API: a province, a ward with two centres, `terminals` counters spread over them, officers, terminals awaiting pairing.
 */
export async function seedProvince (admin: AdminClient, terminals: number, tag: string): Promise<SeededProvince> {
  const unit = (body: { parentId: string | null, kind: string, code: string, name: string }): Promise<{ id: string }> =>
    admin.request<{ id: string }>('POST', 'units', body)
  const province = await unit({ parentId: null, kind: 'province', code: `${tag}-P`, name: `Tỉnh Kiểm Thử ${tag}` })
  const ward = await unit({ parentId: province.id, kind: 'ward', code: `${tag}-W`, name: `Phường Bền Bỉ ${tag}` })
  const centreIds: string[] = []
  for (const n of [1, 2]) {
    const centre = await unit({ parentId: ward.id, kind: 'centre', code: `${tag}-C${n}`, name: `Trung tâm Phục vụ hành chính công ${n}` })
    centreIds.push(centre.id)
  }
  const counters: SeededProvince['counters'] = []
  for (let i = 0; i < terminals; i++) {
    const unitId = centreIds[i % 2]!
    const counter = await admin.request<{ id: string }>('POST', 'counters', { unitId, number: i + 1, name: `Quầy ${i + 1}` })
    if (i % 2 === 0) {
      const officer = await admin.request<{ id: string }>('POST', 'officers', {
        unitId, staffCode: `${tag}-CB${i + 1}`, fullName: `Cán bộ ${i + 1}`, pin: '2468'
      })
      await admin.request('PUT', `counters/${counter.id}/assignment`, { officerId: officer.id })
    }
    const created = await admin.request<{ pairingCode: string }>('POST', 'terminals', { counterId: counter.id, kind: 'touch' })
    counters.push({ counterId: counter.id, pairingCode: created.pairingCode })
  }
  return { provinceId: province.id, centreIds, counters }
}

/** One tablet at one counter: pairs with its code, keeps every tap in its own IndexedDB outbox and sends it with the app's sender. */
export class SimulatedTerminal {
  /** Every rating id tapped here, in tap order. */
  readonly tapped: string[] = []
  /** Answers seen from the server, by status (a `duplicate` is a replay whose first answer was lost). */
  readonly answers = { created: 0, duplicate: 0, rejected: 0 }
  /** Batches sent, and those that failed (no answer, or an error status) and were retried later. */
  sends = 0
  failedSends = 0
  readonly rejected: RatingResult[] = []

  private constructor (
    readonly address: string,
    readonly token: string,
    readonly state: TerminalState,
    private readonly outbox: Outbox,
    private readonly sender: Sender
  ) {}

  static async pair (index: number, pairingCode: string): Promise<SimulatedTerminal> {
    const address = `10.8.${Math.floor(index / 250)}.${(index % 250) + 1}`
    return device.run({ address }, async () => {
      const { token } = await api.pair(pairingCode)
      const state = await api.state(token)
      const outbox = await openOutbox(new IDBFactory(), `hai-long-terminal-${index}`)
      let terminal: SimulatedTerminal | null = null
      const sender = createSender({
        outbox,
        send: (ratings) => device.run({ address }, async () => {
          terminal!.sends++
          try {
            const results = await api.sendRatings(token, ratings)
            for (const result of results) terminal!.answers[result.status]++
            return results
          } catch (error) {
            terminal!.failedSends++
            throw error
          }
        }),
        onRejected: (result) => terminal!.rejected.push(result)
      })
      terminal = new SimulatedTerminal(address, token, state, outbox, sender)
      return terminal
    })
  }

  /**
   * A citizen taps a level (stored at once, held while the criteria are asked), answers some criteria or
   * none, and the rating is released to the sender, as terminal/pages/Rate does.
   */
  async press (random: () => number = Math.random): Promise<void> {
    const level = this.state.scale[Math.floor(random() * this.state.scale.length)]!
    const rating: RatingItem = {
      id: newRatingId(),
      level: level.level,
      ratedAt: localIso(new Date()),
      ...(this.state.officer !== null ? { officerId: this.state.officer.id } : {})
    }
    const ask = this.state.criteria.length > 0
    await this.outbox.add(rating, { held: ask })
    this.tapped.push(rating.id)
    if (!ask) return this.sender.kick()
    const answers: Record<string, boolean> = {}
    for (const criterion of this.state.criteria) if (random() < 0.5) answers[criterion.code] = random() < 0.8
    await this.outbox.release(rating.id, answers)
    this.sender.kick()
  }

  /** Try now, as the app does when its live socket reconnects. */
  kick (): void {
    this.sender.kick()
  }

  pending (): Promise<number> {
    return this.outbox.count()
  }

  async close (): Promise<void> {
    this.sender.stop()
    await this.sender.idle()
    this.outbox.close()
  }
}
