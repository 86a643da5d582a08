// The one Database interface: a table type per table, as the migrations in migrations/ build them.
import type { ColumnType, Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely'

/** A timestamptz column: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Json<T> = ColumnType<T, string, string>

export type UnitKind = 'province' | 'commune' | 'ward' | 'special_zone' | 'centre' | 'agency' | 'other'
export type Category = 'satisfied' | 'neutral' | 'unsatisfied'
export type Role = 'admin' | 'supervisor' | 'analyst' | 'officer'
export type TerminalKind = 'touch' | 'button'
/** Where a rating came from: a tablet, a button box, or the citizen's phone later (a receipt's link). */
export type RatingSource = TerminalKind | 'phone'
/** Why a rating is suspected misuse (left out of the figures by default, kept as evidence). */
export type MisuseReason = 'cooldown' | 'burst' | 'backdated' | 'ticket_repeat'
/** A criterion's answer: met (true), not met (false) or not applicable ('na', e.g. no mishap to apologise for). */
export type CriterionAnswer = boolean | 'na'
export type CriteriaAnswers = Record<string, CriterionAnswer>
/** units.follow_up as stored (contract/organisation.ts FollowUpSettings). */
export interface FollowUpSettingsJson {
  reasons: Array<{ code: string; labelVi: string; labelEn: string }>
  askNeutral: boolean
  callBack: boolean
  phoneRetentionDays: number
}

export interface UnitTable {
  id: Generated<string>
  parent_id: string | null
  kind: UnitKind
  code: string
  name: string
  /** The satisfaction target as a fraction (0.95); null: the SIPAS 2030 default. */
  satisfaction_target: Generated<number | null>
  /** Working days to follow a case up; null: as the parent unit (the top: 2). */
  case_sla_days: Generated<number | null>
  /** The follow-up question's settings; null: as the parent unit (the top: the defaults). */
  follow_up: ColumnType<FollowUpSettingsJson | null, string | null | undefined, string | null>
  created_at: DefaultedTimestamp
  /** Days a receipt code (rate later from a phone) stays valid; null: as the parent unit (the top: 7). */
  receipt_days: Generated<number | null>
}

export interface CounterTable {
  id: Generated<string>
  unit_id: string
  number: number
  name: string
  active: Generated<boolean>
  created_at: DefaultedTimestamp
}

export interface OfficerTable {
  id: Generated<string>
  unit_id: string
  staff_code: string
  full_name: string
  title: Generated<string>
  photo_url: string | null
  pin_hash: string | null
  pin_failures: Generated<number>
  pin_locked_until: Timestamp | null
  active: Generated<boolean>
  created_at: DefaultedTimestamp
}

export interface AssignmentTable {
  id: Generated<string>
  unit_id: string
  counter_id: string
  officer_id: string
  started_at: DefaultedTimestamp
  ended_at: Timestamp | null
}

export interface ScaleLevelTable {
  level: number
  category: Category
  weight: number
  label_vi: string
  label_en: string
}

export interface CriterionTable {
  code: string
  group_code: Generated<'xin' | 'luon' | 'other'>
  label_vi: string
  label_en: string
  position: number
  active: Generated<boolean>
}

export interface UserTable {
  id: Generated<string>
  username: string
  display_name: Generated<string>
  password_hash: string
  role: Role
  unit_id: string | null
  officer_id: string | null
  active: Generated<boolean>
  created_at: DefaultedTimestamp
}

export interface SessionTable {
  id_hash: string
  user_id: string
  created_at: DefaultedTimestamp
  last_seen_at: DefaultedTimestamp
  expires_at: Timestamp
}

export interface ApiTokenTable {
  id: Generated<string>
  name: string
  token_hash: string
  unit_id: string
  created_by: string | null
  created_at: DefaultedTimestamp
  last_used_at: Timestamp | null
  revoked_at: Timestamp | null
  /** stats: reads statistics; queue: the centre's queue system reporting calls (POST /api/v1/queue/calls), nothing else. */
  purpose: ColumnType<ApiTokenPurpose, ApiTokenPurpose | undefined, never>
}

/** What an API token may do: each purpose is accepted only by its own routes (api/plugins/app/auth.ts). */
export type ApiTokenPurpose = 'stats' | 'queue'

export interface AuditLogTable {
  /** bigint identity: `pg` returns it as a string. */
  id: Generated<string>
  at: DefaultedTimestamp
  actor_kind: 'user' | 'terminal' | 'system'
  actor_id: string | null
  action: string
  entity: string
  entity_id: string | null
  unit_id: string | null
  before: Json<unknown> | null
  after: Json<unknown> | null
}

export interface TerminalTable {
  id: Generated<string>
  unit_id: string
  counter_id: string
  kind: TerminalKind
  name: Generated<string>
  token_hash: string | null
  pairing_code_hash: string | null
  pairing_expires_at: Timestamp | null
  paired_at: Timestamp | null
  revoked_at: Timestamp | null
  last_seen_at: Timestamp | null
  created_at: DefaultedTimestamp
}

export interface RatingTable {
  id: string
  unit_id: string
  counter_id: string
  terminal_id: string
  officer_id: string | null
  device_officer_id: string | null
  level: number
  category: Category
  weight: number
  criteria: ColumnType<CriteriaAnswers, string | undefined, never>
  rated_at: ColumnType<Date, Date | string, never>
  received_at: ColumnType<Date, Date | string | undefined, never>
  counted_at: ColumnType<Date, Date | string, never>
  clock_untrusted: ColumnType<boolean, boolean | undefined, never>
  source: RatingSource
  misuse: Generated<boolean>
  misuse_reason: MisuseReason | null
  /** The queue number as printed on the citizen's ticket, when known. */
  ticket: ColumnType<string | null, string | null | undefined, never>
  /** The dossier's code on its receipt, when known (Decision 766 scores per dossier). */
  dossier_code: ColumnType<string | null, string | null | undefined, never>
}

/** The centre's queue system called a ticket to a counter (POST /api/v1/queue/calls). */
export interface QueueCallTable {
  id: Generated<string>
  unit_id: string
  counter_id: string
  ticket: string
  dossier_code: string | null
  called_at: ColumnType<Date, Date | string, Date | string>
  received_at: DefaultedTimestamp
  token_id: string | null
}

/**
 * Ratings stored but not yet in the rollups: written by the ingest's statement with the rating, deleted by the
 * rollup worker in the transaction that adds the rating to the rollups.
 */
export interface RollupQueueTable {
  unit_id: string
  rating_id: string
}

export interface CaseTable {
  id: Generated<string>
  unit_id: string
  rating_id: string
  counter_id: string
  officer_id: string | null
  status: Generated<'open' | 'resolved'>
  opened_at: DefaultedTimestamp
  resolved_at: Timestamp | null
  resolved_by: string | null
  note: string | null
  /** The user who owns the follow-up; null: nobody yet. */
  assignee_id: Generated<string | null>
  /** Set on insert from the unit's SLA (migrations/2026_11_30_0900_case_loop.ts). */
  due_at: ColumnType<Date, Date | string | undefined, Date | string>
  /** When the overdue alert was raised (once). */
  overdue_alerted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  /** What went wrong, as the citizen chose it on the terminal (a code of the unit's reasons). */
  reason: Generated<string | null>
  /** The call-back number (0 + 9–10 digits); null once erased (phone_erased_at). Never exported, logged or broadcast. */
  phone: Generated<string | null>
  /** Which consent text the citizen saw, and when the number arrived with it (Decree 13/2023/NĐ-CP). */
  consent_version: Generated<string | null>
  consent_at: Generated<Date | null>
  phone_erased_at: Generated<Date | null>
}

export type CaseEventKind = 'assigned' | 'note' | 'contacted' | 'resolved' | 'reopened'

export interface CaseEventTable {
  id: Generated<string>
  unit_id: string
  case_id: string
  kind: CaseEventKind
  actor_id: string | null
  assignee_id: string | null
  note: string | null
  at: DefaultedTimestamp
}

export type AlertRuleKind = 'unsatisfied_share' | 'unsatisfied_streak'
/** A rule's kind, or an overdue case's alert (no rule). */
export type AlertKind = AlertRuleKind | 'case_overdue'
/** unsatisfied_share: windowMinutes, thresholdPercent, minCount; unsatisfied_streak: count. */
export interface AlertRuleParameters { windowMinutes?: number, thresholdPercent?: number, minCount?: number, count?: number }

export interface AlertRuleTable {
  id: Generated<string>
  unit_id: string
  kind: AlertRuleKind
  parameters: Json<AlertRuleParameters>
  enabled: Generated<boolean>
  created_by: string | null
  created_at: DefaultedTimestamp
  updated_at: DefaultedTimestamp
}

export interface AlertTable {
  id: Generated<string>
  unit_id: string
  rule_id: string | null
  kind: AlertKind
  counter_id: string | null
  fired_at: DefaultedTimestamp
  details: ColumnType<Record<string, unknown>, string | undefined, string>
  acknowledged_at: Timestamp | null
  acknowledged_by: string | null
  note: string | null
}

/** A rollup row's period: the local (UTC+7) hour, day, month or year starting at its `bucket`. */
export type RollupGrain = 'hour' | 'day' | 'month' | 'year'

/** One count column per level (levels are 1–10). */
export type LevelColumns = {
  level_1: number,
  level_2: number,
  level_3: number,
  level_4: number,
  level_5: number
  level_6: number,
  level_7: number,
  level_8: number,
  level_9: number,
  level_10: number
}

/**
 * Counts every rollup row holds. Criteria are packed: `answered[slot]` (yes/no answers), `met[slot]` and `na[slot]` (not
 * applicable, outside `answered`), slots from `criterion_slots`.
 */
export type CountColumns = LevelColumns & {
  total: number
  satisfied: number
  neutral: number
  unsatisfied: number
  weight_sum: number
  answered: number[]
  met: number[]
  na: number[]
}

/** Per counter × officer (migrations 2026_11_27_0100 and _1100): officer and counter figures, counter/officer filters. */
export type RatingRollupTable = CountColumns & {
  grain: RollupGrain
  unit_id: string
  bucket: Date | string
  counter_id: string
  officer_id: string | null
  misuse: boolean
}

/** Per unit over its whole subtree (the unit and every unit below it): summary, units, series, heat map of a subtree. */
export type SubtreeRollupTable = CountColumns & {
  grain: RollupGrain
  unit_id: string
  bucket: Date | string
  misuse: boolean
}

/**
 * Per unit over its whole subtree, per officer (officer_rollups) or per counter (counter_rollups), local years only
 * (migration 2026_11_27_1400): the officers and counters of a province for a year are its own ~2,000 / ~1,000 rows.
 */
export type OfficerRollupTable = CountColumns & {
  unit_id: string
  grain: RollupGrain
  bucket: Date | string
  officer_id: string | null
  misuse: boolean
}

export type CounterRollupTable = CountColumns & {
  unit_id: string
  grain: RollupGrain
  bucket: Date | string
  counter_id: string
  misuse: boolean
}

/**
 * Per unit over its whole subtree, per local weekday × hour cell ((ISO weekday − 1) × 24 + hour, 0–167), local
 * years only (migration 2026_11_27_1500): a year's heat map is at most 168 rows a unit; parts of years come from
 * the subtree hour rows.
 */
export type HeatmapRollupTable = CountColumns & {
  unit_id: string
  grain: RollupGrain
  bucket: Date | string
  cell: number
  misuse: boolean
}

/** A fixed array position per criterion code, given the first time the code is counted. */
export type CriterionSlotTable = {
  slot: number
  code: string
}

/** The one row all rollup workers share: when the last run, by any API process, started (analytics/rollup-worker.ts). */
export interface RollupTurnTable {
  singleton: Generated<boolean>
  started_at: Date
}

/** A sliding window of attempts under one key (a username, a username at an address): shared by every API process. */
export interface AttemptWindowTable {
  key: string
  /** The attempts still inside the window, oldest first. */
  attempts: Date[]
  window_ms: number
  max_attempts: number
  expires_at: Date
}

/** A fixed window of @fastify/rate-limit hits under one key (route and address). */
export interface RateLimitCounterTable {
  key: string
  hits: number
  resets_at: Date
}

/** Wrong PINs for a staff code that does not exist at a unit, counted as officers.pin_failures are. */
export interface UnknownCodeLockoutTable {
  key: string
  pin_failures: number
  pin_locked_until: Date | null
  touched_at: Date
}

export interface Database {
  units: UnitTable
  counters: CounterTable
  officers: OfficerTable
  assignments: AssignmentTable
  scale_levels: ScaleLevelTable
  criteria: CriterionTable
  users: UserTable
  sessions: SessionTable
  api_tokens: ApiTokenTable
  audit_log: AuditLogTable
  terminals: TerminalTable
  ratings: RatingTable
  rollup_queue: RollupQueueTable
  queue_calls: QueueCallTable
  cases: CaseTable
  case_events: CaseEventTable
  alert_rules: AlertRuleTable
  alerts: AlertTable
  // Analytics (analytics/rollup-tables.ts writes them, analytics/queries.ts reads them).
  rating_rollups: RatingRollupTable
  subtree_rollups: SubtreeRollupTable
  officer_rollups: OfficerRollupTable
  counter_rollups: CounterRollupTable
  heatmap_rollups: HeatmapRollupTable
  criterion_slots: CriterionSlotTable
  rollup_turn: RollupTurnTable
  attempt_windows: AttemptWindowTable
  rate_limit_counters: RateLimitCounterTable
  unknown_code_lockouts: UnknownCodeLockoutTable
  receipt_codes: ReceiptCodeTable
}

export type UnitRow = Selectable<UnitTable>
export type NewUnit = Insertable<UnitTable>
export type UnitUpdate = Updateable<UnitTable>
export type CounterRow = Selectable<CounterTable>
export type OfficerRow = Selectable<OfficerTable>
export type AssignmentRow = Selectable<AssignmentTable>
export type ScaleLevelRow = Selectable<ScaleLevelTable>
export type CriterionRow = Selectable<CriterionTable>
export type UserRow = Selectable<UserTable>
export type SessionRow = Selectable<SessionTable>
export type ApiTokenRow = Selectable<ApiTokenTable>
export type TerminalRow = Selectable<TerminalTable>
export type RatingRow = Selectable<RatingTable>
export type NewRating = Insertable<RatingTable>
export type CaseRow = Selectable<CaseTable>
export type AlertRuleRow = Selectable<AlertRuleTable>
export type AlertRow = Selectable<AlertTable>

/** What repositories and services take: the database, or a transaction opened above them. */
export type Db = Kysely<Database> | Transaction<Database>

/** A single-use code to rate a visit later from a phone (/r/<code>); only its SHA-256 is kept. */
export interface ReceiptCodeTable {
  code_hash: string
  unit_id: string
  counter_id: string
  terminal_id: string
  officer_id: string | null
  rating_id: Generated<string>
  ticket: string | null
  dossier_code: string | null
  issued_at: DefaultedTimestamp
  expires_at: ColumnType<Date, Date | string, never>
  used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string>
}
