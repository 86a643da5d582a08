// ESLint flat config: neostandard (standard style: no semicolons, single quotes) for the TypeScript tree, lines at most 140.
import neostandard, { resolveIgnoresFromGitignore } from 'neostandard'

// A string or untagged template literal of 80 characters or more (a sentence shown to users or logged) cannot be broken
// without harming it: its line may run past 140. Shorter literals get no pass, nor tagged templates (sql`…`: SQL can break
// anywhere). Regular expressions are let off by ignoreRegExpLiterals.
const unbreakable = [
  String.raw`'(?:[^'\\]|\\.){80,}'`,
  String.raw`"(?:[^"\\]|\\.){80,}"`,
  String.raw`(?<![\w$.])` + '`(?:[^`\\\\]|\\\\.){80,}`'
].join('|')

export default [
  ...neostandard({
    ts: true,
    ignores: [...resolveIgnoresFromGitignore(), 'hardware/firmware/**']
  }),
  {
    rules: {
      // `void promise;` marks a promise deliberately left running (typescript-eslint's idiom); as an operator it stays banned.
      'no-void': ['error', { allowAsStatement: true }],
      // Handlers are passed by what they do (`connection.retry`, `rules.reload`), as Preact's examples do, not renamed to handleX.
      'react/jsx-handler-names': 'off',
      // A TypeBox schema and its Static<> type share one name (contract/); tsc itself reports a real redeclaration.
      '@typescript-eslint/no-redeclare': 'off',
      // Comments count (they are read as often as code); only URLs and long literals are let off.
      '@stylistic/max-len': ['error', {
        code: 140,
        tabWidth: 2,
        ignoreUrls: true,
        ignoreRegExpLiterals: true,
        ignorePattern: unbreakable
      }]
    }
  },
  {
    // The terminal's service worker is plain JavaScript copied as is; these are its globals.
    files: ['terminal/public/sw.js'],
    languageOptions: { globals: { self: 'readonly', caches: 'readonly', clients: 'readonly' } }
  }
]
