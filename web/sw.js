// Service worker: precaches every asset (page, scripts, both wasm modules, the model) on the first
// visit, then answers from the network when it can (so a new model or build is picked up) and from the
// cache when offline.
const CACHE = 'melgenre-v1';
const ASSETS = [
  './', 'index.html', 'style.css', 'app.js', 'worker.js', 'worklet.js', 'api.mjs',
  'melgenre-web-st.mjs', 'melgenre-web-st.wasm',
  'melgenre-web-mt.mjs', 'melgenre-web-mt.wasm', 'melgenre-web-mt.worker.js',
  'models/default.mgm',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(ASSETS.map((a) => new Request(a, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(request);
      if (response.ok && response.status === 200) await cache.put(request, response.clone());
      return response;
    } catch (err) {
      const cached = await cache.match(request, { ignoreSearch: true });
      if (cached) return cached;
      if (request.mode === 'navigate') {
        const page = await cache.match('index.html');
        if (page) return page;
      }
      throw err;
    }
  })());
});
