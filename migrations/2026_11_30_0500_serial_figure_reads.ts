// no_parallel_workers(): a PARALLEL UNSAFE marker that keeps a figure read's statement off parallel workers, whatever the table sizes.
import { sql, type Kysely } from 'kysely'

// PostgreSQL plans no Gather for a statement that calls a PARALLEL UNSAFE function anywhere (checked on the
// statement before planning). A figure read is a few hundred index probes (≤ 10 ms); starting two workers took
// ~100 ms here, and whether the planner starts them depends on table sizes (docs/analytics.md, "The parallel
// cliff"). `where no_parallel_workers()` is folded to `true` while planning: it costs nothing when running.
// Per statement, so the raw GROUP BY baseline and the rollup rebuild keep their workers.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`create function no_parallel_workers () returns boolean language sql immutable parallel unsafe as $$ select true $$`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`drop function no_parallel_workers ()`.execute(db)
}
