// `npm run build:server` (part of `npm run build`): bundles the server and the operator's commands into dist/server/*.mjs
// with esbuild, so that `npm start` runs JavaScript instead of compiling TypeScript at every start (docs/operations.md).
import { build, type Plugin } from 'esbuild'
import { fromProjectRoot } from '../../db/project-root.ts'

/** dist/server/NAME.mjs for each; `npm start` and the commands run them through api/commands/built.mjs. */
const ENTRIES = ['api/server.ts', 'api/commands/migrate.ts', 'api/commands/demo.ts', 'api/commands/rebuild-rollups.ts',
  'api/commands/pglite-template.ts']

/**
 * Packages inlined into the bundle: pure ES modules of hundreds of small files each, whose loading file by file was
 * the largest part of module loading (measured: docs/operations.md). Every other package stays in node_modules,
 * imported as is: PGlite finds its WebAssembly beside its own files, fs-native-extensions loads a native binary,
 * pdfkit and @fastify/swagger-ui read files of their own folders.
 */
const INLINED = new Set(['kysely', 'kysely-pglite-dialect', 'typebox'])

const packageOf = (specifier: string): string => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')

const packagesExternal: Plugin = {
  name: 'packages-external-but-inlined',
  setup (build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point' || INLINED.has(packageOf(args.path))) return undefined
      return { path: args.path, external: true }
    })
  }
}

const started = Date.now()
await build({
  entryPoints: ENTRIES.map((entry) => fromProjectRoot(entry)),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: fromProjectRoot('dist', 'server'),
  entryNames: '[name]',
  outExtension: { '.js': '.mjs' },
  plugins: [packagesExternal],
  logLevel: 'warning'
})
console.log(`server and commands bundled into dist/server (${((Date.now() - started) / 1000).toFixed(1)} s)`)
