// Attempt counts and rate limits in the database, so every API process on it counts against the same limits.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  // Sliding windows (wrong passwords per username and per username at an address): the attempts still inside the
  // window, oldest first; the row goes once its newest attempt has left the window.
  await db.schema.createTable('attempt_windows')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('attempts', sql`timestamptz[]`, (c) => c.notNull())
    .addColumn('window_ms', 'integer', (c) => c.notNull().check(sql`window_ms > 0`))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().check(sql`max_attempts > 0`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('attempt_windows_expiry').on('attempt_windows').column('expires_at').execute()
  // Fixed windows of @fastify/rate-limit (its LocalStore's rule: the window starts at the first hit).
  await db.schema.createTable('rate_limit_counters')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addColumn('resets_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('rate_limit_counters_reset').on('rate_limit_counters').column('resets_at').execute()
  // Wrong PINs for staff codes that do not exist at a unit: the same count and lock as officers.pin_failures.
  await db.schema.createTable('unknown_code_lockouts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('pin_failures', 'integer', (c) => c.notNull())
    .addColumn('pin_locked_until', 'timestamptz')
    .addColumn('touched_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('unknown_code_lockouts_touched').on('unknown_code_lockouts').column('touched_at').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('unknown_code_lockouts').execute()
  await db.schema.dropTable('rate_limit_counters').execute()
  await db.schema.dropTable('attempt_windows').execute()
}
