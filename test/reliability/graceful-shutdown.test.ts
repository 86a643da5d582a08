// SIGTERM during load: no acknowledged rating is lost, and every request gets a full answer or a clean refusal of its new connection.
import fs from 'node:fs/promises'
import t from 'tap'
import { PrivatePostgres } from './postgres.ts'
import { describeShutdownReport, runGracefulShutdown } from './scenarios.ts'
import { requireTools, tools } from '../system-tools.ts'

// Skipped with a line naming the missing tool and its Debian package outside CI; a failure with CI=true.
requireTools(t, [tools.postgres])

t.test('SIGTERM under load: acknowledged ratings kept, no request reset', async (t) => {
  const pg = await PrivatePostgres.start()
  t.teardown(() => pg.destroy())
  const report = await runGracefulShutdown(pg, { clients: 10, loadSeconds: 3, log: (line) => t.comment(line) })
  for (const line of describeShutdownReport(report)) t.comment(line)
  t.teardown(() => t.passing() ? fs.rm(report.workDir, { recursive: true, force: true }) : t.comment(`API log kept: ${report.apiLog}`))

  t.ok(report.acknowledged > 0, `ratings were acknowledged before the SIGTERM (${report.acknowledged})`)
  t.ok(report.answeredAfterTerm > 0, `requests in flight at the SIGTERM were answered (${report.answeredAfterTerm})`)
  t.equal(report.acknowledgedLost, 0, 'every acknowledged rating is in the database')
  t.equal(report.refusedButStored, 0, 'a rating answered "nothing stored" (503) was not stored')
  t.same(report.resets, [], 'no request answered with a connection reset')
  t.ok(report.refused > 0, 'once the server stopped listening, new connections were refused')
  t.same(Object.keys(report.answered).filter((status) => Number(status) >= 500 && status !== '503'), [], 'no server error')
  t.equal(report.exit.code, 0, `the API exits cleanly (${report.shutdownMs} ms after SIGTERM)`)
})
