// The installed app's folder (the one holding its package.json), found from here whether run from source or bundled in dist/server.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE_NAME = 'hai-long'

/**
 * The nearest folder upwards with this app's package.json: db/ from source (tsx, tests), dist/server/ when bundled.
 * Folders the app reads at run time (dist/ pages, the icon, migrations/, the PGlite template) are taken from it,
 * never from `import.meta.url` of the module asking, which a bundle moves.
 */
function findProjectRoot (from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json')
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir
    if (path.dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package.json above ${from}`)
  }
}

export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)))

/** A path inside the app's folder. */
export const fromProjectRoot = (...segments: string[]): string => path.join(projectRoot, ...segments)
