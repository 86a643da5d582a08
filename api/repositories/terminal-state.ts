// What a terminal shows: its counter and centre, the officer serving now, the scale, the criteria and the queue's call.
import type { OfficerRow, Db } from '../../db/schema.ts'
import type { TerminalOfficer, TerminalState } from '../../contract/terminals.ts'
import { notFound } from '../errors.ts'
import { loadCriteria, loadScale } from './catalogue.ts'
import { sql } from 'kysely'
import type { FollowUpSettings } from '../../contract/follow-up.ts'
import { CURRENT_CONSENT, effectiveFollowUp } from '../lib/follow-up.ts'
import { currentCall } from './queue-calls.ts'

export function rowToTerminalOfficer (row: OfficerRow): TerminalOfficer {
  return {
    id: row.id,
    unitId: row.unit_id,
    staffCode: row.staff_code,
    fullName: row.full_name,
    title: row.title,
    photoUrl: row.photo_url,
    active: row.active
  }
}

/** The officer whose shift is open at the counter now. */
export async function currentOfficer (db: Db, counterId: string): Promise<OfficerRow | undefined> {
  return db
    .selectFrom('assignments')
    .innerJoin('officers', 'officers.id', 'assignments.officer_id')
    .selectAll('officers')
    .where('assignments.counter_id', '=', counterId)
    .where('assignments.ended_at', 'is', null)
    .executeTakeFirst()
}

export async function terminalState (db: Db, terminalId: string, cooldownSeconds: number): Promise<TerminalState> {
  const row = await db
    .selectFrom('terminals')
    .innerJoin('counters', 'counters.id', 'terminals.counter_id')
    .innerJoin('units', 'units.id', 'counters.unit_id')
    .select([
      'terminals.id as terminalId',
      'terminals.kind as terminalKind',
      'terminals.name as terminalName',
      'counters.id as counterId',
      'counters.unit_id as counterUnitId',
      'counters.number as counterNumber',
      'counters.name as counterName',
      'units.id as unitId',
      'units.parent_id as unitParentId',
      'units.kind as unitKind',
      'units.code as unitCode',
      'units.name as unitName',
      sql<FollowUpSettings | null>`unit_follow_up(units.id)`.as('followUp')
    ])
    .where('terminals.id', '=', terminalId)
    .executeTakeFirst()
  if (row === undefined) throw notFound('Terminal', 'TERMINAL_NOT_FOUND')
  const [officer, scale, criteria, call] = await Promise.all([
    currentOfficer(db, row.counterId), loadScale(db), loadCriteria(db), currentCall(db, row.counterId)
  ])
  return {
    terminal: { id: row.terminalId, kind: row.terminalKind, name: row.terminalName },
    counter: { id: row.counterId, unitId: row.counterUnitId, number: row.counterNumber, name: row.counterName },
    unit: { id: row.unitId, parentId: row.unitParentId, kind: row.unitKind, code: row.unitCode, name: row.unitName },
    officer: officer === undefined ? null : rowToTerminalOfficer(officer),
    scale,
    criteria,
    cooldownSeconds,
    followUp: (({ phoneRetentionDays: _days, ...asked }) => ({ ...asked, consent: CURRENT_CONSENT }))(effectiveFollowUp(row.followUp)),
    call
  }
}
