// @ts-check
/// <reference lib="webworker" />
/**
 * r2p's service worker: makes a stage-mode demo (/demo/<study>/) work offline once visited.
 * The build copies this file to /sw.js with the offline manifest injected below (see
 * src/site/offline.ts, which also states and tests the rules this file follows).
 *
 * - Install precaches nothing. A stage page asks {type: 'r2p-offline-status', demo} (how much of
 *   the demo is stored) and, once the speaker opted in, {type: 'r2p-precache', demo}: the worker
 *   then stores that demo's files, reporting progress back to the page.
 * - Every file is checked before it is stored: status, content type (never an HTML page for a
 *   file: a host's single-page-app fallback), size and sha256 against the manifest. A mismatch
 *   is refused and reported, and never counts as available offline. A stored copy carries the
 *   sha256 it was checked against (x-r2p-sha256) and is served only while it matches.
 * - Every download bypasses the browser's HTTP cache (cache: 'no-cache'): a host that sends only
 *   Last-Modified would otherwise hand back yesterday's bytes.
 * - Navigations to a demo page: network first (4 s at most when a copy is stored), else the copy.
 * - /_astro/ (hashed), /ort/ and the other listed files: the checked copy first, else the network
 *   (a listed file that comes back as an HTML page is fetched once more past the HTTP cache).
 * - Models (/models/<file>?sha256=<pin>): answered from the runtime's cache r2p-models-v1 only
 *   under exactly that URL, and only when the pin is one of the current catalog's. Entries with
 *   any other pin are deleted on activation and never served. Bytes stored here are checked
 *   against their pin first (the runtime checks them again before use).
 * - Activation deletes the caches of other versions.
 */

/** @typedef {{ url: string, bytes: number, sha256: string }} OfflineFile */
/** @typedef {{ study: string, page: string, files: OfflineFile[], models: OfflineFile[], bytes: number }} OfflineDemo */
/** @typedef {{ version: string, cache: string, modelCache: string, pins: string[], demos: Record<string, OfflineDemo> }} OfflineManifest */

const sw = /** @type {ServiceWorkerGlobalScope} */ (/** @type {unknown} */ (self));

/** Injected at build time by src/integrations/service-worker.ts. */
const MANIFEST = /** @type {OfflineManifest} */ (/** @type {unknown} */ (/* @r2p-offline-manifest */ null));

const OFFLINE_CACHE_PREFIX = 'r2p-offline-';
const NAVIGATION_TIMEOUT_MS = 4000;
const PARALLEL_DOWNLOADS = 4;
const PINS = new Set(MANIFEST.pins);
const VERIFIED_HEADER = 'x-r2p-sha256';
const PAGES = new Set(Object.values(MANIFEST.demos).map((demo) => demo.page));
/** @type {Map<string, OfflineFile>} Every listed non-model file by URL path. */
const FILES = new Map(Object.values(MANIFEST.demos).flatMap((demo) => demo.files.map((file) => [file.url, file])));
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
  if (typeof data?.demo !== 'string') return;
  const client = /** @type {Client | null} */ (event.source);
  if (data.type === 'r2p-precache') event.waitUntil(precache(data.demo, client));
  else if (data.type === 'r2p-offline-status') event.waitUntil(reportStatus(data.demo, client));
});

/**
 * Tell a page how much of its demo is stored and checked: 'ready' when all of it, else
 * 'available' with the bytes still to download (the page offers "Make available offline").
 * @param {string} name
 * @param {Client | null} client
 */
async function reportStatus(name, client) {
  const demo = MANIFEST.demos[name];
  if (!client) return;
  if (!demo) {
    client.postMessage({
      type: 'r2p-offline',
      demo: name,
      version: MANIFEST.version,
      state: 'error',
      message: `no offline manifest for demo "${name}"`,
    });
    return;
  }
  const { stored, storedBytes } = await storedFiles(demo);
  const total = demo.files.length + demo.models.length;
  const state = jobs.has(name) ? 'precaching' : stored.size === total ? 'ready' : 'available';
  client.postMessage({
    type: 'r2p-offline',
    demo: name,
    version: MANIFEST.version,
    state,
    done: stored.size,
    total,
    bytesDone: storedBytes,
    bytesTotal: demo.bytes,
  });
}

/**
 * The files of a demo already stored and checked (by URL), and their bytes.
 * @param {OfflineDemo} demo
 */
async function storedFiles(demo) {
  const cache = await caches.open(MANIFEST.cache);
  const models = await caches.open(MANIFEST.modelCache);
  /** @type {Set<string>} */
  const stored = new Set();
  let storedBytes = 0;
  for (const file of demo.files) {
    const copy = await cache.match(file.url, { ignoreVary: true });
    if (copy && copy.headers.get(VERIFIED_HEADER) === file.sha256) {
      stored.add(file.url);
      storedBytes += file.bytes;
    } else if (copy) {
      // Stored by an older worker without a check, or for other content: never serve it.
      await cache.delete(file.url);
    }
  }
  // The runtime and this worker store a model only after checking its pin; the key carries it.
  const haveModels = new Set((await models.keys()).map((request) => keyOf(request.url)));
  for (const file of demo.models) {
    if (haveModels.has(file.url)) {
      stored.add(file.url);
      storedBytes += file.bytes;
    }
  }
  return { stored, storedBytes };
}

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
    event.respondWith(cacheFirst(request, url.pathname));
  }
});

/**
 * A stored copy of a listed file, only if it was checked against this version's sha256.
 * @param {Cache} cache
 * @param {string | Request} key
 * @param {string} path
 */
async function verifiedCopy(cache, key, path) {
  const copy = await cache.match(key, { ignoreVary: true });
  if (!copy) return undefined;
  const file = FILES.get(path);
  if (file && copy.headers.get(VERIFIED_HEADER) === file.sha256) return copy;
  await cache.delete(key);
  return undefined;
}

/**
 * Fetch a listed file from the network; when the answer is plainly not that file (an HTML page
 * for a non-page, or a Content-Length other than the build's), which a browser's HTTP cache may
 * keep from an earlier bad answer, ask once more past the HTTP cache.
 * @param {Request} request
 * @param {string} path
 */
async function fetchListed(request, path) {
  const file = FILES.get(path);
  const response = await fetch(request);
  if (!file || !response.ok || PAGES.has(path)) return response;
  const type = (response.headers.get('content-type') ?? '').toLowerCase();
  const length = response.headers.get('content-length');
  const wrong =
    type.startsWith('text/html') || (length !== null && response.headers.get('content-encoding') === null && Number(length) !== file.bytes);
  if (!wrong) return response;
  return fetch(request.url, {
    cache: 'reload',
    credentials: request.credentials,
    mode: request.mode === 'navigate' ? 'same-origin' : request.mode,
  });
}

/**
 * @param {Request} request
 * @param {string} page
 */
async function networkFirst(request, page) {
  const cached = await verifiedCopy(await caches.open(MANIFEST.cache), page, page);
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

/**
 * @param {Request} request
 * @param {string} path
 */
async function cacheFirst(request, path) {
  const cache = await caches.open(MANIFEST.cache);
  const cached = await verifiedCopy(cache, request, path);
  if (cached) return cached;
  // Being precached right now: wait for that copy rather than download it twice.
  const pending = storing.get(keyOf(request.url));
  if (pending) {
    await pending.catch(() => undefined);
    const stored = await verifiedCopy(cache, request, path);
    if (stored) return stored;
  }
  return fetchListed(request, path);
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
  // The Cache API is the model cache: never let the HTTP cache answer with bytes that may have failed their pin.
  // A page asking past every cache (its retry after a mismatch: 'reload') gets exactly that.
  const mode = event.request.cache === 'reload' || event.request.cache === 'no-store' ? event.request.cache : 'no-cache';
  const response = await fetch(event.request.url, { cache: mode, signal: event.request.signal });
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

/**
 * Why a response must not be stored as this file, or null (restated and unit tested as
 * responseProblem in src/site/offline.ts).
 * @param {OfflineFile} file
 * @param {Response} response
 * @param {number} bytes
 * @param {string | null} digest
 */
function checkFile(file, response, bytes, digest) {
  const type = (response.headers.get('content-type') ?? '').toLowerCase();
  const html = type.startsWith('text/html');
  const isPage = PAGES.has(file.url);
  if (response.status < 200 || response.status >= 300) return `${file.url}: the server answered HTTP ${response.status}`;
  if (!isPage && html) {
    return `${file.url}: the server sent an HTML page (${bytes} bytes) instead of the file (${file.bytes} bytes); is it missing on the server?`;
  }
  if (isPage && !html) return `${file.url}: expected an HTML page, the server sent ${type || 'no content type'}`;
  if (bytes !== file.bytes) return `${file.url}: expected ${file.bytes} bytes, the server sent ${bytes}`;
  if (digest !== null && digest !== file.sha256) {
    return `${file.url}: the server sent other content than this version of the site built (sha256 ${digest.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…)`;
  }
  return null;
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
  if (digest !== pin)
    throw new Error(
      `${key.split('?')[0]}: the server sent other bytes than the catalog pins (${loaded} bytes, sha256 ${digest.slice(0, 12)}…)`,
    );
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
    const { stored: have, storedBytes } = await storedFiles(demo);
    const missing = demo.files.filter((file) => !have.has(file.url));
    const missingModels = demo.models.filter((file) => !have.has(file.url));
    done = have.size;
    bytesDone = storedBytes;
    progress();
    const queue = [...missing];
    /** @type {string[]} Files refused: they stay out of the cache, and the demo is not available offline. */
    const refused = [];
    /** @param {OfflineFile} file */
    const store = async (file) => {
      // Past the HTTP cache: it may hold an earlier bad answer (or a host's fallback page) under this URL.
      const response = await fetch(file.url, { cache: 'no-cache' });
      const body = response.ok ? await response.arrayBuffer() : new ArrayBuffer(0);
      const problem = checkFile(file, response, body.byteLength, response.ok ? await sha256Hex(body) : null);
      if (problem) throw new Error(problem);
      // A plain copy (a redirected response cannot answer a navigation) that says what it was checked against.
      const headers = new Headers(response.headers);
      headers.set(VERIFIED_HEADER, file.sha256);
      headers.set('content-length', String(body.byteLength));
      await cache.put(file.url, new Response(body, { status: 200, statusText: response.statusText, headers }));
    };
    const download = async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const copying = store(file);
        void remember(file.url, copying);
        try {
          await copying;
          done++;
          bytesDone += file.bytes;
        } catch (error) {
          refused.push(error instanceof Error ? error.message : String(error));
        }
        progress();
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_DOWNLOADS }, download));
    // Models one at a time, after the small files; a download the page started is reused.
    for (const file of missingModels) {
      await storing.get(file.url)?.catch(() => undefined);
      try {
        if (!(await models.match(file.url))) {
          const fetching = fetch(file.url, { cache: 'no-cache' }).then((response) => storeModel(file.url, response, progress));
          void remember(file.url, fetching);
          await fetching;
        }
        done++;
        bytesDone += file.bytes;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const path = file.url.split('?')[0] ?? file.url;
        refused.push(message.startsWith(path) ? message : `${path}: ${message}`);
      }
      progress();
    }
    // A worker that was replaced mid-job may have recreated its cache after the new one cleaned up.
    await deleteOtherVersions();
    if (refused.length > 0) {
      const more = refused.length > 1 ? ` (and ${refused.length - 1} more file${refused.length > 2 ? 's' : ''})` : '';
      throw new Error(`refused ${refused[0]}${more}`);
    }
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
