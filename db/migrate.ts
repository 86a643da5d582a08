// Runs the migrations in migrations/ (Kysely Migrator); also the `npm run db:migrate` command.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  DEFAULT_MIGRATION_TABLE,
  Migrator,
  sql,
  type Kysely,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet
} from 'kysely'
import { migrations } from '../migrations/index.ts'
import { fromProjectRoot } from './project-root.ts'

export const migrationsFolder = fromProjectRoot('migrations')

/** The migrations listed in migrations/index.ts, imported with this module: the same from source and in a bundle. */
const listedMigrations: MigrationProvider = { getMigrations: async () => migrations }

/** Loads *.ts of another folder by file name order (tests add a failing migration to a copy); names are timestamps. */
class FolderMigrationProvider implements MigrationProvider {
  constructor (private readonly folder: string) {}

  async getMigrations (): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(this.folder)).filter((file) => /^\d{4}_\d{2}_\d{2}_\d{4}_[a-z0-9_]+\.ts$/.test(file)).sort()
    const migrations: Record<string, Migration> = {}
    for (const file of files) {
      const module = (await import(pathToFileURL(path.join(this.folder, file)).href)) as Migration
      migrations[file.replace(/\.ts$/, '')] = module
    }
    return migrations
  }
}

export class MigrationError extends Error {
  constructor (
    readonly migrationName: string | undefined,
    cause: unknown
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(
      migrationName === undefined ? `migrations failed: ${reason}` : `migration ${migrationName} failed, nothing was changed: ${reason}`
    )
    this.name = 'MigrationError'
  }
}

export function createMigrator (db: Kysely<any>, folder?: string): Migrator {
  // PostgreSQL runs DDL in transactions: Kysely applies all pending migrations in one, so a failure changes nothing.
  return new Migrator({ db, provider: folder === undefined ? listedMigrations : new FolderMigrationProvider(folder) })
}

function check (result: MigrationResultSet): string[] {
  if (result.error !== undefined) {
    const failed = result.results?.find((item) => item.status === 'Error')
    throw new MigrationError(failed?.migrationName, result.error)
  }
  return (result.results ?? []).filter((item) => item.status === 'Success').map((item) => item.migrationName)
}

/**
 * Whether the database has exactly the listed migrations applied, read in two small queries: then a start has nothing
 * to do, and skips the Migrator's own tables, lock and transaction (a tenth of a second of a restart on PGlite).
 * Anything else (a new database, a pending migration, one applied by a newer version) goes through the Migrator.
 */
async function upToDate (db: Kysely<any>): Promise<boolean> {
  const table = await sql<{ present: boolean }>`select to_regclass(${DEFAULT_MIGRATION_TABLE}) is not null as present`.execute(db)
  if (table.rows[0]?.present !== true) return false
  const applied = await db.selectFrom(DEFAULT_MIGRATION_TABLE).select('name').execute()
  const listed = Object.keys(migrations)
  return applied.length === listed.length && applied.every((row: { name: string }) => Object.hasOwn(migrations, row.name))
}

/** Brings the schema up to date; answers the names of the migrations applied now. */
export async function migrateToLatest (db: Kysely<any>, folder?: string): Promise<string[]> {
  if (folder === undefined && (await upToDate(db))) return []
  return check(await createMigrator(db, folder).migrateToLatest())
}

/** Undoes every migration (tests prove each `down` works). */
export async function migrateToNone (db: Kysely<any>, folder?: string): Promise<string[]> {
  const migrator = createMigrator(db, folder)
  const applied: string[] = []
  for (;;) {
    const result = await migrator.migrateDown()
    const names = check(result)
    if (names.length === 0) return applied
    applied.push(...names)
  }
}
