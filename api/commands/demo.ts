// `npm run demo`: adds the demo centre and a month of ratings to the configured database (never done silently).
import { describeDatabase } from '../db/database.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { seedDemo } from '../demo/seed.ts'
import { loadPairingKey } from '../services/secrets.ts'
import { runCommand } from './command.ts'

await runCommand('demo', async (db, config, options) => {
  await migrateToLatest(db)
  const result = await seedDemo(db, new Date(), await loadPairingKey(config))
  if (!result.created) {
    console.log(`demo data is already in ${describeDatabase(options)}; nothing added`)
  } else {
    console.log([
      `Added the demo to ${describeDatabase(options)}: Trung tâm Phục vụ hành chính công phường Tân Ninh, 6 counters, 10 officers, ${result.ratings} ratings over 30 days.`,
      `  Dashboard (npm start, then http://127.0.0.1:${config.port}/): supervisor ${result.supervisor.username} / ${result.supervisor.password}`,
      `  Terminal (http://127.0.0.1:${config.port}/terminal/): pairing code ${result.pairingCode} (valid 24 hours), officers TN001…TN010 with PIN ${result.officerPin}`
    ].join('\n'))
  }
})
