// Rating ingest with group commit: items from concurrent requests are stored in one transaction, each
// request answered only after that commit. Idempotent by rating id; misuse flagged; cases opened.
import { sql, type Kysely, type Transaction } from 'kysely'
import { Compile } from 'typebox/compile'
import type { Category, CriteriaAnswers, Database, ScaleLevelRow, TerminalKind } from '../db/schema.ts'
import type { Config } from '../config.ts'
import { RatingItem, type RatingResult } from '../schemas/terminals.ts'

export interface IngestTerminal {
  id: string
  unitId: string
  counterId: string
  kind: TerminalKind
}

/** A rating as stored, for the live feed and the rollups. */
export interface StoredRating {
  id: string
  unitId: string
  counterId: string
  terminalId: string
  officerId: string | null
  deviceOfficerId: string | null
  level: number
  category: Category
  weight: number
  criteria: CriteriaAnswers
  ratedAt: Date
  receivedAt: Date
  countedAt: Date
  clockUntrusted: boolean
  source: TerminalKind
  misuse: boolean
  misuseReason: 'cooldown' | 'burst' | null
  caseId: string | null
}

export interface IngestHooks {
  /** Runs after the commit (live events, metrics); errors are the hook's own business. */
  afterCommit?: (created: StoredRating[]) => void
}

export class IngestUnavailableError extends Error {
  constructor (cause: unknown) {
    super(`ratings could not be stored: ${cause instanceof Error ? cause.message : String(cause)}`)
    this.name = 'IngestUnavailableError'
  }
}

const checkItem = Compile(RatingItem)

/** Device clocks more than this far in the past are not trusted either (a reset clock reads 1970 or 2000). */
const OLDEST_TRUSTED_MS = 400 * 86400_000
/** Items from concurrent requests are committed together, up to this many per transaction. */
const MAX_BATCH = 1000

interface ValidItem {
  index: number
  item: RatingItem
  ratedAt: Date
}

interface PendingRequest {
  terminal: IngestTerminal
  items: ValidItem[]
  results: RatingResult[]
  resolve: (results: RatingResult[]) => void
  reject: (error: unknown) => void
}

function rejected (id: unknown, code: string, message: string): RatingResult {
  return { id: typeof id === 'string' ? id : null, status: 'rejected', error: { code, message } }
}

export class RatingIngest {
  private queue: PendingRequest[] = []
  private flushing: Promise<void> | null = null

  constructor (
    private readonly db: Kysely<Database>,
    private readonly config: Pick<Config, 'misuse' | 'clockSkewSeconds'>,
    private readonly hooks: IngestHooks = {}
  ) {}

  /** Checks each item on its own, queues the valid ones for the next commit, and answers after it. */
  submit (terminal: IngestTerminal, items: unknown[]): Promise<RatingResult[]> {
    const results: RatingResult[] = new Array(items.length)
    const valid: ValidItem[] = []
    items.forEach((raw, index) => {
      const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined
      if (!checkItem.Check(raw)) {
        const first = [...checkItem.Errors(raw)][0]
        results[index] = rejected(id, 'VALIDATION_FAILED', first === undefined ? 'invalid rating' : `${first.instancePath || 'rating'} ${first.message}`)
        return
      }
      const item = raw as RatingItem
      const ratedAt = new Date(item.ratedAt)
      if (Number.isNaN(ratedAt.getTime())) {
        results[index] = rejected(id, 'VALIDATION_FAILED', '/ratedAt is not a valid time')
        return
      }
      valid.push({ index, item: { ...item, id: item.id.toLowerCase() }, ratedAt })
    })
    if (valid.length === 0) return Promise.resolve(results)
    return new Promise((resolve, reject) => {
      this.queue.push({ terminal, items: valid, results, resolve, reject })
      this.schedule()
    })
  }

  /** While a commit runs, new requests wait and go together into the next one. */
  private schedule (): void {
    if (this.flushing !== null) return
    this.flushing = this.flushQueue().finally(() => {
      this.flushing = null
      // A request queued after the loop's last check but before this line would otherwise wait forever.
      if (this.queue.length > 0) this.schedule()
    })
  }

  private async flushQueue (): Promise<void> {
    while (this.queue.length > 0) {
      const batch: PendingRequest[] = []
      let size = 0
      while (this.queue.length > 0 && (batch.length === 0 || size + this.queue[0]!.items.length <= MAX_BATCH)) {
        const next = this.queue.shift()!
        size += next.items.length
        batch.push(next)
      }
      await this.commit(batch)
    }
  }

  private cachedCatalogue: { scale: Map<number, ScaleLevelRow>, criterionCodes: Set<string>, loadedAt: number } | null = null

  /** The scale and the criteria change rarely: read them at most once a second, and at once after `catalogueChanged`. */
  private async catalogue (trx: Transaction<Database>): Promise<{ scale: Map<number, ScaleLevelRow>, criterionCodes: Set<string> }> {
    if (this.cachedCatalogue !== null && Date.now() - this.cachedCatalogue.loadedAt < 1000) return this.cachedCatalogue
    const [scaleRows, criteriaRows] = await Promise.all([
      trx.selectFrom('scale_levels').selectAll().execute(),
      trx.selectFrom('criteria').select('code').where('active', '=', true).execute()
    ])
    this.cachedCatalogue = { scale: new Map(scaleRows.map((row) => [row.level, row])), criterionCodes: new Set(criteriaRows.map((row) => row.code)), loadedAt: Date.now() }
    return this.cachedCatalogue
  }

  /** Call after the scale or the criteria changed. */
  catalogueChanged (): void {
    this.cachedCatalogue = null
  }

  /** Waits for every queued rating to be committed (graceful shutdown). */
  async drain (): Promise<void> {
    while (this.flushing !== null) await this.flushing
  }

  private async commit (batch: PendingRequest[]): Promise<void> {
    let created: StoredRating[]
    try {
      created = await this.db.transaction().execute((trx) => this.store(trx, batch))
    } catch (error) {
      for (const request of batch) request.reject(new IngestUnavailableError(error))
      return
    }
    for (const request of batch) request.resolve(request.results)
    if (created.length > 0) this.hooks.afterCommit?.(created)
  }

  private async store (trx: Transaction<Database>, batch: PendingRequest[]): Promise<StoredRating[]> {
    const receivedAt = new Date()
    const { scale, criterionCodes } = await this.catalogue(trx)

    // Decide each item: rejected, a duplicate within this batch, or a candidate row.
    const candidates: Array<StoredRating & { request: PendingRequest, index: number }> = []
    const seen = new Set<string>()
    for (const request of batch) {
      for (const { index, item, ratedAt } of request.items) {
        const level = scale.get(item.level)
        if (level === undefined) {
          request.results[index] = rejected(item.id, 'LEVEL_UNKNOWN', `level ${item.level} is not on the rating scale`)
          continue
        }
        const unknown = Object.keys(item.criteria ?? {}).filter((code) => !criterionCodes.has(code))
        if (unknown.length > 0) {
          request.results[index] = rejected(item.id, 'CRITERION_UNKNOWN', `unknown criteria: ${unknown.join(', ')}`)
          continue
        }
        if (seen.has(item.id)) {
          request.results[index] = { id: item.id, status: 'duplicate' }
          continue
        }
        seen.add(item.id)
        const skew = ratedAt.getTime() - receivedAt.getTime()
        const clockUntrusted = skew > this.config.clockSkewSeconds * 1000 || -skew > OLDEST_TRUSTED_MS
        candidates.push({
          request,
          index,
          id: item.id,
          unitId: request.terminal.unitId,
          counterId: request.terminal.counterId,
          terminalId: request.terminal.id,
          officerId: null,
          deviceOfficerId: item.officerId?.toLowerCase() ?? null,
          level: level.level,
          category: level.category,
          weight: level.weight,
          criteria: item.criteria ?? {},
          ratedAt,
          receivedAt,
          countedAt: clockUntrusted ? receivedAt : ratedAt,
          clockUntrusted,
          source: request.terminal.kind,
          misuse: false,
          misuseReason: null,
          caseId: null
        })
      }
    }
    if (candidates.length === 0) return []

    // Replays of ids stored earlier are caught by the insert itself (ON CONFLICT DO NOTHING), one round trip less.
    const fresh = candidates

    await this.creditOfficers(trx, fresh)
    await this.flagMisuse(trx, fresh)

    const inserted = await trx.insertInto('ratings').values(fresh.map((rating) => ({
      id: rating.id,
      unit_id: rating.unitId,
      counter_id: rating.counterId,
      terminal_id: rating.terminalId,
      officer_id: rating.officerId,
      device_officer_id: rating.deviceOfficerId !== null && rating.deviceOfficerId !== rating.officerId ? rating.deviceOfficerId : null,
      level: rating.level,
      category: rating.category,
      weight: rating.weight,
      criteria: JSON.stringify(rating.criteria),
      rated_at: rating.ratedAt,
      received_at: rating.receivedAt,
      counted_at: rating.countedAt,
      clock_untrusted: rating.clockUntrusted,
      source: rating.source,
      misuse: rating.misuse,
      misuse_reason: rating.misuseReason
    })))
      // Another server process may have stored the same id a moment ago: still exactly once.
      // No conflict target: the key is (id) here and (unit_id, id) on the Citus path (docs/scale.md).
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .execute()
    const insertedIds = new Set(inserted.map((row) => row.id))
    const created: StoredRating[] = []
    for (const rating of fresh) {
      rating.request.results[rating.index] = { id: rating.id, status: insertedIds.has(rating.id) ? 'created' : 'duplicate' }
      if (insertedIds.has(rating.id)) {
        if (rating.deviceOfficerId === rating.officerId) rating.deviceOfficerId = null
        const { request: _request, index: _index, ...stored } = rating
        created.push(stored)
      }
    }

    // Every unsatisfied rating (not suspected misuse) opens a follow-up case for its centre.
    const unsatisfied = created.filter((rating) => rating.category === 'unsatisfied' && !rating.misuse)
    if (unsatisfied.length > 0) {
      const cases = await trx.insertInto('cases').values(unsatisfied.map((rating) => ({
        unit_id: rating.unitId, rating_id: rating.id, counter_id: rating.counterId, officer_id: rating.officerId, opened_at: rating.receivedAt, resolved_at: null, resolved_by: null, note: null
      }))).returning(['id', 'rating_id']).execute()
      const caseByRating = new Map(cases.map((row) => [row.rating_id, row.id]))
      for (const rating of unsatisfied) rating.caseId = caseByRating.get(rating.id) ?? null
    }
    return created
  }

  /** The officer credited is the one whose shift at the counter covers the press (counted_at). */
  private async creditOfficers (trx: Transaction<Database>, ratings: StoredRating[]): Promise<void> {
    const counterIds = [...new Set(ratings.map((rating) => rating.counterId))]
    const times = ratings.map((rating) => rating.countedAt.getTime())
    const from = new Date(Math.min(...times))
    const to = new Date(Math.max(...times))
    const shifts = await trx.selectFrom('assignments').select(['counter_id', 'officer_id', 'started_at', 'ended_at'])
      .where('counter_id', 'in', counterIds)
      .where('started_at', '<=', to)
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', from)]))
      .execute()
    for (const rating of ratings) {
      const at = rating.countedAt.getTime()
      const shift = shifts.find((s) => s.counter_id === rating.counterId && s.started_at.getTime() <= at && (s.ended_at === null || s.ended_at.getTime() > at))
      rating.officerId = shift?.officer_id ?? null
    }
  }

  /**
   * Presses on one terminal closer than the cooldown, or more than burstCount within burstWindow,
   * are stored with misuse = true: kept as evidence, left out of the figures by default.
   * Only the burstCount presses before the batch matter, so a hammered terminal costs no more to check.
   */
  private async flagMisuse (trx: Transaction<Database>, ratings: StoredRating[]): Promise<void> {
    const { cooldownSeconds, burstCount, burstWindowSeconds } = this.config.misuse
    const terminalIds = [...new Set(ratings.map((rating) => rating.terminalId))]
    const times = ratings.map((rating) => rating.ratedAt.getTime())
    const from = new Date(Math.min(...times))
    const to = new Date(Math.max(...times))
    const earlier = await sql<{ terminal_id: string, rated_at: Date }>`
      select t.id as terminal_id, r.rated_at
      from unnest(${sql.val(terminalIds)}::uuid[]) as t(id)
      cross join lateral (
        (select rated_at from ratings where terminal_id = t.id and rated_at < ${from} order by rated_at desc limit ${burstCount + 1})
        union all
        (select rated_at from ratings where terminal_id = t.id and rated_at between ${from} and ${to})
      ) r`.execute(trx)
    const windowMs = burstWindowSeconds * 1000
    for (const terminalId of terminalIds) {
      // Every press on this terminal in time order; at equal times stored presses come first.
      const presses: Array<{ at: number, rating: StoredRating | null }> = [
        ...earlier.rows.filter((row) => row.terminal_id === terminalId).map((row) => ({ at: row.rated_at.getTime(), rating: null })),
        ...ratings.filter((rating) => rating.terminalId === terminalId).map((rating) => ({ at: rating.ratedAt.getTime(), rating }))
      ].sort((a, b) => a.at - b.at || (a.rating === null ? 0 : 1) - (b.rating === null ? 0 : 1))
      presses.forEach((press, position) => {
        const rating = press.rating
        if (rating === null) return
        const previous = position > 0 ? presses[position - 1]! : null
        if (previous !== null && press.at - previous.at < cooldownSeconds * 1000) {
          rating.misuse = true
          rating.misuseReason = 'cooldown'
          return
        }
        // More than burstCount presses in the window ending here: the press burstCount places back is inside it.
        const back = presses[position - burstCount]
        if (back !== undefined && press.at - back.at < windowMs) {
          rating.misuse = true
          rating.misuseReason = 'burst'
        }
      })
    }
  }
}
