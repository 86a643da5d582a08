// Serves the built Preact apps: the terminal at /terminal/, the dashboard at /, the phone page at /r/<code> (its files under
// /phone/); client routes fall back to index.html.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import fp from 'fastify-plugin'
import fastifyStatic from '@fastify/static'
import { fromProjectRoot } from '../../../db/project-root.ts'

export const pagesRoot = fromProjectRoot('dist')
/** The app's icon, built into dist/terminal from terminal/public (the source copy before a build). */
const iconFiles = [path.join(pagesRoot, 'terminal', 'icon-192.png'), fromProjectRoot('terminal', 'public', 'icon-192.png')]

const notBuilt = (app: string): string => `<!doctype html><html lang="vi"><meta charset="utf-8"><title>Hài Lòng</title>
<p>Ứng dụng ${app} chưa được build. Chạy <code>npm run build</code>.
(The ${app} app is not built yet: run <code>npm run build</code>.)</p></html>`

export default fp(
  async (app) => {
    const dashboardDir = path.join(pagesRoot, 'dashboard')
    const terminalDir = path.join(pagesRoot, 'terminal')
    const phoneDir = path.join(pagesRoot, 'phone')
    const built = { dashboard: existsSync(dashboardDir), terminal: existsSync(terminalDir), phone: existsSync(phoneDir) }
    if (built.terminal) {
      await app.register(fastifyStatic, {
        root: terminalDir,
        prefix: '/terminal/',
        decorateReply: false,
        index: ['index.html'],
        wildcard: true
      })
    }
    if (built.dashboard) {
      await app.register(fastifyStatic, { root: dashboardDir, prefix: '/', index: ['index.html'], wildcard: false })
    }
    // The phone page (rate later from a phone): one page for every code; the code is read by the page, never cached.
    if (built.phone) {
      await app.register(fastifyStatic, { root: phoneDir, prefix: '/phone/', decorateReply: false, index: false, wildcard: true })
    }
    const phonePage = built.phone ? readFileSync(path.join(phoneDir, 'index.html')) : null
    app.get('/r/:code', { schema: { hide: true } }, async (_request, reply) =>
      phonePage === null
        ? reply.type('text/html; charset=utf-8').send(notBuilt('phone'))
        : reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
          .send(phonePage)
    )
    app.get('/terminal', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/terminal/'))
    // Every browser asks for /favicon.ico: answer the app's icon (a PNG, which browsers take there) instead of a 404.
    const iconFile = iconFiles.find((file) => existsSync(file))
    if (iconFile !== undefined) {
      const icon = readFileSync(iconFile)
      app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) =>
        reply.type('image/png').header('cache-control', 'public, max-age=86400').send(icon)
      )
    }
    if (!built.dashboard) {
      app.get('/', { schema: { hide: true } }, async (_request, reply) =>
        reply.type('text/html; charset=utf-8').send(notBuilt('dashboard'))
      )
    }
    if (!built.terminal) {
      app.get('/terminal/', { schema: { hide: true } }, async (_request, reply) =>
        reply.type('text/html; charset=utf-8').send(notBuilt('terminal'))
      )
    }
    app.decorate('pageFallback', (url: string): { dir: string; file: string } | null => {
      // A deep link into a client-side route answers the app's page; API paths and files stay 404.
      if (url.startsWith('/api/') || /\.[a-z0-9]+$/i.test(url.split('?')[0] ?? '')) return null
      if (url.startsWith('/terminal/')) return built.terminal ? { dir: terminalDir, file: 'index.html' } : null
      return built.dashboard ? { dir: dashboardDir, file: 'index.html' } : null
    })
  },
  { name: 'pages' }
)

declare module 'fastify' {
  interface FastifyInstance {
    pageFallback: (url: string) => { dir: string; file: string } | null
  }
}
