// The short form of `npm run reliability`: 20 terminals press through a proxy while the API is SIGKILLed and restarted, PostgreSQL restarts
// and the network is cut; every tap is stored once and the rollups equal the raw figures.
import fs from 'node:fs/promises'
import t from 'tap'
import { PrivatePostgres } from './postgres.ts'
import { describeCrashReport, runCrashScenario } from './scenarios.ts'
import { requireTools, tools } from '../system-tools.ts'

// Skipped with a line naming the missing tool and its Debian package outside CI; a failure with CI=true.
requireTools(t, [tools.postgres])

t.test('crash, restart and offline: every press stored exactly once, rollups equal raw', async (t) => {
  const pg = await PrivatePostgres.start()
  t.teardown(() => pg.destroy())
  const report = await runCrashScenario(pg, {
    terminals: 20, seconds: 30, intervalMs: 1000, pgRestart: 'immediate', settleSeconds: 60, log: (line) => t.comment(line)
  })
  for (const line of describeCrashReport(report)) t.comment(line)
  t.teardown(() => t.passing() ? fs.rm(report.workDir, { recursive: true, force: true }) : t.comment(`API log kept: ${report.apiLog}`))
  const { ledger, figures } = report

  t.ok(ledger.tapped >= 200, `the terminals kept pressing through the faults (${ledger.tapped} taps)`)
  t.same(report.pressErrors, [], 'every tap was stored in its terminal\'s outbox')
  t.same(report.crashes, [], 'the API never exited on its own (the PostgreSQL restart did not take it down)')
  t.ok(report.failedSends > 0, 'the faults reached the terminals: sends failed and were retried')
  t.ok(report.answers.duplicate > 0, 'ratings stored while their answer was lost were sent again and answered "duplicate"')
  t.equal(report.unsent, 0, 'every outbox emptied once the API and the network were back')
  t.equal(ledger.stored, ledger.tapped, 'presses made == rows stored')
  t.equal(ledger.lost, 0, 'no press lost')
  t.equal(ledger.extra, 0, 'no row that no one pressed')
  t.equal(ledger.duplicates, 0, 'no rating stored twice')
  t.equal(report.answers.rejected, 0, 'no rating refused')
  t.ok(ledger.misuse > 0 && ledger.misuse < ledger.stored, `presses faster than the cooldown were flagged as misuse, the others not (${ledger.misuse} of ${ledger.stored})`)
  t.ok(ledger.unsatisfied > 0, 'unsatisfied ratings opened cases')
  t.equal(ledger.cases, ledger.unsatisfied, 'one follow-up case per unsatisfied rating')
  t.equal(ledger.casesForDistinctRatings, ledger.cases, 'no case opened twice')

  t.equal(report.rollupsPending, 0, 'the rollup worker caught up after the crash and the restart')
  t.same(figures.mismatches, [], `figures from the rollups equal figures from the raw ratings (${figures.compared.join(', ')})`)
  t.equal(figures.rollupTotal, ledger.stored, 'the rollups count every stored rating')
  t.ok(Object.keys(figures.grainTotals).length > 0, 'the rollups have rows')
  for (const [grain, total] of Object.entries(figures.grainTotals)) {
    t.equal(total, ledger.stored, `the ${grain} rollups count every rating once`)
  }
  t.equal(report.finalExit.code, 0, 'the API stops cleanly on SIGTERM after it all')
})
