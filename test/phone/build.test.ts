// The built phone page (/r/<code>): its JavaScript stays within the 15 KB gzipped budget, and it speaks Vietnamese first.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { PHONE_JS_BUDGET, phoneDist, phoneScriptSizes } from '../../bench/phone-size.ts'
import { freshPages } from '../browser.ts'

await freshPages()

t.test('the phone page JavaScript is at most 15 KB gzipped', async (t) => {
  const sizes = phoneScriptSizes()
  t.ok(sizes.some((size) => size.file.startsWith('assets/')), 'the page bundle is measured')
  const total = sizes.reduce((sum, size) => sum + size.gzipped, 0)
  t.ok(total <= PHONE_JS_BUDGET, `${(total / 1024).toFixed(1)} KB gzipped`)
})

t.test('the page is Vietnamese, sized for a phone, and sends no referrer (its link holds the code)', async (t) => {
  const html = readFileSync(`${phoneDist}index.html`, 'utf8')
  t.match(html, /<html lang="vi">/)
  t.match(html, /name="viewport" content="width=device-width/)
  t.match(html, /name="referrer" content="no-referrer"/)
  t.match(html, /src="\/phone\/assets\/[^"]+\.js"/, 'its script under /phone/')
})
