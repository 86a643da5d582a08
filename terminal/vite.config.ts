// Builds the touch terminal app into dist/terminal, served at /terminal/.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/terminal/',
  plugins: [preact()],
  build: { outDir: fileURLToPath(new URL('../dist/terminal', import.meta.url)), emptyOutDir: true },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:3000', ws: true } } }
})
