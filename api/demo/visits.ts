// The demo's visits (issue 17): the queue system's calls for the demo's counters, the tickets and dossier codes the ratings
// carry, a few citizens who were called but did not rate, a few dossiers rated on two visits, and a few tickets rated twice.
import { randomUUID } from 'node:crypto'

const MINUTE = 60_000
const DAY = 24 * 3600_000
const LOCAL_OFFSET = 7 * 3600_000

/** A press as seed.ts builds it: its terminal, its time, and the ratings row to insert. */
export interface VisitPress {
  terminalId: string
  at: number
  rating: Record<string, unknown>
}

export interface DemoQueueCall {
  id: string
  unit_id: string
  counter_id: string
  ticket: string
  dossier_code: string | null
  called_at: Date
  received_at: Date
  token_id: string
}

/** Share of visits whose citizen did not rate (the "share of visits rated" is then about 80 %). */
const UNRATED = 0.22
/** Share of rated visits whose rating missed the call (called after the press, a terminal offline): no ticket. */
const MISSED = 0.06
/** Share of visits with a dossier (the rest asked for information only). */
const WITH_DOSSIER = 0.65
/** Share of dossier visits that come back for a dossier rated before (to collect the result). */
const RETURNING = 0.12
/** Share of rated visits (08:00–10:00, before today) whose ticket is pressed a second time a few minutes later. */
const REPEATED = 1 / 120

const pad = (value: number, length = 2): string => String(value).padStart(length, '0')

/** yymmdd of a local day number. */
function yymmdd (localDay: number): string {
  const date = new Date(localDay * DAY)
  return `${pad(date.getUTCFullYear() % 100)}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`
}

/**
 * Gives the visits (`presses`, the citizens' ratings, no misuse bursts) their queue calls, tickets and dossier codes;
 * answers the calls to store and the repeated presses to add (flag them 'ticket_repeat' after the other misuse rules).
 * `random` is its own generator, so every other figure of the demo stays as it was.
 */
export function demoVisits (
  presses: VisitPress[], centreUnitIds: string[], tokenId: string, now: Date, random: () => number
): { calls: DemoQueueCall[], repeats: VisitPress[] } {
  interface Call { unitId: string, counterId: string, calledAt: number, press: VisitPress | null }
  const byCentreDay = new Map<string, Call[]>()
  const add = (call: Call): void => {
    const key = `${call.unitId} ${Math.floor((call.calledAt + LOCAL_OFFSET) / DAY)}`
    byCentreDay.set(key, [...(byCentreDay.get(key) ?? []), call])
  }
  for (const press of presses) {
    const unitId = press.rating.unit_id as string
    const counterId = press.rating.counter_id as string
    // Served for 4–16 minutes after the call; now and then the citizen called before left without rating.
    const calledAt = press.at - (4 + random() * 12) * MINUTE
    add({ unitId, counterId, calledAt, press })
    if (random() < UNRATED / (1 - UNRATED)) add({ unitId, counterId, calledAt: calledAt - (3 + random() * 5) * MINUTE, press: null })
  }

  const calls: DemoQueueCall[] = []
  const repeats: VisitPress[] = []
  const today = Math.floor((now.getTime() + LOCAL_OFFSET) / DAY)
  const dossiers = new Map<string, string[]>()
  for (const [key, list] of [...byCentreDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [unitId, dayText] = key.split(' ') as [string, string]
    const day = Number(dayText)
    const centreNumber = 21 + Math.max(0, centreUnitIds.indexOf(unitId))
    const earlier = dossiers.get(unitId) ?? []
    const fresh: string[] = []
    list.sort((a, b) => a.calledAt - b.calledAt)
    list.forEach((call, index) => {
      const ticket = String(1001 + index)
      let dossierCode: string | null = null
      if (random() < WITH_DOSSIER) {
        dossierCode = earlier.length > 0 && random() < RETURNING
          ? earlier[Math.floor(random() * earlier.length)]!
          : `000.00.${centreNumber}.H72-${yymmdd(day)}-${pad(index + 1, 4)}`
        fresh.push(dossierCode)
      }
      const calledAt = new Date(Math.min(call.calledAt, now.getTime() - 1000))
      calls.push({
        id: randomUUID(),
        unit_id: unitId,
        counter_id: call.counterId,
        ticket,
        dossier_code: dossierCode,
        called_at: calledAt,
        received_at: new Date(calledAt.getTime() + 300),
        token_id: tokenId
      })
      const press = call.press
      if (press === null || random() < MISSED) return
      press.rating.ticket = ticket
      press.rating.dossier_code = dossierCode
      const localHour = ((press.at + LOCAL_OFFSET) % DAY) / 3600_000
      if (day < today && localHour >= 8 && localHour < 10 && random() < REPEATED) {
        // Pressed again for the same ticket 1.5–4 minutes later (a second try, a relative): kept, flagged, not counted.
        const at = press.at + (90 + random() * 150) * 1000
        repeats.push({
          terminalId: press.terminalId,
          at,
          rating: {
            ...press.rating,
            id: randomUUID(),
            rated_at: new Date(at),
            received_at: new Date(at + 800),
            counted_at: new Date(at),
            criteria: JSON.stringify({})
          }
        })
      }
    })
    dossiers.set(unitId, [...earlier, ...fresh])
  }
  return { calls, repeats }
}
