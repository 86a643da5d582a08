// What every page reads: the signed-in user, the language, the units in scope, the chosen unit and period (kept in the URL), live events.
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import { useLocation } from 'preact-iso'
import type { Counter, Officer, Query, Unit, User } from './api.ts'
import type { Lang, MessageKey } from './i18n.ts'
import type { LiveAlert, LiveRating } from './live.ts'
import { isDay, localToday, presetPeriod, presets, type Period, type Preset } from './period.ts'

export interface Dashboard {
  user: User
  lang: Lang
  setLang: (lang: Lang) => void
  t: (key: MessageKey) => string
  units: Unit[]
  /** Reads the units again (after a change in Quản trị, e.g. a target). */
  refreshUnits: () => void
  counters: Map<string, Counter>
  officers: Map<string, Officer>
  signOut: () => void
  live: {
    open: boolean
    ratings: LiveRating[]
    alerts: LiveAlert[]
    /** Counts rule alerts fired or acknowledged: pages showing alerts reload on it. */ alertRound: number
    /** Open rule alerts in scope (up to 100). */ openAlerts: number
    dismiss: (key: string) => void
    dismissAll: () => void
    sound: boolean
    setSound: (on: boolean) => void
  }
}

export const DashboardContext = createContext<Dashboard | null>(null)

/** SIPAS 2030: at least 95 % of citizens satisfied. */
export const DEFAULT_TARGET = 0.95

/** The satisfaction target of a unit: its own, else the nearest ancestor's, else the SIPAS 2030 default. */
export function targetOf (units: Unit[], unitId: string | null | undefined): number {
  const byId = new Map(units.map((unit) => [unit.id, unit]))
  for (
    let unit = unitId == null ? undefined : byId.get(unitId);
    unit !== undefined;
    unit = unit.parentId === null ? undefined : byId.get(unit.parentId)
  ) {
    if (unit.satisfactionTarget !== undefined && unit.satisfactionTarget !== null) return unit.satisfactionTarget
  }
  return DEFAULT_TARGET
}

export function useDashboard (): Dashboard {
  const dashboard = useContext(DashboardContext)
  if (dashboard === null) throw new Error('outside the dashboard')
  return dashboard
}

export interface Selection {
  unitId: string
  preset: Preset
  period: Period
  /** The statistics query of the selection. */
  stats: Query
  /** The URL's query string, carried over by the navigation links. */
  search: string
  change: (next: { unitId?: string; preset?: Preset; from?: string; to?: string }) => void
}

/** The unit and period of the URL (`?unit=…&period=month`, or `period=custom&from=…&to=…`). */
export function useSelection (): Selection {
  const location = useLocation()
  const query = location.query
  const preset: Preset = presets.includes(query.period as Preset) ? (query.period as Preset) : 'month'
  const unitId = query.unit ?? ''
  const fallback = presetPeriod(preset === 'custom' ? 'month' : preset)
  const period: Period =
    preset === 'custom' ? { from: isDay(query.from) ? query.from : fallback.from, to: isDay(query.to) ? query.to : localToday() } : fallback
  const searchOf = (values: { unit: string; period: Preset; from: string; to: string }): string => {
    const params = new URLSearchParams()
    if (values.unit !== '') params.set('unit', values.unit)
    params.set('period', values.period)
    if (values.period === 'custom') {
      params.set('from', values.from)
      params.set('to', values.to)
    }
    return `?${params.toString()}`
  }
  const search = searchOf({ unit: unitId, period: preset, from: period.from, to: period.to })
  return {
    unitId,
    preset,
    period,
    stats: { unitId: unitId === '' ? undefined : unitId, from: period.from, to: period.to },
    search,
    change (next) {
      const nextPreset = next.preset ?? preset
      const nextPeriod = nextPreset === 'custom' ? { from: next.from ?? period.from, to: next.to ?? period.to } : presetPeriod(nextPreset)
      location.route(location.path + searchOf({ unit: next.unitId ?? unitId, period: nextPreset, ...nextPeriod }))
    }
  }
}
