// The built terminal: its JavaScript stays within the 30 KB gzipped budget, and it ships what a PWA needs.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { TERMINAL_JS_BUDGET, terminalDist, terminalScriptSizes } from '../../bench/terminal-size.ts'

t.test('the terminal JavaScript is at most 30 KB gzipped', async (t) => {
  const sizes = terminalScriptSizes()
  t.ok(
    sizes.some((size) => size.file.startsWith('assets/')),
    'the app bundle is measured'
  )
  t.ok(
    sizes.some((size) => size.file === 'sw.js'),
    'the service worker is measured'
  )
  const total = sizes.reduce((sum, size) => sum + size.gzipped, 0)
  t.ok(total <= TERMINAL_JS_BUDGET, `${(total / 1024).toFixed(1)} KB gzipped`)
})

t.test('installable: the page links a manifest whose start URL, scope and icons exist', async (t) => {
  const html = readFileSync(`${terminalDist}index.html`, 'utf8')
  t.match(html, /<link rel="manifest" href="\/terminal\/manifest.webmanifest"/)
  const manifest = JSON.parse(readFileSync(`${terminalDist}manifest.webmanifest`, 'utf8'))
  t.equal(manifest.start_url, '/terminal/')
  t.equal(manifest.scope, '/terminal/')
  t.equal(manifest.lang, 'vi')
  t.ok(['fullscreen', 'standalone'].includes(manifest.display))
  const sizes = manifest.icons.map((icon: { sizes: string }) => icon.sizes)
  t.ok(sizes.includes('192x192') && sizes.includes('512x512'), 'the icon sizes Android asks for')
  for (const icon of manifest.icons as Array<{ src: string }>) {
    t.ok(readFileSync(`${terminalDist}${icon.src}`).length > 0, `${icon.src} is built`)
  }
})
