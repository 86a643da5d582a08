// A migrated PGlite data folder made at install (`npm run build`), copied into an empty DATA_DIR at the first start:
// the first start then skips PGlite's initdb and the migrations (measured in docs/operations.md).
import { createRequire } from 'node:module'
import fs from 'node:fs/promises'
import { constants, existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import { migrateToLatest } from './migrate.ts'
import { fromProjectRoot } from './project-root.ts'

export const defaultTemplateDir = fromProjectRoot('dist', 'pglite-template')
const MARKER = 'hai-long-template.json'

/** The installed PGlite's version: a template made by another version is not used. */
function pgliteVersion (): string {
  // Its package.json is not exported: found from its entry point upwards.
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'))
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir)
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version
}

/** Builds the template into `dir` (replacing it whole, so a half-built one is never seen); answers the migrations in it. */
export async function buildTemplate (dir = defaultTemplateDir): Promise<string[]> {
  const building = `${dir.replace(/\/$/, '')}.building-${process.pid}`
  await fs.rm(building, { recursive: true, force: true })
  const pglite = await PGlite.create(building)
  let applied: string[]
  try {
    applied = await migrateToLatest(new Kysely<unknown>({ dialect: new PGliteDialect(pglite) }))
  } finally {
    await pglite.close()
  }
  await fs.writeFile(path.join(building, MARKER), `${JSON.stringify({ pglite: pgliteVersion(), migrations: applied })}\n`)
  await fs.rm(dir, { recursive: true, force: true })
  await fs.rename(building, dir)
  return applied
}

/**
 * Puts a copy of the template at `target` when nothing is there yet (or an empty folder); answers whether it did.
 * Copied beside it and renamed into place, so a crash mid-copy leaves no half database. Migrations added since the
 * template was made are applied at start as usual.
 */
export async function seedFromTemplate (target: string, dir = defaultTemplateDir): Promise<boolean> {
  if (existsSync(target) && (await fs.readdir(target)).length > 0) return false
  const marker = path.join(dir, MARKER)
  if (!existsSync(marker)) return false
  try {
    if ((JSON.parse(await fs.readFile(marker, 'utf8')) as { pglite?: string }).pglite !== pgliteVersion()) return false
  } catch {
    return false
  }
  const copying = `${target}.copying-${process.pid}`
  await fs.rm(copying, { recursive: true, force: true })
  // A copy-on-write clone where the file system has them (btrfs, XFS, APFS), else a plain copy.
  await fs.cp(dir, copying, { recursive: true, mode: constants.COPYFILE_FICLONE, filter: (source) => path.basename(source) !== MARKER })
  await fs.rm(target, { recursive: true, force: true })
  await fs.rename(copying, target)
  return true
}
