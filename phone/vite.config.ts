// Builds the phone page (rate later from a phone) into dist/phone: its files under /phone/, its page at /r/<code>.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/phone/',
  plugins: [preact()],
  build: { outDir: fileURLToPath(new URL('../dist/phone', import.meta.url)), emptyOutDir: true },
  server: { proxy: { '/api': { target: 'http://127.0.0.1:3000' } } }
})
