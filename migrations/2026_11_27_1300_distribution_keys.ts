// Keys that keep the Citus path open (docs/scale.md): the distribution column, unit_id, in every key of ratings and cases.
import type { Kysely } from 'kysely'

// Citus accepts a unique key or primary key on a distributed table only if it holds the distribution column, and a
// foreign key between two distributed tables only if both sides carry it. Rating ids stay idempotency keys: a
// terminal belongs to one unit, so a replay carries the same unit_id and meets the (unit_id, id) key.
export async function up (db: Kysely<any>): Promise<void> {
  // The case → rating foreign key and the cases' unique rating_id depend on ratings' old key: they go first.
  await db.schema.alterTable('cases').dropConstraint('cases_rating_id_fkey').execute()
  await db.schema.alterTable('cases').dropConstraint('cases_rating_id_key').execute()
  await db.schema.alterTable('cases').dropConstraint('cases_pkey').execute()
  await db.schema.alterTable('ratings').dropConstraint('ratings_pkey').execute()

  await db.schema.alterTable('ratings').addPrimaryKeyConstraint('ratings_pkey', ['unit_id', 'id']).execute()
  // Cases join their rating by id alone (api/repositories/cases.ts): without this the join reads every rating.
  await db.schema.createIndex('ratings_id_idx').on('ratings').column('id').execute()

  await db.schema.alterTable('cases').addPrimaryKeyConstraint('cases_pkey', ['unit_id', 'id']).execute()
  await db.schema.alterTable('cases').addUniqueConstraint('cases_unit_rating_key', ['unit_id', 'rating_id']).execute()
  await db.schema.alterTable('cases').addForeignKeyConstraint('cases_rating_fkey', ['unit_id', 'rating_id'], 'ratings', ['unit_id', 'id'])
    .onDelete('restrict').execute()
  // Routes find, lock and resolve a case by its id alone (PATCH /api/v1/cases/:id).
  await db.schema.createIndex('cases_id_idx').on('cases').column('id').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('cases_id_idx').execute()
  await db.schema.alterTable('cases').dropConstraint('cases_rating_fkey').execute()
  await db.schema.alterTable('cases').dropConstraint('cases_unit_rating_key').execute()
  await db.schema.alterTable('cases').dropConstraint('cases_pkey').execute()
  await db.schema.dropIndex('ratings_id_idx').execute()
  await db.schema.alterTable('ratings').dropConstraint('ratings_pkey').execute()

  await db.schema.alterTable('ratings').addPrimaryKeyConstraint('ratings_pkey', ['id']).execute()
  await db.schema.alterTable('cases').addPrimaryKeyConstraint('cases_pkey', ['id']).execute()
  await db.schema.alterTable('cases').addUniqueConstraint('cases_rating_id_key', ['rating_id']).execute()
  await db.schema.alterTable('cases').addForeignKeyConstraint('cases_rating_id_fkey', ['rating_id'], 'ratings', ['id'])
    .onDelete('restrict').execute()
}
