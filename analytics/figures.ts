// The figures object of DESIGN.md built from counts: totals by level and category, rates, score index, criteria.
import type { Category } from '../db/schema.ts'

/** Additive counts for one group of ratings: what rollups store and what raw GROUP BYs compute. */
export interface Counts {
  total: number
  satisfied: number
  neutral: number
  unsatisfied: number
  weightSum: number
  /** Ratings per level (1–10). */
  byLevel: Map<number, number>
  /** Per code: yes/no answers, of those met, and not-applicable answers (outside `answered`). */
  criteria: Map<string, CriterionCounts>
}

export interface CriterionCounts {
  answered: number
  met: number
  notApplicable: number
}

export interface CriterionFigure {
  code: string
  answered: number
  met: number
  /** Not-applicable answers: outside `answered` and the rate. */
  notApplicable: number
  /** met ÷ answered; null when nobody answered yes or no. */
  rate: number | null
}

/** Per-dossier counts of a group (analytics/visit-figures.ts): not additive across buckets, read apart from the rollups. */
export interface DossierCounts {
  /** Distinct dossiers (unit, code) rated. */
  dossiers: number
  /** Of those, with at least one unsatisfied rating. */
  dossiersUnsatisfied: number
  /** Ratings carrying a dossier code, and of those unsatisfied. */
  coded: number
  codedUnsatisfied: number
}

export interface Figures {
  total: number
  byLevel: Record<string, number>
  satisfied: number
  neutral: number
  unsatisfied: number
  satisfactionRate: number | null
  rate766: number | null
  /** 'dossier' when a rating counted carries a dossier code: each dossier then counts once (ratings without one, one each). */
  rate766Basis: 'dossier' | 'rating'
  /** Distinct dossiers rated. */
  dossiers: number
  scoreIndex: number | null
  criteria: CriterionFigure[]
}

/** The configured scale and criteria: every figures object lists them, even at zero. */
export interface Catalogue {
  levels: number[]
  criterionCodes: string[]
}

export function emptyCounts (): Counts {
  return { total: 0, satisfied: 0, neutral: 0, unsatisfied: 0, weightSum: 0, byLevel: new Map(), criteria: new Map() }
}

export function addCounts (into: Counts, from: Counts): void {
  into.total += from.total
  into.satisfied += from.satisfied
  into.neutral += from.neutral
  into.unsatisfied += from.unsatisfied
  into.weightSum += from.weightSum
  for (const [level, count] of from.byLevel) into.byLevel.set(level, (into.byLevel.get(level) ?? 0) + count)
  for (const [code, criterion] of from.criteria) addCriterion(into, code, criterion.answered, criterion.met, criterion.notApplicable)
}

export function addCriterion (into: Counts, code: string, answered: number, met: number, notApplicable: number): void {
  const current = into.criteria.get(code)
  if (current === undefined) into.criteria.set(code, { answered, met, notApplicable })
  else {
    current.answered += answered
    current.met += met
    current.notApplicable += notApplicable
  }
}

export function addCategory (into: Counts, category: Category, count: number): void {
  into[category] += count
}

const ratio = (numerator: number, denominator: number): number | null => (denominator === 0 ? null : numerator / denominator)

function descending (levels: number[]): boolean {
  for (let index = 1; index < levels.length; index++) if (levels[index - 1]! <= levels[index]!) return false
  return true
}

/** How many of `keys` the map holds. */
function configuredKeys<K> (map: Map<K, unknown>, keys: readonly K[]): number {
  let held = 0
  for (let index = 0; index < keys.length; index++) if (map.has(keys[index]!)) held++
  return held
}

/**
 * The figures object of `counts`, its fields assigned onto `into` after the caller's own (an officer's id, a bucket):
 * the same object as `{ ...into, ...figures }` without building the figures twice. Allocates only what it answers
 * (a province's officers are 2,001 of these per call; the garbage is what sets the API's GC pauses).
 */
export function toFigures<T extends object = Record<never, never>> (
  counts: Counts,
  catalogue: Catalogue,
  into?: T,
  dossier?: DossierCounts
): T & Figures {
  // Usually every level and code counted is configured: the catalogue's order as it is (2,000 officers' rows at a time).
  // Keys outside the catalogue are looked for only when the maps hold more keys than the catalogue has there
  // (iterating a Map allocates an iterator and an entry per key).
  let extraLevels = false
  if (counts.byLevel.size > configuredKeys(counts.byLevel, catalogue.levels)) {
    for (const [level, count] of counts.byLevel) if (count > 0 && !catalogue.levels.includes(level)) extraLevels = true
  }
  const levels =
    !extraLevels && descending(catalogue.levels)
      ? catalogue.levels
      : [...new Set([...catalogue.levels, ...[...counts.byLevel.entries()].filter(([, count]) => count > 0).map(([level]) => level)])].sort(
          (a, b) => b - a
        )
  const byLevel: Record<string, number> = {}
  for (const level of levels) byLevel[level] = counts.byLevel.get(level) ?? 0
  let codes = catalogue.criterionCodes
  const counted = (criterion: CriterionCounts): boolean => criterion.answered > 0 || criterion.notApplicable > 0
  if (counts.criteria.size > configuredKeys(counts.criteria, catalogue.criterionCodes)) {
    const extraCodes = [...counts.criteria.entries()]
      .filter(([code, answers]) => counted(answers) && !catalogue.criterionCodes.includes(code))
      .map(([code]) => code)
      .sort()
    if (extraCodes.length > 0) codes = [...catalogue.criterionCodes, ...extraCodes]
  }
  const criteria = new Array<CriterionFigure>(codes.length)
  for (let index = 0; index < codes.length; index++) {
    const code = codes[index]!
    const criterion = counts.criteria.get(code)
    criteria[index] = criterion === undefined
      ? { code, answered: 0, met: 0, notApplicable: 0, rate: null }
      : {
          code,
          answered: criterion.answered,
          met: criterion.met,
          notApplicable: criterion.notApplicable,
          rate: ratio(criterion.met, criterion.answered)
        }
  }
  const figures = (into ?? {}) as T & Figures
  figures.total = counts.total
  figures.byLevel = byLevel
  figures.satisfied = counts.satisfied
  figures.neutral = counts.neutral
  figures.unsatisfied = counts.unsatisfied
  figures.satisfactionRate = ratio(counts.satisfied, counts.total)
  // Decision 766 per dossier: a dossier is unsatisfied if any of its ratings is; a rating without a code is a visit of its own.
  const coded = dossier === undefined || dossier.coded === 0 ? null : dossier
  const visits = coded === null ? counts.total : coded.dossiers + counts.total - coded.coded
  const unsatisfiedVisits = coded === null ? counts.unsatisfied : coded.dossiersUnsatisfied + counts.unsatisfied - coded.codedUnsatisfied
  figures.rate766 = ratio(visits - unsatisfiedVisits, visits)
  figures.rate766Basis = coded === null ? 'rating' : 'dossier'
  figures.dossiers = coded?.dossiers ?? 0
  figures.scoreIndex = ratio(counts.weightSum, counts.total)
  figures.criteria = criteria
  return figures
}

/** Counts of a key with nothing counted (an empty bucket, a unit without ratings): shared, never written to. */
export const noCounts: Readonly<Counts> = emptyCounts()
