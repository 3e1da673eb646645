// The service worker that lets the page open offline after its first load.
// It caches the files that build/shell.js lists, under a name holding their
// content hash, serves same-origin GET requests from that cache first, and
// leaves cross-origin requests to the browser. Its scope is the folder it is
// served from, so the page works from any subpath of a static host.
//
// A new build changes build/shell.js, which the browser compares on each
// navigation (offline.js registers with updateViaCache 'none'), so the new
// worker fills a new cache and deletes this scope's older ones when it
// activates.
// NOTE: files edited in www/ after the last `npm run build:www` keep the old
// version, so the page goes on loading the cached copies until that runs.

importScripts('build/shell.js');

const SCOPE = self.registration.scope;
// Cache storage is shared by the whole origin, so the scope is part of the
// name: two copies of the page under different paths keep their own caches.
const CACHE_PREFIX = `pathlight ${SCOPE} `;
const CACHE_NAME = `${CACHE_PREFIX}${self.PATHLIGHT_SHELL.version}`;
const INDEX_URL = new URL('index.html', SCOPE).href;

// skipWaiting() lets a new version take over without waiting for every tab
// to close. A tab that loaded the old files then gets new ones for what it
// loads later.
self.addEventListener('install', (event) => {
  event.waitUntil(fillCache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(deleteOldCaches().then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(answerFromCache(request));
});

// `cache: 'reload'` skips the HTTP cache, so the files stored are the ones
// the server has now. One missing file fails the install, and the worker
// already active, if any, stays in charge.
async function fillCache() {
  const cache = await caches.open(CACHE_NAME);
  const requests = self.PATHLIGHT_SHELL.files.map((file) => new Request(new URL(file, SCOPE), { cache: 'reload' }));
  await cache.addAll(requests);
}

async function deleteOldCaches() {
  const names = await caches.keys();
  const old = names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME);
  await Promise.all(old.map((name) => caches.delete(name)));
}

// A navigation to the folder itself, with or without a query, gets the
// cached index.html. Anything not cached goes to the network unchanged.
async function answerFromCache(request) {
  const url = new URL(request.url);
  const isPageRequest = request.mode === 'navigate' && `${url.origin}${url.pathname}` === SCOPE;
  // caches.match() with a cacheName, unlike caches.open(), does not create
  // the cache again after a newer version of this worker deleted it.
  const cached = await caches.match(isPageRequest ? INDEX_URL : request, { cacheName: CACHE_NAME, ignoreSearch: request.mode === 'navigate' });
  return cached ?? fetch(request);
}
