// Building figures objects allocates little beyond the objects themselves: a province's 2,001 officers per call are what
// the API's garbage collector pauses for (docs/analytics.md, "GC tails").
import t from 'tap'
import v8 from 'node:v8'
import { emptyCounts, toFigures, type Counts } from '../../analytics/figures.ts'

const catalogue = {
  levels: [4, 3, 2, 1],
  criterionCodes: ['xin_chao', 'xin_loi', 'xin_cam_on', 'xin_phep', 'luon_mim_cuoi', 'luon_nhe_nhang', 'luon_lang_nghe', 'luon_giup_do']
}

/** An officer's year: four levels counted, four of the eight criteria answered. */
function officerCounts (index: number): Counts {
  const counts = emptyCounts()
  counts.total = 5000 + index
  counts.satisfied = 4000
  counts.neutral = 600 + index
  counts.unsatisfied = 400
  counts.weightSum = 330_000 + index
  for (const level of [1, 2, 3, 4]) counts.byLevel.set(level, 1000 + level + index)
  for (const code of ['xin_chao', 'xin_cam_on', 'luon_mim_cuoi', 'luon_lang_nghe']) {
    counts.criteria.set(code, { answered: 2000, met: 1800 + (index % 200), notApplicable: index % 3 })
  }
  return counts
}

/** Heap bytes allocated by `fn`: the heap's growth plus what every collection meanwhile freed. */
function allocated (fn: () => void): number {
  const profiler = new v8.GCProfiler()
  const before = v8.getHeapStatistics().used_heap_size
  profiler.start()
  fn()
  const { statistics } = profiler.stop()
  let bytes = v8.getHeapStatistics().used_heap_size - before
  for (const gc of statistics) bytes += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize
  return bytes
}

t.test('2,001 officers\' figures objects cost at most 2,000 bytes of heap each', async (t) => {
  const all = Array.from({ length: 2001 }, (_, index) => officerCounts(index))
  const rows: object[] = new Array(all.length)
  const build = (): void => {
    for (let index = 0; index < all.length; index++) {
      rows[index] = toFigures(all[index]!, catalogue, { officerId: null, fullName: null, smallSample: false })
    }
  }
  // Warmed up first (the optimising compiler is what the API runs); the median of 15 calls.
  for (let run = 0; run < 20; run++) build()
  const perRow = Array.from({ length: 15 }, () => allocated(build) / all.length).sort((a, b) => a - b)[7]!
  // What the row holds: the object, byLevel, eight criteria and their rates. Before (Map entries iterated, the figures
  // built and then spread into the row) it was ~2,360 bytes.
  t.ok(perRow < 2000, `${Math.round(perRow)} bytes of heap per officer's row`)
  const row = rows[5] as Record<string, unknown>
  t.same(Object.keys(row).slice(0, 4), ['officerId', 'fullName', 'smallSample', 'total'], 'the caller\'s fields first, as before')
  t.same(row.byLevel, { 1: 1006, 2: 1007, 3: 1008, 4: 1009 })
  t.equal((row.criteria as unknown[]).length, 8, 'every configured criterion listed')
})
