// What a signed-in user's pages look up: the scale and criteria labels, and the units, counters and officers in scope.
import { useEffect, useState } from 'preact/hooks'
import { get, type Counter, type Criterion, type Items, type Officer, type ScaleLevel, type Unit, type User } from '../api.ts'
import { useConnection } from '../connection.ts'
import { setCatalogue } from '../i18n.ts'

export interface Scope {
  /** The scale and criteria labels were asked for (and set when the server answered). */
  catalogueLoaded: boolean
  units: Unit[]
  refreshUnits: () => void
  counters: Map<string, Counter>
  officers: Map<string, Officer>
}

/** Reads the catalogue and, for all but officers, the units, counters and officers; again each time the server comes back. */
export function useScope (user: User): Scope {
  const [catalogueLoaded, setCatalogueLoaded] = useState(false)
  const [units, setUnits] = useState<Unit[]>([])
  const [counters, setCounters] = useState<Map<string, Counter>>(new Map())
  const [officers, setOfficers] = useState<Map<string, Officer>>(new Map())
  const [unitsRound, setUnitsRound] = useState(0)
  const connection = useConnection()

  useEffect(() => {
    Promise.all([get<Items<ScaleLevel>>('/scale'), get<Items<Criterion>>('/criteria')]).then(([scale, criteria]) => {
      setCatalogue(scale.items, criteria.items)
      setCatalogueLoaded(true)
    }, () => setCatalogueLoaded(true))
  }, [user.id, connection.round])

  useEffect(() => {
    if (user.role === 'officer') return
    get<Items<Unit>>('/units').then((list) => setUnits(list.items)).catch(() => {})
  }, [user.id, connection.round, unitsRound])
  useEffect(() => {
    if (user.role === 'officer') return
    get<Items<Counter>>('/counters').then((list) => setCounters(new Map(list.items.map((item) => [item.id, item])))).catch(() => {})
    get<Items<Officer>>('/officers').then((list) => setOfficers(new Map(list.items.map((item) => [item.id, item])))).catch(() => {})
  }, [user.id, connection.round])

  return { catalogueLoaded, units, refreshUnits: () => setUnitsRound((n) => n + 1), counters, officers }
}
