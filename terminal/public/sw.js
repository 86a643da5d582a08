// The terminal's service worker: keeps the app shell so the kiosk starts with no network; the API always goes to the network.
const SHELL = 'hl-terminal-shell-v1'
const ASSETS = 'hl-terminal-assets-v1'
const scope = new URL(self.registration.scope)
const indexUrl = new URL('./', scope).href

/** Caches index.html and every file it names (hashed bundles, manifest, icons). */
async function cacheShell () {
  const response = await fetch(indexUrl, { cache: 'no-store' })
  if (!response.ok) throw new Error(`index.html: ${response.status}`)
  const html = await response.clone().text()
  const shell = await caches.open(SHELL)
  const assets = await caches.open(ASSETS)
  const named = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
    .map((match) => new URL(match[1], indexUrl).href)
    .filter((url) => url.startsWith(scope.href))
  await Promise.all(
    named.map(async (url) => {
      if (!(await assets.match(url))) await assets.add(url)
    })
  )
  await shell.put(indexUrl, response)
  // Old hashed bundles are never asked for again.
  for (const request of await assets.keys()) {
    if (!named.includes(request.url) && request.url.includes('/assets/')) await assets.delete(request)
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== SHELL && name !== ASSETS) await caches.delete(name)
      await self.clients.claim()
    })()
  )
})

self.addEventListener('fetch', (event) => {
  const request = event.request
  const url = new URL(request.url)
  if (request.method !== 'GET' || url.origin !== scope.origin || url.pathname.startsWith('/api/')) return
  if (request.mode === 'navigate') {
    // Network first, so a new version shows when online; the cached shell when not (any deep link is the same page).
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request)
          if (response.ok) event.waitUntil(cacheShell().catch(() => {}))
          // A proxy up while the app is down: the cached shell still takes ratings.
          if (response.status >= 500) return (await caches.match(indexUrl)) ?? response
          return response
        } catch {
          return (await caches.match(indexUrl)) ?? Response.error()
        }
      })()
    )
    return
  }
  if (!url.href.startsWith(scope.href)) return
  // Hashed bundles never change: cache first; the rest (manifest, icons) from the cache, refreshed behind.
  event.respondWith(
    (async () => {
      const cached = await caches.match(request)
      const refresh = fetch(request).then(async (response) => {
        if (response.ok) await (await caches.open(ASSETS)).put(request, response.clone())
        return response
      })
      if (cached) {
        if (!url.pathname.includes('/assets/')) event.waitUntil(refresh.catch(() => {}))
        return cached
      }
      return refresh
    })()
  )
})
