// The dashboard on a phone (390×844) and a portrait tablet (800×1280): no sideways scroll of the page, every menu link in reach,
// wide tables scrolling in their own box, readable headline figures, no text spilling out of a button. Chromium, real server.
import t from 'tap'
import type { Page } from 'playwright-core'
import { seedDemo } from '../../api/demo/seed.ts'
import { signIn, startHarness } from './browser.ts'

const harness = await startHarness(t)
const { app } = harness
const demo = await seedDemo(app.db, new Date(), app.config.pairingSecret!)

interface Found {
  scrollWidth: number
  innerWidth: number
  links: Array<{ text: string; left: number; right: number; visible: boolean }>
  tables: Array<{ table: string; right: number; boxRight: number }>
  buttons: string[]
  fields: string[]
  figures: Array<{ text: string; size: number }>
}

/** What the reader of `page` would run into: the page's width, the menu links, the tables, the buttons, the figures. */
function look (page: Page): Promise<Found> {
  return page.evaluate(() => {
    const visible = (element: Element): boolean => {
      const box = element.getBoundingClientRect()
      return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden'
    }
    // The box a table scrolls in: the nearest ancestor that scrolls sideways, or the page itself.
    const box = (element: Element): Element | null => {
      for (let parent = element.parentElement; parent !== null; parent = parent.parentElement) {
        const overflow = getComputedStyle(parent).overflowX
        if (overflow === 'auto' || overflow === 'scroll') return parent
      }
      return null
    }
    return {
      scrollWidth: document.scrollingElement!.scrollWidth,
      innerWidth: window.innerWidth,
      links: [...document.querySelectorAll('nav[aria-label="menu"] a')].map((link) => ({
        text: link.textContent ?? '',
        left: link.getBoundingClientRect().left,
        right: link.getBoundingClientRect().right,
        visible: visible(link)
      })),
      tables: [...document.querySelectorAll('main table')].filter(visible).map((table) => {
        const scroller = box(table)
        return {
          table: table.className,
          right: table.getBoundingClientRect().right,
          boxRight: scroller === null ? table.getBoundingClientRect().right : scroller.getBoundingClientRect().right
        }
      }),
      buttons: [...document.querySelectorAll('button')]
        .filter((button) => visible(button) && button.scrollWidth > button.clientWidth + 1)
        .map((button) => `${button.textContent ?? ''} (${button.scrollWidth} > ${button.clientWidth})`),
      // Form fields outside tables must fit the screen whole: a cut-off picker cannot be read.
      fields: [...document.querySelectorAll('input, select')]
        .filter((field) => visible(field) && field.closest('table') === null)
        .filter((field) => field.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map((field) => {
          const name = field.getAttribute('aria-label') ?? field.closest('label')?.firstChild?.textContent ?? field.tagName
          return `${name} ends at ${field.getBoundingClientRect().right}`
        }),
      figures: [...document.querySelectorAll('.tile-value')].map((figure) => ({
        text: figure.textContent ?? '',
        size: parseFloat(getComputedStyle(figure).fontSize)
      }))
    }
  })
}

// The pages a supervisor uses, each with what shows once it has loaded.
const pages: Array<{ name: string; path: string; ready: string }> = [
  { name: 'overview', path: '/?period=month', ready: 'table.counters tbody tr' },
  { name: 'officers', path: '/officers?period=month', ready: 'table.officers tbody tr' },
  { name: "one officer's drill-down", path: '', ready: 'main table.grid tbody tr' },
  { name: 'live', path: '/live', ready: 'ol.feed' },
  { name: 'cases', path: '/cases?period=month', ready: 'ul.cases' },
  { name: 'alerts', path: '/alerts?period=month', ready: 'table.rules' },
  { name: 'province and units', path: '/province?period=month', ready: 'table.units tbody tr' },
  { name: 'monthly report', path: '/report?period=month', ready: '.report-foot' },
  { name: 'admin', path: '/admin', ready: 'main table tbody tr' }
]

for (const viewport of [
  { name: 'phone', width: 390, height: 844 },
  { name: 'portrait tablet', width: 800, height: 1280 }
]) {
  t.test(`on a ${viewport.name} (${viewport.width}×${viewport.height}) every page a supervisor uses fits and reads`, async (t) => {
    const { context, page } = await signIn(harness, demo.supervisor.username, demo.supervisor.password, '/', viewport)
    t.teardown(() => context.close())
    // tsx names the arrow functions of `look` with a helper the page does not have.
    await context.addInitScript('globalThis.__name = (fn) => fn')
    for (const item of pages) {
      // The drill-down of the officers page's first officer, as a supervisor would open it.
      const path = item.path !== '' ? item.path : await page.locator('table.officers tbody a').first().getAttribute('href')
      await page.goto(harness.url + path!)
      await page.locator(item.ready).first().waitFor()
      await page.waitForTimeout(400)
      const found = await look(page)
      t.ok(found.scrollWidth <= found.innerWidth, `${item.name}: the page does not scroll sideways (${found.scrollWidth} ≤ ${found.innerWidth})`)
      t.equal(found.links.length, 8, `${item.name}: the supervisor's eight menu links`)
      const outOfReach = found.links.filter((link) => !link.visible || link.left < 0 || link.right > found.innerWidth + 0.5)
      t.same(outOfReach.map((link) => link.text), [], `${item.name}: every menu link is on the screen`)
      for (const table of found.tables) {
        t.ok(
          table.boxRight <= found.innerWidth + 0.5,
          `${item.name}: table ${table.table} ends on the screen or scrolls in its own box (${table.right}, box ${table.boxRight})`
        )
      }
      t.same(found.buttons, [], `${item.name}: no text spills out of a button`)
      t.same(found.fields, [], `${item.name}: every field outside a table is whole on the screen`)
      for (const figure of found.figures) {
        t.ok(figure.size >= 14, `${item.name}: the headline figure ${figure.text} is readable (${figure.size} px)`)
      }
      if (item.name === 'overview') t.ok(found.figures.length >= 3, 'the overview shows its headline figures')
    }
  })
}
