// Rating ingest with group commit: items from concurrent requests are stored in one atomic statement, each
// request answered only after it is durable. Idempotent by rating id; misuse flagged; cases opened.
import { sql, type Kysely, type RawBuilder } from 'kysely'
import { Compile } from 'typebox/compile'
import type { Category, CriteriaAnswers, Database, MisuseReason, RatingSource, ScaleLevelRow, TerminalKind } from '../../db/schema.ts'
import type { Config } from '../config.ts'
import { compiledOnce } from '../../db/prepared.ts'
import { arrayLiteral, type ArrayElement } from '../../db/array-literal.ts'
import { RatingItem, type RatingResult } from '../../contract/terminals.ts'
import { followUpOf, type CaseFollowUp } from './follow-up.ts'

export interface IngestTerminal {
  id: string
  unitId: string
  counterId: string
  kind: TerminalKind
  /** When the terminal was paired (or its counter made, if later): ratings dated before it are not trusted. */
  trustedSince?: Date
  /** Where its ratings come from; the terminal's kind unless said (a receipt's link rated from a phone: 'phone'). */
  source?: RatingSource
  /**
   * The officer credited, decided before the rating (a receipt's code: the officer on shift when it was issued);
   * absent: the one whose shift covers the press.
   */
  officerId?: string | null
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
  source: RatingSource
  misuse: boolean
  misuseReason: MisuseReason | null
  /** The queue number of the visit and the dossier's code, when the device knew them. */
  ticket: string | null
  dossierCode: string | null
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
/**
 * More backdated ratings than this from one terminal in one commit rewrite history in bulk: all of them are flagged
 * misuse `backdated` (an honest device never sends even one: its outbox arrives in tap order, after what it sent).
 */
const BACKDATED_BULK = 5
/** Items from concurrent requests are committed together, up to this many per transaction. */
const MAX_BATCH = 1000
/**
 * A commit starts at once when none is running; another one starts beside it only when at least this many ratings
 * wait. Starting one for every arrival made commits of ~4–8 ratings under load (bench/ingest: 260–520 transactions
 * per 1,000 ratings), each paying two round trips, statement and protocol costs for so few; a request now waits at
 * most for the commit in progress (docs/ingest.md, "Cost per rating").
 */
export const OVERLAP_MIN_ITEMS = 32
/**
 * Under load (the process's previous commit, ended less than a second ago, held at least GATHER_UNDER_LOAD ratings),
 * a commit that would run alone waits up to GATHER_MS for GATHER_ITEMS ratings: the clients just answered send their
 * next ratings within a few milliseconds, and a commit of ~24 costs PostgreSQL and the API much less per rating than
 * one of ~11 (two API processes on two cores; docs/ingest.md, eighth pass).
 * A lone rating at a quiet centre is committed at once.
 */
export const GATHER_ITEMS = 24
export const GATHER_MS = 3
export const GATHER_UNDER_LOAD = 8

interface ValidItem {
  index: number
  item: RatingItem
  ratedAt: Date
}

/** `backdated`: dated before its terminal was paired, or before the terminal's latest trusted rating already stored. */
type Candidate = StoredRating & { request: PendingRequest; index: number; backdated: boolean; followUp: CaseFollowUp | null }
/** A stored rating as the commit's statement judged it. */
interface JudgedRow {
  id: string
  officer_id: string | null
  device_officer_id: string | null
  misuse: boolean
  misuse_reason: MisuseReason | null
  clock_untrusted: boolean
  /** Epoch milliseconds. */
  counted_at: number
  case_id: string | null
}
interface PendingRequest {
  terminal: IngestTerminal
  items: ValidItem[]
  results: RatingResult[]
  resolve: (results: RatingResult[]) => void
  reject: (error: unknown) => void
}

/** A timestamp as JavaScript's milliseconds (a float8 number): pg's Date parsing took ~2 % of the API's time. */
const epochMs = (column: RawBuilder<unknown>): RawBuilder<unknown> => sql`floor(extract(epoch from ${column}) * 1000)::float8`

function rejected (id: unknown, code: string, message: string): RatingResult {
  return { id: typeof id === 'string' ? id : null, status: 'rejected', error: { code, message } }
}

export class RatingIngest {
  private queue: PendingRequest[] = []
  /** Ratings in `queue`. */
  private queuedItems = 0
  private inFlight = 0
  /** Ratings in this process's previous commit, and when it ended (performance.now()): the load now. */
  private lastBatchItems = 0
  private lastCommitEnded = -Infinity
  /** When the commit now gathering started waiting (performance.now()), and the timer that ends its wait. */
  private gatheringSince: number | null = null
  private gatherTimer: NodeJS.Timeout | null = null
  /** Terminals with ratings in a commit now: their next ratings wait for it (misuse is judged per terminal, in order). */
  private readonly busyTerminals = new Set<string>()
  private idle: Array<() => void> = []

  constructor (
    private readonly db: Kysely<Database>,
    private readonly config: Pick<Config, 'misuse' | 'clockSkewSeconds'>,
    private readonly hooks: IngestHooks = {},
    /** Commits running at once; more overlap the round trips to the database. */
    private readonly maxConcurrentCommits = 2,
    /** A commit beside a running one starts only when this many ratings wait (OVERLAP_MIN_ITEMS). */
    private readonly overlapMinItems = OVERLAP_MIN_ITEMS
  ) {}

  /** Checks each item on its own, queues the valid ones for the next commit, and answers after it. */
  submit (terminal: IngestTerminal, items: unknown[]): Promise<RatingResult[]> {
    const results: RatingResult[] = new Array(items.length)
    const valid: ValidItem[] = []
    items.forEach((raw, index) => {
      const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined
      if (!checkItem.Check(raw)) {
        const first = [...checkItem.Errors(raw)][0]
        results[index] = rejected(
          id,
          'VALIDATION_FAILED',
          first === undefined ? 'invalid rating' : `${first.instancePath || 'rating'} ${first.message}`
        )
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
      this.queuedItems += valid.length
      this.schedule()
    })
  }

  /** Commits running now. */
  get committing (): number {
    return this.inFlight
  }

  /**
   * Group commit: a free commit slot takes all queued requests (up to MAX_BATCH ratings) whose terminal has no
   * commit running, in arrival order; requests arriving meanwhile go together into the next free slot. With a
   * commit running, another slot is used only once `overlapMinItems` ratings wait; with none running under load, the
   * commit gathers first (GATHER_ITEMS, GATHER_MS).
   */
  private schedule (): void {
    while (this.inFlight < this.maxConcurrentCommits && this.queue.length > 0) {
      if (this.inFlight > 0 && this.queuedItems < this.overlapMinItems) return
      if (this.inFlight === 0 && this.gathering()) return
      const batch: PendingRequest[] = []
      const waiting: PendingRequest[] = []
      const terminals = new Set<string>()
      let size = 0
      for (const request of this.queue) {
        const terminalId = request.terminal.id
        const free =
          !this.busyTerminals.has(terminalId) && (terminals.has(terminalId) || !waiting.some((other) => other.terminal.id === terminalId))
        if (free && (batch.length === 0 || size + request.items.length <= MAX_BATCH)) {
          batch.push(request)
          terminals.add(terminalId)
          size += request.items.length
        } else {
          waiting.push(request)
        }
      }
      if (batch.length === 0) return
      this.queue = waiting
      this.queuedItems -= size
      this.lastBatchItems = size
      for (const terminalId of terminals) this.busyTerminals.add(terminalId)
      this.inFlight++
      void this.commit(batch, () => {
        this.inFlight--
        this.lastCommitEnded = performance.now()
        for (const terminalId of terminals) this.busyTerminals.delete(terminalId)
        this.schedule()
      }).finally(() => {
        if (this.inFlight === 0 && this.queue.length === 0) {
          const idle = this.idle
          this.idle = []
          for (const resolve of idle) resolve()
        }
      })
    }
  }

  /** Whether the next commit still waits for more ratings (and a timer will schedule it when the wait is over). */
  private gathering (): boolean {
    const now = performance.now()
    const underLoad = this.lastBatchItems >= GATHER_UNDER_LOAD && now - this.lastCommitEnded < 1000
    if (underLoad && this.queuedItems < GATHER_ITEMS) {
      this.gatheringSince ??= now
      const left = this.gatheringSince + GATHER_MS - now
      if (left > 0) {
        this.gatherTimer ??= setTimeout(() => {
          this.gatherTimer = null
          this.schedule()
        }, Math.ceil(left))
        return true
      }
    }
    this.gatheringSince = null
    if (this.gatherTimer !== null) clearTimeout(this.gatherTimer)
    this.gatherTimer = null
    return false
  }

  private cachedCatalogue: { scale: Map<number, ScaleLevelRow>; criterionCodes: Set<string>; loadedAt: number } | null = null

  /** The scale and the criteria change rarely: read them at most once a second, and at once after `catalogueChanged`. */
  private async catalogue (db: Kysely<Database>): Promise<{ scale: Map<number, ScaleLevelRow>; criterionCodes: Set<string> }> {
    if (this.cachedCatalogue !== null && Date.now() - this.cachedCatalogue.loadedAt < 1000) return this.cachedCatalogue
    const [scaleRows, criteriaRows] = await Promise.all([
      db.selectFrom('scale_levels').selectAll().execute(),
      db.selectFrom('criteria').select('code').where('active', '=', true).execute()
    ])
    this.cachedCatalogue = {
      scale: new Map(scaleRows.map((row) => [row.level, row])),
      criterionCodes: new Set(criteriaRows.map((row) => row.code)),
      loadedAt: Date.now()
    }
    return this.cachedCatalogue
  }

  /** Call after the scale or the criteria changed. */
  catalogueChanged (): void {
    this.cachedCatalogue = null
  }

  /** Waits for every queued rating to be committed (graceful shutdown). */
  async drain (): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return
    await new Promise<void>((resolve) => this.idle.push(resolve))
  }

  /**
   * Stores a batch, then frees its slot (`release`: the next commit's statement goes to the database at once) before
   * answering its requests and running the hooks, so the database works on the next batch while this process writes
   * the responses and live events of this one: the two overlap even when one commit runs at a time.
   */
  private async commit (batch: PendingRequest[], release: () => void): Promise<void> {
    let created: StoredRating[]
    try {
      created = await this.store(batch)
    } catch (error) {
      release()
      for (const request of batch) request.reject(new IngestUnavailableError(error))
      return
    }
    release()
    for (const request of batch) request.resolve(request.results)
    if (created.length > 0) this.hooks.afterCommit?.(created)
  }

  /**
   * One round trip per batch: ONE statement that reads what the judgement needs, inserts the ratings and opens their
   * cases — atomic on its own, so it needs no BEGIN/COMMIT, and durable when it answers.
   */
  private async store (batch: PendingRequest[]): Promise<StoredRating[]> {
    const receivedAt = new Date()
    const { scale, criterionCodes } = await this.catalogue(this.db)

    // Decide each item: rejected, a duplicate within this batch, or a candidate row.
    const candidates: Candidate[] = []
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
        // Dated before the terminal was paired (a clock slow by up to CLOCK_SKEW_SECONDS forgiven): not its press.
        const trustedSince = request.terminal.trustedSince
        const backdated = trustedSince !== undefined && ratedAt.getTime() < trustedSince.getTime() - this.config.clockSkewSeconds * 1000
        const clockUntrusted = backdated || skew > this.config.clockSkewSeconds * 1000 || -skew > OLDEST_TRUSTED_MS
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
          source: request.terminal.source ?? request.terminal.kind,
          misuse: false,
          misuseReason: null,
          ticket: item.ticket ?? null,
          dossierCode: item.dossierCode ?? null,
          caseId: null,
          backdated,
          followUp: followUpOf(item.followUp)
        })
      }
    }
    if (candidates.length === 0) return []

    // One round trip: the statement below reads what the judgement needs (each terminal's earlier presses and latest
    // trusted rating, the counters' shifts, the tickets already rated) and stores the ratings judged by it. Replays of
    // ids stored earlier are caught by the insert itself (ON CONFLICT DO NOTHING): another request or server process
    // may have stored the same id a moment ago, and it is still stored once. No conflict target: the key is (id) here
    // and (unit_id, id) on the Citus path (docs/scale.md). Every unsatisfied rating (not suspected misuse) opens a
    // follow-up case for its centre, in the same statement, and every stored rating joins the rollup worker's queue
    // (rollup_queue) there too.
    const stored = await this.judgeAndStore(candidates)
    const storedById = new Map(stored.map((row) => [row.id, row]))
    const created: StoredRating[] = []
    for (const rating of candidates) {
      const row = storedById.get(rating.id)
      rating.request.results[rating.index] = { id: rating.id, status: row === undefined ? 'duplicate' : 'created' }
      if (row === undefined) continue
      const { request: _request, index: _index, backdated: _backdated, followUp: _followUp, ...storedRating } = rating
      storedRating.officerId = row.officer_id
      storedRating.deviceOfficerId = row.device_officer_id
      storedRating.clockUntrusted = row.clock_untrusted
      if (row.counted_at !== storedRating.countedAt.getTime()) storedRating.countedAt = new Date(row.counted_at)
      storedRating.misuse = row.misuse
      storedRating.misuseReason = row.misuse_reason
      storedRating.caseId = row.case_id
      created.push(storedRating)
    }
    return created
  }

  /**
   * The commit's one statement. What the server decides from stored data is decided in it, from one snapshot:
   * - rewinds: a rating dated more than CLOCK_SKEW_SECONDS before its terminal's latest trusted rating already stored
   *   would rewrite a past the server has already heard about (a terminal's outbox arrives in tap order, after
   *   everything it sent before): kept but not trusted, counted at receipt, like a rating dated before pairing;
   * - the officer credited: the one whose shift at the counter covers the press (counted_at), unless the terminal
   *   said (a receipt's code);
   * - misuse, per terminal over its presses in time order (the batch's, and the burstCount + 1 stored before the
   *   batch's span plus those inside it, so a hammered terminal costs no more): a press within the cooldown of the
   *   previous one (`cooldown`), or the press that makes more than burstCount within the burst window (`burst`); a
   *   phone rating is no press at the counter (its single-use code is its guard, docs/phone-rating.md);
   * - more than BACKDATED_BULK backdated ratings of one terminal in one commit rewrite history in bulk: every one of
   *   them is suspected misuse `backdated`;
   * - one queue ticket is one visit: a second rating for the same ticket at the same unit on the same local
   *   (Asia/Ho_Chi_Minh) day, stored earlier or earlier in this batch, is suspected misuse `ticket_repeat`, unless
   *   already suspected for another reason.
   */
  private async judgeAndStore (candidates: Candidate[]): Promise<JudgedRow[]> {
    const { cooldownSeconds, burstCount, burstWindowSeconds } = this.config.misuse
    const column = (pick: (rating: Candidate) => ArrayElement): string => arrayLiteral(candidates.map(pick))
    const officerGiven = (rating: Candidate): boolean => rating.request.terminal.officerId !== undefined
    // The citizen's answer to the follow-up goes onto the case (a neutral rating with one opens a case too).
    const answered = candidates.filter((rating) => rating.followUp !== null)
    const answer = (pick: (followUp: CaseFollowUp) => ArrayElement): string =>
      arrayLiteral(answered.map((rating) => pick(rating.followUp!)))
    let ratedFrom = Infinity
    let ratedTo = -Infinity
    for (const rating of candidates) {
      const at = rating.ratedAt.getTime()
      if (at < ratedFrom) ratedFrom = at
      if (at > ratedTo) ratedTo = at
    }
    const rows = await storeStatement.execute(this.db, {
      ids: column((r) => r.id),
      unitIds: column((r) => r.unitId),
      counterIds: column((r) => r.counterId),
      terminalIds: column((r) => r.terminalId),
      officerGiven: column(officerGiven),
      givenOfficerIds: column((r) => officerGiven(r) ? r.request.terminal.officerId! : null),
      deviceOfficerIds: column((r) => r.deviceOfficerId),
      levels: column((r) => r.level),
      categories: column((r) => r.category),
      weights: column((r) => r.weight),
      criteria: column((r) => JSON.stringify(r.criteria)),
      ratedAts: column((r) => r.ratedAt.toISOString()),
      receivedAts: column((r) => r.receivedAt.toISOString()),
      countedAts: column((r) => r.countedAt.toISOString()),
      clockUntrusted: column((r) => r.clockUntrusted),
      backdated: column((r) => r.backdated),
      sources: column((r) => r.source),
      tickets: column((r) => r.ticket),
      dossierCodes: column((r) => r.dossierCode),
      ratedFrom: new Date(ratedFrom).toISOString(),
      ratedTo: new Date(ratedTo).toISOString(),
      burstCount,
      cooldownMs: cooldownSeconds * 1000,
      burstWindowMs: burstWindowSeconds * 1000,
      clockSkewMs: this.config.clockSkewSeconds * 1000,
      backdatedBulk: BACKDATED_BULK,
      followUpIds: arrayLiteral(answered.map((r) => r.id)),
      followUpReasons: answer((f) => f.reason),
      followUpPhones: answer((f) => f.phone),
      followUpConsentVersions: answer((f) => f.consentVersion)
    })
    return rows.rows
  }
}

/** The store statement's parameters, in the order of their placeholders ($1 …). */
const STORE_PARAMETERS = [
  'ids', 'unitIds', 'counterIds', 'terminalIds', 'officerGiven', 'givenOfficerIds', 'deviceOfficerIds', 'levels', 'categories',
  'weights', 'criteria', 'ratedAts', 'receivedAts', 'countedAts', 'clockUntrusted', 'backdated', 'sources', 'tickets',
  'dossierCodes', 'ratedFrom', 'ratedTo', 'burstCount', 'cooldownMs', 'burstWindowMs', 'clockSkewMs', 'backdatedBulk',
  'followUpIds', 'followUpReasons', 'followUpPhones', 'followUpConsentVersions'
] as const

/**
 * The commit's one statement (see `judgeAndStore`), built and compiled once per process: each column of the batch
 * goes as one array literal, each setting as one value.
 */
export const storeStatement = compiledOnce('ingest.store', STORE_PARAMETERS, (p) => {
  const ms = (value: RawBuilder<unknown>): RawBuilder<unknown> => sql`(${value}::float8 * interval '1 millisecond')`
  // The local day a time falls in (Asia/Ho_Chi_Minh keeps +07:00 all year).
  const localDayOf = (at: RawBuilder<unknown>): RawBuilder<unknown> => sql`date_bin('1 day', ${at}, timestamptz '1970-01-01 00:00:00+07')`
  return sql<JudgedRow>`
      with input (id, unit_id, counter_id, terminal_id, officer_given, given_officer_id, device_officer_id, level, category, weight,
                  criteria, rated_at, received_at, counted_at, clock_untrusted, backdated, source, ticket, dossier_code, n) as (
        select * from unnest(
          ${p.ids}::uuid[], ${p.unitIds}::uuid[], ${p.counterIds}::uuid[], ${p.terminalIds}::uuid[], ${p.officerGiven}::boolean[],
          ${p.givenOfficerIds}::uuid[], ${p.deviceOfficerIds}::uuid[], ${p.levels}::int[], ${p.categories}::text[], ${p.weights}::int[],
          ${p.criteria}::jsonb[], ${p.ratedAts}::timestamptz[], ${p.receivedAts}::timestamptz[], ${p.countedAts}::timestamptz[],
          ${p.clockUntrusted}::boolean[], ${p.backdated}::boolean[], ${p.sources}::text[], ${p.tickets}::text[],
          ${p.dossierCodes}::text[]) with ordinality
      ), terminal (id) as (
        select distinct terminal_id from input
      ), press (terminal_id, at, n) as (
        select t.id, p.rated_at, null::bigint
        from terminal t
        cross join lateral (
          (select rated_at from ratings where terminal_id = t.id and source <> 'phone' and rated_at < ${p.ratedFrom}::timestamptz
            order by rated_at desc limit ${p.burstCount}::int + 1)
          union all
          (select rated_at from ratings where terminal_id = t.id and source <> 'phone'
            and rated_at between ${p.ratedFrom}::timestamptz and ${p.ratedTo}::timestamptz)
        ) p
        union all
        select terminal_id, rated_at, n from input where source <> 'phone'
      ), pressed (n, cooldown, burst) as (
        -- At equal times stored presses come first, then the batch's in order.
        select n, coalesce(at - lag(at) over w < ${ms(p.cooldownMs)}, false),
          coalesce(at - lag(at, ${p.burstCount}::int) over w < ${ms(p.burstWindowMs)}, false)
        from press
        window w as (partition by terminal_id order by at, n nulls first)
      ), dated as (
        -- A rewind is counted at receipt, like a rating dated before pairing.
        select i.id, i.unit_id, i.counter_id, i.terminal_id, i.officer_given, i.given_officer_id, i.device_officer_id, i.level,
          i.category, i.weight, i.criteria, i.rated_at, i.received_at, i.ticket, i.dossier_code, i.source, i.n,
          i.clock_untrusted or w.rewound as clock_untrusted,
          case when w.rewound then i.received_at else i.counted_at end as counted_at,
          i.backdated or w.rewound as backdated
        from input i
        left join lateral (
          select rated_at as at from ratings
          where terminal_id = i.terminal_id and not clock_untrusted and source <> 'phone' order by rated_at desc limit 1
        ) l on true
        cross join lateral (
          select not i.backdated and l.at is not null and i.rated_at < l.at - ${ms(p.clockSkewMs)} as rewound
        ) w
      ), credited as (
        select d.*, case when d.officer_given then d.given_officer_id else (
          select a.officer_id from assignments a
          where a.counter_id = d.counter_id and a.started_at <= d.counted_at and (a.ended_at is null or a.ended_at > d.counted_at)
          order by a.started_at desc limit 1
        ) end as officer_id
        from dated d
      ), judged as (
        select c.*,
          case
            when c.backdated and count(*) filter (where c.backdated) over (partition by c.terminal_id) > ${p.backdatedBulk}::int
              then 'backdated'
            when p.cooldown then 'cooldown'
            when p.burst then 'burst'
            when c.ticket is not null and (
              row_number() over (partition by c.unit_id, c.ticket, ${localDayOf(sql`c.counted_at`)} order by c.rated_at, c.n) > 1
              or exists (
                select from ratings r
                where r.unit_id = c.unit_id and r.ticket = c.ticket and r.counted_at >= ${localDayOf(sql`c.counted_at`)}
                  and r.counted_at < ${localDayOf(sql`c.counted_at`)} + interval '1 day'
              )) then 'ticket_repeat'
          end as misuse_reason
        from credited c
        left join pressed p on p.n = c.n
      ), follow_up (id, reason, phone, consent_version) as (
        select * from unnest(${p.followUpIds}::uuid[], ${p.followUpReasons}::text[], ${p.followUpPhones}::text[],
          ${p.followUpConsentVersions}::text[])
      ), inserted as (
        insert into ratings (id, unit_id, counter_id, terminal_id, officer_id, device_officer_id, level, category, weight, criteria,
                             rated_at, received_at, counted_at, clock_untrusted, source, misuse, misuse_reason, ticket, dossier_code)
        select id, unit_id, counter_id, terminal_id, officer_id, nullif(device_officer_id, officer_id), level, category, weight, criteria,
          rated_at, received_at, counted_at, clock_untrusted, source, misuse_reason is not null, misuse_reason, ticket, dossier_code
        from judged
        on conflict do nothing
        returning id, unit_id, counter_id, officer_id, device_officer_id, category, misuse, misuse_reason, received_at, counted_at,
          clock_untrusted
      ), opened as (
        insert into cases (unit_id, rating_id, counter_id, officer_id, opened_at, reason, phone, consent_version, consent_at)
        select i.unit_id, i.id, i.counter_id, i.officer_id, i.received_at, f.reason, f.phone, f.consent_version,
          case when f.phone is not null then i.received_at end
        from inserted i left join follow_up f on f.id = i.id
        where not i.misuse and (i.category = 'unsatisfied' or (i.category = 'neutral' and f.id is not null))
        returning id, rating_id
      ), queued as (
        insert into rollup_queue (unit_id, rating_id) select unit_id, id from inserted
      )
      select i.id, i.officer_id, i.device_officer_id, i.misuse, i.misuse_reason, i.clock_untrusted,
        ${epochMs(sql`i.counted_at`)} as counted_at, opened.id as case_id
      from inserted i left join opened on opened.rating_id = i.id`
})
