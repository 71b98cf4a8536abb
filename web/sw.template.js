// Keyless service worker. The precache list and the version below are filled
// in by `cargo xtask dist` (crates/xtask/src/dist.rs): the list is every file
// of this build, the version a hash of their names and contents.
const VERSION = '__VERSION__';
const CACHE = 'keyless-' + VERSION;
const PRECACHE = __PRECACHE__;

self.addEventListener('install', (event) => {
  // `reload`: bypass the HTTP cache. index.html and the analysis worker's
  // loader keep one name across builds, so a cached copy could be an older
  // build's.
  const fresh = PRECACHE.map((url) => new Request(url, { cache: 'reload' }));
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(fresh)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('keyless-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== location.origin) return;
  if (req.mode === 'navigate') {
    // Network first: a new deploy is seen at once; offline, the cached shell.
    event.respondWith(
      fetch(req)
        .then((res) => {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put('./', copy));
          return res;
        })
        .catch(() => caches.match('./', { ignoreSearch: true }).then((r) => r || caches.match('./index.html'))),
    );
    return;
  }
  // Cache first: hashed assets never change under the same name.
  event.respondWith(caches.match(req, { ignoreSearch: true }).then((hit) => hit || fetch(req)));
});
