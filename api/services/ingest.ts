// Rating ingest with group commit: items from concurrent requests are stored in one atomic statement, each
// request answered only after it is durable. Idempotent by rating id; misuse flagged; cases opened.
import { sql, type Kysely, type RawBuilder } from 'kysely'
import { Compile } from 'typebox/compile'
import type { Category, CriteriaAnswers, Database, MisuseReason, RatingSource, ScaleLevelRow, TerminalKind } from '../../db/schema.ts'
import { DAY_MS, LOCAL_OFFSET_MS } from '../../analytics/calendar.ts'
import type { Config } from '../config.ts'
import { prepared } from '../../db/prepared.ts'
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

interface ValidItem {
  index: number
  item: RatingItem
  ratedAt: Date
}

/** `backdated`: dated before its terminal was paired, or before the terminal's latest trusted rating already stored. */
type Candidate = StoredRating & { request: PendingRequest; index: number; backdated: boolean; followUp: CaseFollowUp | null }
interface ShiftRow {
  counterId: string
  officerId: string
  startedAt: number
  endedAt: number | null
}
interface PressRow {
  terminalId: string
  at: number
}
/** A rating already stored for a ticket: its unit, ticket and counted time. */
interface TicketRow {
  unitId: string
  ticket: string
  at: number
}

/** The local (Asia/Ho_Chi_Minh) day number of an instant: a ticket is rated once per day at its unit. */
const localDay = (ms: number): number => Math.floor((ms + LOCAL_OFFSET_MS) / DAY_MS)

interface PendingRequest {
  terminal: IngestTerminal
  items: ValidItem[]
  results: RatingResult[]
  resolve: (results: RatingResult[]) => void
  reject: (error: unknown) => void
}

type ArrayElement = string | number | boolean | null

/** A timestamp as JavaScript's milliseconds (a float8 number): pg's Date parsing took ~2 % of the API's time. */
const epochMs = (column: RawBuilder<unknown>): RawBuilder<unknown> => sql`floor(extract(epoch from ${column}) * 1000)::float8`

/**
 * A PostgreSQL array literal ('{"a","b",NULL}') of one column, built in one pass: pg would convert each element
 * on its own (escapeElement, prepareValue, a Date's local-time formatting), ~5 % of the API's time per rating.
 */
export function arrayLiteral (values: ArrayElement[]): string {
  let text = '{'
  for (let index = 0; index < values.length; index++) {
    const value = values[index]
    if (index > 0) text += ','
    if (value === null || value === undefined) text += 'NULL'
    else if (typeof value === 'string') text += `"${value.replace(/[\\"]/g, '\\$&')}"`
    else text += String(value)
  }
  return `${text}}`
}

function rejected (id: unknown, code: string, message: string): RatingResult {
  return { id: typeof id === 'string' ? id : null, status: 'rejected', error: { code, message } }
}

export class RatingIngest {
  private queue: PendingRequest[] = []
  /** Ratings in `queue`. */
  private queuedItems = 0
  private inFlight = 0
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

  /**
   * Group commit: a free commit slot takes all queued requests (up to MAX_BATCH ratings) whose terminal has no
   * commit running, in arrival order; requests arriving meanwhile go together into the next free slot. With a
   * commit running, another slot is used only once `overlapMinItems` ratings wait.
   */
  private schedule (): void {
    while (this.inFlight < this.maxConcurrentCommits && this.queue.length > 0) {
      if (this.inFlight > 0 && this.queuedItems < this.overlapMinItems) return
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
      for (const terminalId of terminals) this.busyTerminals.add(terminalId)
      this.inFlight++
      void this.commit(batch).finally(() => {
        this.inFlight--
        for (const terminalId of terminals) this.busyTerminals.delete(terminalId)
        this.schedule()
        if (this.inFlight === 0 && this.queue.length === 0) {
          const idle = this.idle
          this.idle = []
          for (const resolve of idle) resolve()
        }
      })
    }
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

  private async commit (batch: PendingRequest[]): Promise<void> {
    let created: StoredRating[]
    try {
      created = await this.store(batch)
    } catch (error) {
      for (const request of batch) request.reject(new IngestUnavailableError(error))
      return
    }
    for (const request of batch) request.resolve(request.results)
    if (created.length > 0) this.hooks.afterCommit?.(created)
  }

  /**
   * Two round trips per batch: one read (shifts and earlier presses), then ONE statement that inserts the ratings
   * and opens their cases — atomic on its own, so it needs no BEGIN/COMMIT, and durable when it answers.
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

    const { shifts, presses, latest, tickets } = await this.lookUp(candidates, receivedAt)
    this.distrustRewinds(candidates, latest)
    this.creditOfficers(candidates, shifts)
    this.flagMisuse(candidates, presses)
    this.flagBulkBackdating(candidates)
    this.flagTicketRepeats(candidates, tickets)
    for (const rating of candidates) {
      if (rating.deviceOfficerId === rating.officerId) rating.deviceOfficerId = null
    }

    // Replays of ids stored earlier are caught by the insert itself (ON CONFLICT DO NOTHING): another request or
    // server process may have stored the same id a moment ago, and it is still stored once. No conflict target:
    // the key is (id) here and (unit_id, id) on the Citus path (docs/scale.md). Every unsatisfied rating (not
    // suspected misuse) opens a follow-up case for its centre, in the same statement, and every stored rating joins the
    // rollup worker's queue (rollup_queue) there too.
    const column = (pick: (rating: Candidate) => ArrayElement): RawBuilder<unknown> => sql.val(arrayLiteral(candidates.map(pick)))
    // The citizen's answer to the follow-up goes onto the case (a neutral rating with one opens a case too).
    const answered = candidates.filter((rating) => rating.followUp !== null)
    const answer = <T>(pick: (followUp: CaseFollowUp) => T): RawBuilder<unknown> =>
      sql.val(answered.map((rating) => pick(rating.followUp!)))
    const stored = await sql<{ id: string; case_id: string | null }>`${prepared('ingest.store')}
      with input (id, unit_id, counter_id, terminal_id, officer_id, device_officer_id, level, category, weight, criteria,
                  rated_at, received_at, counted_at, clock_untrusted, source, misuse, misuse_reason, ticket, dossier_code) as (
        select * from unnest(
          ${column((r) => r.id)}::uuid[], ${column((r) => r.unitId)}::uuid[], ${column((r) => r.counterId)}::uuid[],
          ${column((r) => r.terminalId)}::uuid[], ${column((r) => r.officerId)}::uuid[], ${column((r) => r.deviceOfficerId)}::uuid[],
          ${column((r) => r.level)}::int[], ${column((r) => r.category)}::text[], ${column((r) => r.weight)}::int[],
          ${column((r) => JSON.stringify(r.criteria))}::jsonb[], ${column((r) => r.ratedAt.toISOString())}::timestamptz[],
          ${column((r) => r.receivedAt.toISOString())}::timestamptz[], ${column((r) => r.countedAt.toISOString())}::timestamptz[],
          ${column((r) => r.clockUntrusted)}::boolean[], ${column((r) => r.source)}::text[], ${column((r) => r.misuse)}::boolean[],
          ${column((r) => r.misuseReason)}::text[], ${column((r) => r.ticket)}::text[], ${column((r) => r.dossierCode)}::text[])
      ), follow_up (id, reason, phone, consent_version) as (
        select * from unnest(${sql.val(answered.map((r) => r.id))}::uuid[], ${answer((f) => f.reason)}::text[],
          ${answer((f) => f.phone)}::text[], ${answer((f) => f.consentVersion)}::text[])
      ), inserted as (
        insert into ratings (id, unit_id, counter_id, terminal_id, officer_id, device_officer_id, level, category, weight, criteria,
                             rated_at, received_at, counted_at, clock_untrusted, source, misuse, misuse_reason, ticket, dossier_code)
        select * from input
        on conflict do nothing
        returning id, unit_id, counter_id, officer_id, category, misuse, received_at
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
      select inserted.id, opened.id as case_id from inserted left join opened on opened.rating_id = inserted.id`.execute(this.db)
    const caseByRating = new Map(stored.rows.map((row) => [row.id, row.case_id]))
    const created: StoredRating[] = []
    for (const rating of candidates) {
      const inserted = caseByRating.has(rating.id)
      rating.request.results[rating.index] = { id: rating.id, status: inserted ? 'created' : 'duplicate' }
      if (inserted) {
        const { request: _request, index: _index, backdated: _backdated, followUp: _followUp, ...storedRating } = rating
        storedRating.caseId = caseByRating.get(rating.id) ?? null
        created.push(storedRating)
      }
    }
    return created
  }

  /**
   * One read for the whole batch: the counters' shifts covering its presses, and each terminal's presses in the
   * batch's time span plus the burstCount + 1 before it (all misuse needs, so a hammered terminal costs no more).
   */
  private async lookUp (
    ratings: Candidate[],
    receivedAt: Date
  ): Promise<{ shifts: ShiftRow[]; presses: PressRow[]; latest: Map<string, number>; tickets: TicketRow[] }> {
    const counterIds = [...new Set(ratings.map((rating) => rating.counterId))]
    const terminalIds = [...new Set(ratings.map((rating) => rating.terminalId))]
    // Receipt is in the shifts' span too: a rating found to rewind history below is counted then.
    const counted = [...ratings.map((rating) => rating.countedAt.getTime()), receivedAt.getTime()]
    const rated = ratings.map((rating) => rating.ratedAt.getTime())
    const countedFrom = new Date(Math.min(...counted))
    const countedTo = new Date(Math.max(...counted))
    const ratedFrom = new Date(Math.min(...rated))
    const ratedTo = new Date(Math.max(...rated))
    // Tickets already rated at their unit on the local days of this batch's ratings (none sent: no rows, no cost).
    const ticketed = ratings.filter((rating) => rating.ticket !== null)
    const ticketUnits = [...new Set(ticketed.map((rating) => rating.unitId))]
    const ticketNumbers = [...new Set(ticketed.map((rating) => rating.ticket!))]
    const dayOf = (ms: number): Date => new Date(localDay(ms) * DAY_MS - LOCAL_OFFSET_MS)
    const ticketFrom = dayOf(Math.min(...counted)).toISOString()
    const ticketTo = new Date(dayOf(Math.max(...counted)).getTime() + DAY_MS).toISOString()
    const rows = await sql<{
      kind: 'shift' | 'press' | 'latest' | 'ticket'
      key: string
      officer_id: string | null
      at: number
      ended_at: number | null
    }>`${prepared('ingest.look_up')}
      select kind, key, officer_id, ${epochMs(sql`at`)} as at, ${epochMs(sql`ended_at`)} as ended_at from (
      select 'shift' as kind, counter_id as key, officer_id::text as officer_id, started_at as at, ended_at
      from assignments
      where counter_id = any(${sql.val(arrayLiteral(counterIds))}::uuid[]) and started_at <= ${countedTo.toISOString()}::timestamptz
        and (ended_at is null or ended_at > ${countedFrom.toISOString()}::timestamptz)
      union all
      select 'press', t.id, null, r.rated_at, null
      from unnest(${sql.val(arrayLiteral(terminalIds))}::uuid[]) as t(id)
      cross join lateral (
        (select rated_at from ratings where terminal_id = t.id and source <> 'phone' and rated_at < ${ratedFrom.toISOString()}::timestamptz
          order by rated_at desc limit ${this.config.misuse.burstCount + 1})
        union all
        (select rated_at from ratings where terminal_id = t.id and source <> 'phone'
          and rated_at between ${ratedFrom.toISOString()}::timestamptz and ${ratedTo.toISOString()}::timestamptz)
      ) r
      union all
      select 'latest', t.id, null, l.rated_at, null
      from unnest(${sql.val(arrayLiteral(terminalIds))}::uuid[]) as t(id)
      cross join lateral (
        select rated_at from ratings where terminal_id = t.id and not clock_untrusted and source <> 'phone' order by rated_at desc limit 1
      ) l
      union all
      select 'ticket', unit_id, ticket, counted_at, null
      from ratings
      where unit_id = any(${sql.val(arrayLiteral(ticketUnits))}::uuid[]) and ticket = any(${sql.val(arrayLiteral(ticketNumbers))}::text[])
        and counted_at >= ${ticketFrom}::timestamptz and counted_at < ${ticketTo}::timestamptz) found`.execute(this.db)
    const shifts: ShiftRow[] = []
    const presses: PressRow[] = []
    const latest = new Map<string, number>()
    const tickets: TicketRow[] = []
    for (const row of rows.rows) {
      if (row.kind === 'ticket') tickets.push({ unitId: row.key, ticket: row.officer_id!, at: row.at })
      else if (row.kind === 'shift') {
        shifts.push({ counterId: row.key, officerId: row.officer_id!, startedAt: row.at, endedAt: row.ended_at })
      } else if (row.kind === 'latest') latest.set(row.key, row.at)
      else presses.push({ terminalId: row.key, at: row.at })
    }
    return { shifts, presses, latest, tickets }
  }

  /**
   * A terminal's outbox arrives in tap order, after everything it sent before: a rating dated more than
   * CLOCK_SKEW_SECONDS before the terminal's latest trusted rating already stored would rewrite a past the server
   * has already heard about. It is kept but not trusted (counted at receipt), like a rating dated before pairing.
   */
  private distrustRewinds (ratings: Candidate[], latest: Map<string, number>): void {
    const skewMs = this.config.clockSkewSeconds * 1000
    for (const rating of ratings) {
      const last = latest.get(rating.terminalId)
      if (rating.backdated || last === undefined || rating.ratedAt.getTime() >= last - skewMs) continue
      rating.backdated = true
      rating.clockUntrusted = true
      rating.countedAt = rating.receivedAt
    }
  }

  /** More than BACKDATED_BULK backdated ratings of one terminal in one commit: every one of them is suspected misuse. */
  private flagBulkBackdating (ratings: Candidate[]): void {
    const byTerminal = new Map<string, Candidate[]>()
    for (const rating of ratings) {
      if (!rating.backdated) continue
      const list = byTerminal.get(rating.terminalId) ?? []
      list.push(rating)
      byTerminal.set(rating.terminalId, list)
    }
    for (const list of byTerminal.values()) {
      if (list.length <= BACKDATED_BULK) continue
      for (const rating of list) {
        rating.misuse = true
        rating.misuseReason = 'backdated'
      }
    }
  }

  /**
   * One queue ticket is one visit: a second rating for the same ticket at the same unit on the same local day (one
   * already stored, or an earlier one in this batch) is kept but suspected misuse `ticket_repeat`. A rating already
   * flagged for another reason keeps that reason.
   */
  private flagTicketRepeats (ratings: Candidate[], stored: TicketRow[]): void {
    const key = (unitId: string, ticket: string, at: number): string => `${unitId} ${localDay(at)} ${ticket}`
    const rated = new Set(stored.map((row) => key(row.unitId, row.ticket, row.at)))
    const ticketed = ratings.filter((rating) => rating.ticket !== null)
    ticketed.sort((a, b) => a.ratedAt.getTime() - b.ratedAt.getTime())
    for (const rating of ticketed) {
      const visit = key(rating.unitId, rating.ticket!, rating.countedAt.getTime())
      if (rated.has(visit)) {
        if (!rating.misuse) {
          rating.misuse = true
          rating.misuseReason = 'ticket_repeat'
        }
      } else rated.add(visit)
    }
  }

  /** The officer credited is the one whose shift at the counter covers the press (counted_at). */
  private creditOfficers (ratings: Candidate[], shifts: ShiftRow[]): void {
    for (const rating of ratings) {
      const at = rating.countedAt.getTime()
      const shift = shifts.find((s) => s.counterId === rating.counterId && s.startedAt <= at && (s.endedAt === null || s.endedAt > at))
      rating.officerId = rating.request.terminal.officerId !== undefined ? rating.request.terminal.officerId : shift?.officerId ?? null
    }
  }

  /**
   * Presses on one terminal closer than the cooldown, or more than burstCount within burstWindow,
   * are stored with misuse = true: kept as evidence, left out of the figures by default.
   */
  private flagMisuse (ratings: Candidate[], stored: PressRow[]): void {
    const { cooldownSeconds, burstCount, burstWindowSeconds } = this.config.misuse
    const windowMs = burstWindowSeconds * 1000
    for (const terminalId of new Set(ratings.map((rating) => rating.terminalId))) {
      // Every press on this terminal in time order; at equal times stored presses come first.
      const presses: Array<{ at: number; rating: Candidate | null }> = [
        ...stored.filter((row) => row.terminalId === terminalId).map((row) => ({ at: row.at, rating: null })),
        // A phone rating is no press at the counter: its single-use code is its guard (docs/phone-rating.md).
        ...ratings.filter((rating) => rating.terminalId === terminalId && rating.source !== 'phone')
          .map((rating) => ({ at: rating.ratedAt.getTime(), rating }))
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
