// @ts-check
/// <reference lib="webworker" />
/**
 * r2p's service worker: makes a stage-mode demo (/demo/<study>/) work offline once visited.
 * The build copies this file to /sw.js with the offline manifest injected below (see
 * src/lib/offline.ts, which also states and tests the rules this file follows).
 *
 * - Install precaches nothing. A demo page, once opened, posts {type: 'r2p-precache', demo}
 *   and the worker stores that demo's files, reporting progress back to the page.
 * - Navigations to a demo page: network first (4 s at most when a copy is stored), else the copy.
 * - /_astro/ (hashed), /ort/ and the other listed files: cache first, else the network.
 * - Models (/models/<file>?sha256=<pin>): answered from the runtime's cache r2p-models-v1 only
 *   under exactly that URL, and only when the pin is one of the current catalog's. Entries with
 *   any other pin are deleted on activation and never served. Bytes stored here are checked
 *   against their pin first (the runtime checks them again before use).
 * - Activation deletes the caches of other versions.
 */

/** @typedef {{ url: string, bytes: number }} OfflineFile */
/** @typedef {{ study: string, page: string, files: OfflineFile[], models: OfflineFile[], bytes: number }} OfflineDemo */
/** @typedef {{ version: string, cache: string, modelCache: string, pins: string[], demos: Record<string, OfflineDemo> }} OfflineManifest */

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

/** Injected at build time by src/integrations/service-worker.ts. */
const MANIFEST = /** @type {OfflineManifest} */ (/** @type {unknown} */ (/* @r2p-offline-manifest */ null));

const OFFLINE_CACHE_PREFIX = 'r2p-offline-';
const NAVIGATION_TIMEOUT_MS = 4000;
const PARALLEL_DOWNLOADS = 4;
const PINS = new Set(MANIFEST.pins);
const PAGES = new Set(Object.values(MANIFEST.demos).map((demo) => demo.page));
const FILES = new Set(Object.values(MANIFEST.demos).flatMap((demo) => demo.files.map((file) => file.url)));
/** @type {Map<string, Promise<void>>} Downloads being stored (precache, or a page's model request), by URL key. */
const storing = new Map();
/** @type {Map<string, { clients: Set<Client>, promise: Promise<void> }>} Precache jobs in progress, by demo, with the pages waiting for news. */
const jobs = new Map();

/** @param {string} url */
const keyOf = (url) => {
  const parsed = new URL(url, sw.location.origin);
  return parsed.pathname + parsed.search;
};

sw.addEventListener('install', () => void sw.skipWaiting());

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      await deleteOtherVersions();
      // Never keep a model whose pin the current catalog does not list.
      const models = await caches.open(MANIFEST.modelCache);
      for (const request of await models.keys()) {
        if (!PINS.has(keyOf(request.url))) await models.delete(request);
      }
      await sw.clients.claim();
    })(),
  );
});

/**
 * Delete the caches of other versions. Only the active worker does it: an outgoing worker that
 * is still answering a page must not delete its successor's cache.
 */
async function deleteOtherVersions() {
  if (sw.serviceWorker && sw.serviceWorker.state !== 'activating' && sw.serviceWorker.state !== 'activated') return;
  for (const name of await caches.keys()) {
    if (name.startsWith(OFFLINE_CACHE_PREFIX) && name !== MANIFEST.cache) await caches.delete(name);
  }
}

sw.addEventListener('message', (event) => {
  const data = event.data;
  if (data?.type !== 'r2p-precache' || typeof data.demo !== 'string') return;
  event.waitUntil(precache(data.demo, /** @type {Client | null} */ (event.source)));
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  if (url.pathname.startsWith('/models/') && url.searchParams.has('sha256')) {
    event.respondWith(serveModel(event, keyOf(request.url)));
  } else if (request.mode === 'navigate') {
    const page = PAGES.has(url.pathname) ? url.pathname : PAGES.has(`${url.pathname}/`) ? `${url.pathname}/` : null;
    if (page) event.respondWith(networkFirst(request, page));
  } else if (url.pathname.startsWith('/_astro/') || url.pathname.startsWith('/ort/') || FILES.has(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});

/**
 * @param {Request} request
 * @param {string} page
 */
async function networkFirst(request, page) {
  const cached = await (await caches.open(MANIFEST.cache)).match(page, { ignoreVary: true });
  const network = fetch(request);
  if (!cached) return network;
  /** @type {Promise<null>} */
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), NAVIGATION_TIMEOUT_MS));
  try {
    return (await Promise.race([network, timeout])) ?? cached;
  } catch {
    return cached;
  }
}

/** @param {Request} request */
async function cacheFirst(request) {
  const cache = await caches.open(MANIFEST.cache);
  const cached = await cache.match(request, { ignoreVary: true });
  if (cached) return cached;
  // Being precached right now: wait for that copy rather than download it twice.
  const pending = storing.get(keyOf(request.url));
  if (pending) {
    await pending.catch(() => undefined);
    const stored = await cache.match(request, { ignoreVary: true });
    if (stored) return stored;
  }
  return fetch(request);
}

/**
 * @param {FetchEvent} event
 * @param {string} key
 */
async function serveModel(event, key) {
  const cache = await caches.open(MANIFEST.modelCache);
  if (!PINS.has(key)) {
    // A pin the catalog no longer lists: never answer from the cache, and forget the entry.
    await cache.delete(key);
    return fetch(event.request);
  }
  const stored = await cache.match(key, { ignoreVary: true });
  if (stored) return stored;
  if (storing.has(key)) {
    // The precache is downloading it: wait rather than download it twice.
    await storing.get(key)?.catch(() => undefined);
    const done = await cache.match(key, { ignoreVary: true });
    if (done) return done;
  }
  const response = await fetch(event.request);
  // While a precache runs, keep a checked copy of what the page downloads so the precache reuses
  // it; otherwise pass it through untouched (the runtime stores it itself after checking it).
  if (response.ok && jobs.size > 0 && !storing.has(key)) event.waitUntil(remember(key, storeModel(key, response.clone())));
  return response;
}

/**
 * Note a download being stored until it settles; returns a promise that never rejects.
 * @param {string} key
 * @param {Promise<void>} promise
 */
function remember(key, promise) {
  storing.set(key, promise);
  return promise.catch(() => undefined).finally(() => storing.delete(key));
}

/** @param {ArrayBuffer} buffer */
async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Read a model response, check it against the pin in its URL, and store it under that URL.
 * @param {string} key
 * @param {Response} response
 * @param {(bytes: number) => void} [onBytes]
 */
async function storeModel(key, response, onBytes) {
  if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} for ${key}`);
  const reader = response.body.getReader();
  /** @type {Uint8Array[]} */
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onBytes?.(loaded);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  const pin = new URL(key, sw.location.origin).searchParams.get('sha256');
  const digest = await sha256Hex(bytes.buffer);
  if (digest !== pin) throw new Error(`${key}: the server sent bytes with sha256 ${digest}, not the pinned one`);
  const cache = await caches.open(MANIFEST.modelCache);
  await cache.put(key, new Response(bytes, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(loaded) } }));
}

/**
 * Store a demo's files (skipping those already stored) and tell the asking pages how it goes.
 * @param {string} name
 * @param {Client | null} client
 */
async function precache(name, client) {
  const running = jobs.get(name);
  if (running) {
    if (client) running.clients.add(client);
    return running.promise;
  }
  /** @type {{ clients: Set<Client>, promise: Promise<void> }} */
  const job = { clients: new Set(client ? [client] : []), promise: Promise.resolve() };
  jobs.set(name, job);
  job.promise = runPrecache(name, job.clients).finally(() => jobs.delete(name));
  return job.promise;
}

/**
 * @param {string} name
 * @param {Set<Client>} clients
 */
async function runPrecache(name, clients) {
  const demo = MANIFEST.demos[name];
  /** @param {Record<string, unknown>} message */
  const tell = (message) =>
    clients.forEach((client) => client.postMessage({ type: 'r2p-offline', demo: name, version: MANIFEST.version, ...message }));
  if (!demo) {
    tell({ state: 'error', message: `no offline manifest for demo "${name}"` });
    return;
  }
  const total = demo.files.length + demo.models.length;
  let done = 0;
  let bytesDone = 0;
  let lastTold = 0;
  /** @param {number} [extra] */
  const progress = (extra = 0) => {
    const now = Date.now();
    if (now - lastTold < 150 && done < total) return;
    lastTold = now;
    tell({ state: 'precaching', done, total, bytesDone: bytesDone + extra, bytesTotal: demo.bytes });
  };
  try {
    const cache = await caches.open(MANIFEST.cache);
    const models = await caches.open(MANIFEST.modelCache);
    const have = new Set((await cache.keys()).map((request) => keyOf(request.url)));
    const haveModels = new Set((await models.keys()).map((request) => keyOf(request.url)));
    const missing = demo.files.filter((file) => !have.has(file.url));
    const missingModels = demo.models.filter((file) => !haveModels.has(file.url));
    for (const file of [...demo.files, ...demo.models]) {
      if (!missing.includes(file) && !missingModels.includes(file)) {
        done++;
        bytesDone += file.bytes;
      }
    }
    progress();
    const queue = [...missing];
    /** @param {OfflineFile} file */
    const store = async (file) => {
      // Hashed names never change content: the HTTP cache may answer. Others are revalidated.
      const response = await fetch(file.url, { cache: file.url.startsWith('/_astro/') ? 'default' : 'no-cache' });
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${file.url}`);
      // A redirected response cannot answer a navigation: store a plain copy.
      const clean = response.redirected
        ? new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers: response.headers })
        : response;
      await cache.put(file.url, clean);
    };
    const download = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const stored = store(file);
        void remember(file.url, stored);
        await stored;
        done++;
        bytesDone += file.bytes;
        progress();
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_DOWNLOADS }, download));
    // Models one at a time, after the small files; a download the page started is reused.
    for (const file of missingModels) {
      await storing.get(file.url)?.catch(() => undefined);
      if (!(await models.match(file.url))) {
        const stored = fetch(file.url).then((response) => storeModel(file.url, response, progress));
        void remember(file.url, stored);
        await stored;
      }
      done++;
      bytesDone += file.bytes;
      progress();
    }
    // A worker that was replaced mid-job may have recreated its cache after the new one cleaned up.
    await deleteOtherVersions();
    tell({ state: 'ready', done, total, bytesDone, bytesTotal: demo.bytes });
  } catch (error) {
    tell({
      state: 'error',
      done,
      total,
      bytesDone,
      bytesTotal: demo.bytes,
      message: error instanceof Error ? error.message : String(error),
    });
  }
}
