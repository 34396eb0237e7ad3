// Offline cache for IPsec Lens. It stores only the app's own files; logs never pass
// through here because the page reads them from disk with File APIs, not fetch.
const CACHE = 'ipsec-lens-v1';
const APP_FILES = [
  './',
  './index.html',
  './boot.js',
  './app.css',
  './icon.svg',
  './ipsec-lens.js',
  './ipsec-lens_bg.wasm',
  './worker_loader.js',
  './worker.js',
  './worker_bg.wasm',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(APP_FILES)));
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

// Network first, so a new release replaces the cached one; the cache serves requests offline.
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() => caches.match(request, { ignoreSearch: true })),
  );
});
