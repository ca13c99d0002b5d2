/**
 * Model bytes for the browser: fetch with progress, keep in the Cache API, and verify SHA-256
 * with SubtleCrypto before anything uses them. The cache key carries the catalog's sha256, so a
 * catalog change can never be answered with stale bytes, and a cached file that no longer
 * hashes correctly is deleted and fetched again.
 *
 * The Cache API is the model cache; the browser's HTTP cache is not trusted with models. A host
 * that sends Last-Modified and no Cache-Control (nginx's and Apache's defaults) lets the HTTP
 * cache keep a corrupt file for weeks after the server is fixed, so downloads revalidate
 * (cache: 'no-cache'), and a download that fails its pin is tried once more past the HTTP cache
 * altogether (cache: 'reload'). A download cut off midway says which model, how far it got and
 * what to do, and nothing partial is ever stored.
 */
import type { ModelEntry } from '../../models/catalog.ts';
import { fetchInParts, isServedInParts } from '../../models/parts.ts';
import { RuntimeError } from './protocol.ts';

export const MODEL_CACHE_NAME = 'r2p-models-v1';

export interface FetchModelOptions {
  baseUrl: string;
  onProgress?: (phase: 'download' | 'verify', loaded: number, total: number | null) => void;
  /** Injected for tests; defaults to globalThis.caches when present. */
  cacheStorage?: CacheStorage | null;
  fetchImpl?: typeof fetch;
}

export interface FetchedModel {
  bytes: Uint8Array;
  fromCache: boolean;
  downloadMs: number;
  verifyMs: number;
}

/** Where the site serves a model file, with the pin in the query so caches key on content. */
export function modelRequestUrl(entry: ModelEntry, baseUrl: string): string {
  const url = new URL(`models/${entry.file}`, baseUrl);
  url.searchParams.set('sha256', entry.sha256);
  return url.href;
}

/** Lower-case hex SHA-256 of some bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Read a response body with progress callbacks. */
async function readWithProgress(
  response: Response,
  total: number | null,
  onProgress?: FetchModelOptions['onProgress'],
): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let lastReport = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (error) {
      throw new InterruptedRead(loaded, error instanceof Error ? error.message : String(error));
    }
    const { done, value } = next;
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    // Throttle: at most every 1% or 256 KiB, whichever is larger.
    if (loaded - lastReport >= Math.max(262_144, (total ?? 0) / 100)) {
      onProgress?.('download', loaded, total);
      lastReport = loaded;
    }
  }
  onProgress?.('download', loaded, total);
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

function describe(entry: ModelEntry): string {
  return `${entry.id} (${entry.file})`;
}

/** Bytes as megabytes with one decimal, or kilobytes below 0.1 MB. */
export function formatMegabytes(bytes: number): string {
  return bytes < 1e5 ? `${Math.round(bytes / 1e3)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The message for a download that stopped midway: which model, how far it got, what to do. */
export function interruptedDownloadMessage(entry: ModelEntry, received: number, total: number | null, reason: string): string {
  const of = total ? ` of ${formatMegabytes(total)}` : '';
  return (
    `The download of model ${describe(entry)} stopped after ${formatMegabytes(received)}${of} (${reason}). ` +
    'Nothing partial was kept. Check the connection and press Run to try again.'
  );
}

/** A response body read to the end, or the bytes that arrived before it broke off. */
class InterruptedRead extends Error {
  readonly received: number;
  readonly reason: string;
  constructor(received: number, reason: string) {
    super(reason);
    this.received = received;
    this.reason = reason;
  }
}

/** Why bytes do not match their catalog entry, or null when they do. */
async function pinProblem(entry: ModelEntry, bytes: Uint8Array): Promise<string | null> {
  if (entry.bytes !== null && bytes.length !== entry.bytes) return `expected ${entry.bytes} bytes, received ${bytes.length}`;
  const digest = await sha256Hex(bytes);
  return digest === entry.sha256 ? null : `expected sha256 ${entry.sha256}, received ${digest}`;
}

/** Download a model over the network (mode: how the HTTP cache may take part). */
async function download(
  entry: ModelEntry,
  url: string,
  baseUrl: string,
  mode: RequestCache,
  fetchImpl: typeof fetch,
  onProgress: FetchModelOptions['onProgress'],
): Promise<Uint8Array> {
  let response: Response;
  try {
    // A file over the hosts' per-file cap is served in parts (src/models/parts.ts), joined here.
    response = isServedInParts(entry)
      ? await fetchInParts(entry, baseUrl, (input, init) => fetchImpl(input, { ...init, cache: mode }))
      : await fetchImpl(url, { cache: mode });
  } catch (error) {
    throw new RuntimeError(
      'model-missing',
      `Could not download model ${describe(entry)}: ${(error as Error).message}. Check the connection, or that the site serves /models/, then press Run to try again.`,
    );
  }
  if (response.status === 404) {
    throw new RuntimeError(
      'model-missing',
      `Model ${describe(entry)} is not installed on this site. Install it with "npm run models" (set R2P_MODEL_MIRROR to a folder holding ${entry.file}), then rebuild.`,
    );
  }
  if (!response.ok) throw new RuntimeError('model-missing', `Model ${describe(entry)} could not be downloaded: HTTP ${response.status}.`);
  const header = Number(response.headers.get('content-length'));
  const total = header > 0 ? header : entry.bytes;
  try {
    return await readWithProgress(response, total, onProgress);
  } catch (error) {
    if (!(error instanceof InterruptedRead)) throw error;
    throw new RuntimeError('model-missing', interruptedDownloadMessage(entry, error.received, total, error.reason));
  }
}

export async function fetchModel(entry: ModelEntry, options: FetchModelOptions): Promise<FetchedModel> {
  const url = modelRequestUrl(entry, options.baseUrl);
  const fetchImpl = options.fetchImpl ?? fetch;
  const cacheStorage = options.cacheStorage === undefined ? (globalThis.caches ?? null) : options.cacheStorage;
  const cache = cacheStorage ? await cacheStorage.open(MODEL_CACHE_NAME).catch(() => null) : null;
  const started = performance.now();

  let bytes: Uint8Array;
  let fromCache = false;
  const cached = await cache?.match(url);
  if (cached) {
    bytes = new Uint8Array(await cached.arrayBuffer());
    fromCache = true;
    options.onProgress?.('download', bytes.length, bytes.length);
  } else {
    // Revalidate: the server decides whether the HTTP cache's copy is still its file.
    bytes = await download(entry, url, options.baseUrl, 'no-cache', fetchImpl, options.onProgress);
  }
  let downloaded = performance.now();

  options.onProgress?.('verify', 0, bytes.length);
  let problem = await pinProblem(entry, bytes);
  let verified = performance.now();
  if (problem) {
    // Never keep bytes that fail their pin: drop the cache entry so the next try refetches.
    await cache?.delete(url);
    // Once more past every cache (a host may keep Last-Modified while the bytes changed).
    bytes = await download(entry, url, options.baseUrl, 'reload', fetchImpl, options.onProgress);
    fromCache = false;
    downloaded = performance.now();
    problem = await pinProblem(entry, bytes);
    verified = performance.now();
  }
  if (problem) {
    throw new RuntimeError(
      'integrity',
      `Refused model ${describe(entry)}: its bytes do not match the catalog (${problem}). The file on the server is corrupt or out of date; reinstall it with "npm run models -- --verify".`,
    );
  }
  options.onProgress?.('verify', bytes.length, bytes.length);
  if (!fromCache && cache) {
    await cache
      .put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream' } }))
      .catch(() => {
        // Quota or private mode: the demo still runs, it just downloads again next time.
      });
  }
  return { bytes, fromCache, downloadMs: downloaded - started, verifyMs: verified - downloaded };
}
