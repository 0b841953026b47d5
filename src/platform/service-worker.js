// Earshot's service worker (hand-written). The build (service-worker-plugin.ts) prepends
// `const VERSION = '…'; const PRECACHE = [...]` — every file of dist/: the page, its chunks,
// the workers, tfjs's .wasm files, the demo clips and model — and writes dist/sw.js.
// Install caches them all (all or nothing); after that every same-origin GET is answered from
// the cache, so the app, training and export work with the network off. A new build has a new
// VERSION: it installs beside the old one, takes over, and deletes the old cache.
/* global VERSION, PRECACHE */
const CACHE = `earshot-${VERSION}`;
const scope = new URL(self.registration.scope);
const INDEX = new URL('index.html', scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE.map((p) => new URL(p, scope).href)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('earshot-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== scope.origin) return;
  // A page load is the app shell; anything else is a precached file or goes to the network.
  // ignoreVary: the preview server answers `Vary: Origin`, and module scripts (crossorigin)
  // carry an Origin header that the precache requests did not.
  const key = req.mode === 'navigate' ? INDEX : req;
  event.respondWith(
    caches.open(CACHE).then((cache) => cache.match(key, { ignoreSearch: req.mode === 'navigate', ignoreVary: true })).then((hit) => hit ?? fetch(req)),
  );
});
