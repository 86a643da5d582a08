// The visit's figures (issue 17). Decision 766 per dossier reads the dossier-coded ratings of a period: a covering index
// lets it read them index-only (measured 10× faster for a centre's month than through the heap), so it replaces
// ratings_dossier_idx, which only these figures used. Satisfaction by channel reads the ratings not given on a touch
// terminal (button box, phone) by unit and time without reading the touch ones; the touch channel is the whole less these.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await sql`create index ratings_dossier_figures_idx on ratings (unit_id, counted_at)
    include (dossier_code, category, misuse, counter_id, officer_id) where dossier_code is not null`.execute(db)
  await sql`drop index ratings_dossier_idx`.execute(db)
  await sql`create index ratings_channel_idx on ratings (unit_id, counted_at) where source <> 'touch'`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`drop index ratings_channel_idx`.execute(db)
  await sql`create index ratings_dossier_idx on ratings (unit_id, counted_at, dossier_code) where dossier_code is not null`.execute(db)
  await sql`drop index ratings_dossier_figures_idx`.execute(db)
}
