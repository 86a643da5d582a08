// Pairing codes are now stored as HMAC-SHA-256 with a key outside the database: codes pending under the old unkeyed hash can never match,
// so they end here.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  // A pending code lasts 15 minutes: an admin makes a new one on the dashboard (the terminal shows as pairing_expired).
  await db.updateTable('terminals')
    .set({ pairing_code_hash: null, pairing_expires_at: null })
    .where('pairing_code_hash', 'is not', null)
    .where('paired_at', 'is', null)
    .execute()
  await sql`comment on column terminals.pairing_code_hash is 'HMAC-SHA-256 of the pairing code, keyed with PAIRING_SECRET or DATA_DIR/pairing.key (never stored here)'`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  // The codes cannot come back (only their hashes were kept); the column stays as it is.
  await sql`comment on column terminals.pairing_code_hash is null`.execute(db)
}
