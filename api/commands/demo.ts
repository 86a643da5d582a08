// `npm run demo`: adds the demo (two centres of a ward, 90 days of ratings) to the configured database; never done silently.
// On PGlite the server must be stopped first: the data directory lock refuses this command while it runs, saying so.
import { describeDatabase } from '../../db/database.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import { DEMO_DAYS, seedDemo } from '../demo/seed.ts'
import { loadPairingKey } from '../lib/secrets.ts'
import { runCommand } from './command.ts'

const localTime = (date: Date): string =>
  new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'short' }).format(date)

await runCommand('demo', async (db, config, options) => {
  const started = Date.now()
  await migrateToLatest(db)
  const result = await seedDemo(db, new Date(), await loadPairingKey(config))
  if (!result.created) {
    console.log(`demo data is already in ${describeDatabase(options)}; nothing added`)
    return
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const base = `http://127.0.0.1:${config.port}`
  console.log(
    [
      `Added the demo to ${describeDatabase(options)} in ${seconds} s: Phường Tân Ninh with ${result.centres} centres, ${result.counters} counters, ${result.officers} officers, ${result.ratings} ratings over ${DEMO_DAYS} days (${result.misuse} flagged as misuse), alert rules on, open and resolved cases.`,
      '  Start the server: npm start (your admin is created and named in its log as usual).',
      `  Dashboard ${base}/ : supervisor ${result.supervisor.username} / ${result.supervisor.password}`,
      `  Terminal ${base}/terminal/ : pairing code ${result.pairingCode} (valid until ${localTime(result.pairingExpiresAt!)}, Vietnam time), then officers TN001…TN${String(result.officers).padStart(3, '0')} sign in with PIN ${result.officerPin}`,
      `  Queue system: POST ${base}/api/v1/queue/calls with Authorization: Bearer ${result.queueToken} (docs/queue-integration.md)`
    ].join('\n')
  )
})
