// `npm start` and the operator's `npm run` commands run their build, dist/server/NAME.mjs (`npm run build`, so also
// `npm install`, makes it), instead of compiling TypeScript at every start; without a build, one line says what to do.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const name = process.argv[2] ?? 'server'
const entry = new URL(`../../dist/server/${name}.mjs`, import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write(`${name === 'server' ? 'start' : name} failed: dist/server/${name}.mjs is not built: run npm run build ` +
    '(npm install runs it), or npm run dev to run the server from source\n')
  process.exit(1)
}

/** The source files (where they are shipped: not in the Docker image) changed since the build, so it runs old code. */
function changedSinceBuild () {
  const built = statSync(entry).mtimeMs
  const changed = []
  for (const folder of ['api', 'db', 'contract', 'analytics', 'migrations']) {
    const dir = fileURLToPath(new URL(`../../${folder}/`, import.meta.url))
    if (!existsSync(dir)) continue
    for (const file of readdirSync(dir, { recursive: true })) {
      if (String(file).endsWith('.ts') && statSync(`${dir}${file}`).mtimeMs > built) changed.push(`${folder}/${file}`)
    }
  }
  return changed
}
const changed = changedSinceBuild()
if (changed.length > 0) {
  process.stderr.write(`warning: ${changed.length} source file(s) changed since dist/server was built (${changed.slice(0, 3).join(', ')}` +
    `${changed.length > 3 ? ', …' : ''}): this runs the build; run npm run build, or npm run dev to run from source\n`)
}

// The entry reads its own arguments from argv[2] on, as when it is run directly.
process.argv.splice(2, 1)
await import(entry.href)
