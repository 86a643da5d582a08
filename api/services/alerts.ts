// Alert rules evaluated by the server after each ingest commit: cached per unit, queried only when a rule could fire.
import { sql } from 'kysely'
import type { AlertRuleKind, AlertRuleParameters, AlertRuleRow, Category, Db } from '../../db/schema.ts'
import { badRequest } from '../errors.ts'
import { subtreeOf } from '../repositories/organisation.ts'
import { findAlert, rowToAlert } from '../repositories/alerts.ts'
import { unitAncestorIds } from '../repositories/units.ts'
import type { Alert } from '../../contract/alerts.ts'
import type { ScopedLiveEvent } from '../../contract/live.ts'
import type { StoredRating } from './ingest.ts'

/** What the rule editor may leave out: the defaults of each kind. */
const defaults: Record<AlertRuleKind, AlertRuleParameters> = {
  unsatisfied_share: { windowMinutes: 60, thresholdPercent: 30, minCount: 10 },
  unsatisfied_streak: { count: 3 }
}
const fields: Record<AlertRuleKind, Array<keyof AlertRuleParameters>> = {
  unsatisfied_share: ['windowMinutes', 'thresholdPercent', 'minCount'],
  unsatisfied_streak: ['count']
}

/** The parameters of `kind`, defaults filled in; a field of the other kind is refused (400 INVALID_RULE_PARAMETERS). */
export function ruleParameters (kind: AlertRuleKind, given: AlertRuleParameters): AlertRuleParameters {
  const own = fields[kind]
  const foreign = Object.keys(given).filter((key) => !own.includes(key as keyof AlertRuleParameters))
  if (foreign.length > 0) {
    throw badRequest('INVALID_RULE_PARAMETERS', `A ${kind} rule has no ${foreign.join(', ')}; it takes ${own.join(', ')}`)
  }
  const out: AlertRuleParameters = {}
  for (const key of own) out[key] = given[key] ?? defaults[kind][key]
  return out
}

/** The live event of a fired alert: `kind: 'rule'` tells it from the per-rating `unsatisfied` alert. */
export function alertEvent (alert: Alert): Extract<ScopedLiveEvent, { type: 'alert' }> {
  return { type: 'alert', alert: { ...alert, kind: 'rule', ruleKind: alert.kind, at: alert.firedAt } }
}

interface AlertSink {
  /** Called once per newly fired alert (the live event). */
  fired: (alert: Alert) => Promise<void>
  error: (error: unknown) => void
}

/** Rules are reread at least this often, so a change made by another server process takes effect. */
const RULES_TTL_MS = 30_000
/** Unit ancestry, and each key's open/acknowledged state, are kept this long (the tree rarely changes). */
const STATE_TTL_MS = 60_000
const NO_COUNTER = '00000000-0000-0000-0000-000000000000'
/**
 * A share rule counts its whole window (tens of milliseconds for 50,000 ratings): under a sustained load it runs at
 * most once a second, so each such rule holds at most a few percent of one database connection.
 */
const SHARE_INTERVAL_MS = 1000

interface KeyState {
  /** An alert of this rule (and counter) is open: nothing to evaluate until it is acknowledged. */
  open: boolean
  /** Ratings counted before the last acknowledgement do not count again. */
  since: Date | null
  loadedAt: number
}

/**
 * Evaluates the enabled rules on each committed batch. Per rule (and counter) at most one evaluation runs at a
 * time; a batch arriving meanwhile asks for one more run after it, so a burst costs two queries, not one per batch.
 * A streak is looked at only when the batch's newest rating at that counter is unsatisfied.
 */
export class AlertEvaluator {
  private rules: Promise<AlertRuleRow[]> | null = null
  private rulesLoadedAt = 0
  private readonly ancestry = new Map<string, { ids: Promise<string[]>; at: number }>()
  private readonly states = new Map<string, KeyState>()
  private readonly running = new Map<string, { again: boolean; done: Promise<void> }>()
  private readonly lastRun = new Map<string, number>()
  private readonly pending = new Set<Promise<void>>()

  constructor (
    private readonly db: Db,
    private readonly sink: AlertSink
  ) {}

  /** Forget the cached rules (after a change through the API). */
  rulesChanged (): void {
    this.rules = null
  }

  /** An alert was acknowledged: its rule (and counter) may fire again, on ratings counted after now. */
  acknowledged (alert: { ruleId: string | null; unitId: string; counterId: string | null; acknowledgedAt: string | null }): void {
    if (alert.ruleId === null) return
    this.states.set(this.key(alert.ruleId, alert.unitId, alert.counterId), {
      open: false,
      since: alert.acknowledgedAt === null ? null : new Date(alert.acknowledgedAt),
      loadedAt: Date.now()
    })
  }

  /** Resolves when every evaluation started so far has finished (tests, shutdown). */
  async settled (): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending])
  }

  /** The ingest's listener: finds the rules the batch touches and evaluates each once. */
  handle (ratings: readonly StoredRating[]): Promise<void> {
    const work = this.evaluateBatch(ratings).catch(this.sink.error)
    this.track(work)
    return work
  }

  private track (work: Promise<void>): void {
    this.pending.add(work)
    void work.finally(() => this.pending.delete(work))
  }

  private async evaluateBatch (ratings: readonly StoredRating[]): Promise<void> {
    const counted = ratings.filter((rating) => !rating.misuse)
    if (counted.length === 0) return
    const rules = (await this.enabledRules()).filter((rule) => rule.enabled)
    if (rules.length === 0) return
    const byUnit = new Map<string, AlertRuleRow[]>()
    for (const rule of rules) byUnit.set(rule.unit_id, [...(byUnit.get(rule.unit_id) ?? []), rule])

    const shares = new Map<string, AlertRuleRow>()
    // Per rule and counter, the batch's newest rating there: a streak can only be complete if it is unsatisfied.
    const streaks = new Map<string, { rule: AlertRuleRow; newest: StoredRating }>()
    // A batch holds few units: their ancestry is looked up once each, the ratings then walked without awaiting.
    const unitIds = [...new Set(counted.map((rating) => rating.unitId))]
    const ancestry = new Map(await Promise.all(unitIds.map(async (unitId) => [unitId, await this.ancestorsOf(unitId)] as const)))
    for (const rating of counted) {
      for (const ancestor of ancestry.get(rating.unitId) ?? []) {
        for (const rule of byUnit.get(ancestor) ?? []) {
          if (rule.kind === 'unsatisfied_share') {
            // Any rating moves the share (and the minimum count).
            shares.set(rule.id, rule)
            continue
          }
          const key = `${rule.id}/${rating.counterId}`
          const seen = streaks.get(key)
          if (seen === undefined || rating.countedAt >= seen.newest.countedAt) streaks.set(key, { rule, newest: rating })
        }
      }
    }
    const runs: Array<Promise<void>> = []
    for (const rule of shares.values()) {
      runs.push(this.once(this.key(rule.id, rule.unit_id, null), () => this.evaluateShare(rule), SHARE_INTERVAL_MS))
    }
    for (const { rule, newest } of streaks.values()) {
      if (newest.category !== 'unsatisfied') continue
      runs.push(
        this.once(this.key(rule.id, newest.unitId, newest.counterId), () => this.evaluateStreak(rule, newest.unitId, newest.counterId))
      )
    }
    await Promise.all(runs)
  }

  private key (ruleId: string, unitId: string, counterId: string | null): string {
    return `${ruleId}/${unitId}/${counterId ?? NO_COUNTER}`
  }

  /** Runs `evaluate` now, or once more after the run in progress for the same key; runs start `minIntervalMs` apart. */
  private once (key: string, evaluate: () => Promise<void>, minIntervalMs = 0): Promise<void> {
    const current = this.running.get(key)
    if (current !== undefined) {
      current.again = true
      return current.done
    }
    const entry = { again: false, done: Promise.resolve() }
    entry.done = (async () => {
      try {
        do {
          const wait = (this.lastRun.get(key) ?? 0) + minIntervalMs - Date.now()
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
          entry.again = false
          this.lastRun.set(key, Date.now())
          await evaluate().catch(this.sink.error)
        } while (entry.again)
      } finally {
        this.running.delete(key)
      }
    })()
    this.running.set(key, entry)
    return entry.done
  }

  private enabledRules (): Promise<AlertRuleRow[]> {
    if (this.rules === null || Date.now() - this.rulesLoadedAt > RULES_TTL_MS) {
      this.rulesLoadedAt = Date.now()
      const loading = this.db.selectFrom('alert_rules').selectAll().where('enabled', '=', true).execute()
      loading.catch(() => {
        if (this.rules === loading) this.rules = null
      })
      this.rules = loading
    }
    return this.rules
  }

  private ancestorsOf (unitId: string): Promise<string[]> {
    const cached = this.ancestry.get(unitId)
    if (cached !== undefined && Date.now() - cached.at < STATE_TTL_MS) return cached.ids
    const ids = unitAncestorIds(this.db, unitId)
    ids.catch(() => this.ancestry.delete(unitId))
    this.ancestry.set(unitId, { ids, at: Date.now() })
    return ids
  }

  /** Whether an alert of the key is open, and since when ratings count (the last acknowledgement). */
  private async state (ruleId: string, unitId: string, counterId: string | null): Promise<KeyState> {
    const key = this.key(ruleId, unitId, counterId)
    const cached = this.states.get(key)
    if (cached !== undefined && Date.now() - cached.loadedAt < STATE_TTL_MS) return cached
    let query = this.db
      .selectFrom('alerts')
      .select([
        sql<boolean>`coalesce(bool_or(acknowledged_at is null), false)`.as('open'),
        sql<Date | null>`max(acknowledged_at)`.as('since')
      ])
      .where('unit_id', '=', unitId)
      .where('rule_id', '=', ruleId)
    query = counterId === null ? query.where('counter_id', 'is', null) : query.where('counter_id', '=', counterId)
    const row = await query.executeTakeFirstOrThrow()
    const state: KeyState = { open: row.open, since: row.since === null ? null : new Date(row.since), loadedAt: Date.now() }
    this.states.set(key, state)
    return state
  }

  private async evaluateShare (rule: AlertRuleRow): Promise<void> {
    const state = await this.state(rule.id, rule.unit_id, null)
    if (state.open) return
    const { windowMinutes = 60, thresholdPercent = 30, minCount = 10 } = rule.parameters
    const now = new Date()
    const windowStart = new Date(now.getTime() - windowMinutes * 60_000)
    const since = state.since !== null && state.since > windowStart ? state.since : windowStart
    const row = await this.db
      .selectFrom('ratings')
      .select([
        sql<number>`count(*)::int`.as('total'),
        sql<number>`(count(*) filter (where category = 'unsatisfied'))::int`.as('unsatisfied')
      ])
      .where('unit_id', 'in', subtreeOf(rule.unit_id))
      .where('misuse', '=', false)
      .where('counted_at', '>', since)
      .where('counted_at', '<=', now)
      .executeTakeFirstOrThrow()
    if (row.total < minCount || row.unsatisfied * 100 <= thresholdPercent * row.total) return
    await this.fire(rule, rule.unit_id, null, {
      parameters: rule.parameters,
      total: row.total,
      unsatisfied: row.unsatisfied,
      share: row.unsatisfied / row.total
    })
  }

  private async evaluateStreak (rule: AlertRuleRow, unitId: string, counterId: string): Promise<void> {
    const state = await this.state(rule.id, unitId, counterId)
    if (state.open) return
    const count = rule.parameters.count ?? 3
    let query = this.db
      .selectFrom('ratings')
      .select(['id', 'category', 'officer_id'])
      .where('unit_id', '=', unitId)
      .where('counter_id', '=', counterId)
      .where('misuse', '=', false)
    if (state.since !== null) query = query.where('counted_at', '>', state.since)
    // By counted_at alone, so the (unit_id, counted_at) index is read backwards and stops after `count` rows.
    const rows: Array<{ id: string; category: Category; officer_id: string | null }> = await query
      .orderBy('counted_at', 'desc')
      .limit(count)
      .execute()
    if (rows.length < count || rows.some((row) => row.category !== 'unsatisfied')) return
    const officerIds = [...new Set(rows.map((row) => row.officer_id).filter((id): id is string => id !== null))]
    await this.fire(rule, unitId, counterId, {
      parameters: rule.parameters,
      unsatisfied: rows.length,
      ratingIds: rows.map((row) => row.id),
      officerIds
    })
  }

  private async fire (rule: AlertRuleRow, unitId: string, counterId: string | null, details: Record<string, unknown>): Promise<void> {
    // The partial unique index holds one open alert per key, also against another server process.
    const inserted = await this.db
      .insertInto('alerts')
      .values({ unit_id: unitId, rule_id: rule.id, kind: rule.kind, counter_id: counterId, details: JSON.stringify(details) })
      .onConflict((conflict) => conflict.doNothing())
      .returning('id')
      .executeTakeFirst()
    this.states.set(this.key(rule.id, unitId, counterId), { open: true, since: null, loadedAt: Date.now() })
    if (inserted === undefined) return
    const row = await findAlert(this.db, inserted.id)
    if (row !== undefined) await this.sink.fired(rowToAlert(row))
  }
}
