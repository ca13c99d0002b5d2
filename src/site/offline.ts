/**
 * Offline stage mode: the pure half of the service worker. At build time the service-worker
 * integration (src/integrations/service-worker.ts) lists the built files and hands them here;
 * this module decides what each demo needs offline, versions the result, and injects it into
 * the worker script (src/service-worker/sw.js). Nothing here touches the file system.
 *
 * A demo page declares itself with data attributes written by src/components/ServiceWorker.astro:
 *   data-offline-demo="<study>" data-offline-models="<catalog ids>" data-offline-samples="<names>"
 * and its manifest entry is then: the page's HTML, every built asset the page loads (its
 * scripts and styles, followed through static and dynamic imports, the inference worker chunk
 * and CSS url()s), the onnxruntime files in /ort/, the sample images, the favicon, and the
 * installed model files with their pinned URLs (/models/<file>?sha256=<pin>).
 *
 * Models live in the runtime's own cache (r2p-models-v1) keyed by that pinned URL, so they are
 * stored once and survive new deployments; everything else lives in a cache named after the
 * manifest version, which changes whenever any listed file's content does.
 */
import { createHash } from 'node:crypto';
import { MODEL_CACHE_NAME, modelRequestUrl } from '../inference/runtime/model-fetch.ts';
import { MODEL_CATALOG, type ModelEntry } from '../models/catalog.ts';
import { ORT_RUNTIME_FILES } from '../integrations/r2p.ts';
import { withDefaultVariants } from '../models/variants/choose.ts';

export { MODEL_CACHE_NAME };

/** Versioned caches for pages and assets are named OFFLINE_CACHE_PREFIX + version. */
export const OFFLINE_CACHE_PREFIX = 'r2p-offline-';
/** Where the built service worker lives (scope: the whole site). */
export const SERVICE_WORKER_PATH = '/sw.js';
/** The placeholder in src/service-worker/sw.js that the manifest replaces. */
export const MANIFEST_PLACEHOLDER = '/* @r2p-offline-manifest */ null';
/** Files every demo page needs besides what its HTML references. */
export const ALWAYS_OFFLINE = ['/favicon.svg'];
/** Folder of the onnxruntime-web files (copied there by the r2p integration). */
export const ORT_DIR = '/ort/';

export interface OfflineFile {
  /** Site-relative URL: a path, plus the ?sha256= query for models. */
  url: string;
  bytes: number;
  /** Lower-case hex SHA-256 of the built file (for a model: its catalog pin). */
  sha256: string;
}

export interface OfflineDemo {
  study: string;
  /** URL path of the stage page. */
  page: string;
  /** The page, its assets, the runtime files, samples and favicon, in fetch order. */
  files: OfflineFile[];
  /** Installed model files, under their pinned URLs, smallest first. */
  models: OfflineFile[];
  /** Total of files and models. */
  bytes: number;
}

export interface OfflineManifest {
  /** Hash of everything below and of every listed file's content. */
  version: string;
  /** Cache for pages and assets of this version. */
  cache: string;
  /** The runtime's model cache, shared with src/inference/runtime/model-fetch.ts. */
  modelCache: string;
  /** Pinned URLs of every catalog file: the only model URLs the worker may answer from cache. */
  pins: string[];
  demos: Record<string, OfflineDemo>;
}

/** What a demo page declares about itself (see ServiceWorker.astro). */
export interface DemoDeclaration {
  study: string;
  models: string[];
  samples: string[];
}

export interface ManifestInput {
  /** Every file of the build output by URL path ('/_astro/x.js'), with its size in bytes. */
  files: ReadonlyMap<string, number>;
  /** Text of an output file by URL path (HTML, JS, CSS). */
  readText(path: string): string;
  /** Content hash of an output file by URL path: part of the version, so edits change it. */
  revision(path: string): string;
  /** URL paths of the HTML files to look at, e.g. '/demo/mtcnn/index.html'. */
  pages: readonly string[];
  catalog?: readonly ModelEntry[];
  /** Also folded into the version: the worker script's own source, so a new worker gets new caches. */
  salt?: string;
  /** The onnxruntime-web files the site serves from /ort/ (default: ORT_RUNTIME_FILES, the list the build copies). */
  runtimeFiles?: readonly string[];
}

const ORIGIN = 'https://r2p.invalid';

/** The URL path (with query) a site-relative or absolute URL names, or null for other origins. */
function sitePath(value: string, base: string): string | null {
  if (/^(data|blob|javascript|mailto):/i.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value, ORIGIN + base);
  } catch {
    return null;
  }
  if (url.origin !== ORIGIN) return null;
  return decodeURIComponent(url.pathname);
}

/** The pinned URL of a catalog file, exactly as the runtime requests it (path and query). */
export function pinnedModelUrl(entry: ModelEntry): string {
  const url = new URL(modelRequestUrl(entry, `${ORIGIN}/`));
  return url.pathname + url.search;
}

/** URL path of the page an HTML file is served as: /demo/x/index.html -> /demo/x/. */
export function pagePath(htmlPath: string): string {
  return htmlPath.endsWith('/index.html') ? htmlPath.slice(0, -'index.html'.length) : htmlPath.replace(/\.html$/, '');
}

/** The demo an HTML page declares with data-offline-demo, or null. */
export function readDemoDeclaration(html: string): DemoDeclaration | null {
  const tag = html.match(/<[a-z][^>]*\sdata-offline-demo="([^"]*)"[^>]*>/i);
  if (!tag) return null;
  const attribute = (name: string) => tag[0].match(new RegExp(`\\s${name}="([^"]*)"`))?.[1] ?? '';
  const list = (value: string) => value.split(/\s+/).filter(Boolean);
  return { study: tag[1]!, models: list(attribute('data-offline-models')), samples: list(attribute('data-offline-samples')) };
}

/** Same-site URLs an HTML page loads: scripts, stylesheets, preloads, icons, images, inline module imports. */
export function htmlReferences(html: string, page: string): string[] {
  const found: string[] = [];
  for (const match of html.matchAll(/<(script|link|img)\b([^>]*)>/gi)) {
    const [, tag, attributes = ''] = match;
    const attr = (name: string) =>
      attributes
        .match(new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i'))
        ?.slice(1)
        .find((value) => value !== undefined);
    if (tag!.toLowerCase() === 'link') {
      const rel = (attr('rel') ?? '').toLowerCase().split(/\s+/);
      if (!rel.some((value) => ['stylesheet', 'modulepreload', 'preload', 'icon'].includes(value))) continue;
      const href = attr('href');
      if (href) found.push(href);
    } else {
      const src = attr('src');
      if (src) found.push(src);
    }
  }
  // Inline module scripts may import bundles too.
  for (const match of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)) found.push(...jsReferences(match[1] ?? ''));
  return found.map((value) => sitePath(value, page)).filter((value): value is string => value !== null);
}

/** Module specifiers a built JS file loads: static and dynamic imports, re-exports, worker scripts. */
export function jsReferences(code: string): string[] {
  const patterns = [
    // import x from "y", import{a as b}from"y", import "y", export{a}from"y", export*from"y"
    /(?:^|[^\w$.])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?(["'`])([^"'`\n]+)\1/g,
    // import("y")
    /(?:^|[^\w$.])import\s*\(\s*(["'`])([^"'`\n]+)\1\s*\)/g,
    // new Worker(new URL("y", import.meta.url))
    /new\s+(?:Shared)?Worker\s*\(\s*new\s+URL\s*\(\s*(["'`])([^"'`\n]+)\1/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[2]!));
}

/** Files a stylesheet loads: url(...) and @import. */
export function cssReferences(css: string): string[] {
  const urls = [...css.matchAll(/url\(\s*(["']?)([^"')]+)\1\s*\)/g)].map((match) => match[2]!.trim());
  const imports = [...css.matchAll(/@import\s+(["'])([^"']+)\1/g)].map((match) => match[2]!);
  return [...urls, ...imports];
}

/**
 * Every built file a page needs: what its HTML references, then, transitively, what those
 * scripts import and those stylesheets load. Only files that exist in the output count.
 */
export function pageAssets(html: string, page: string, files: ReadonlyMap<string, number>, readText: (path: string) => string): string[] {
  const seen = new Set<string>();
  const queue = htmlReferences(html, page).filter((path) => files.has(path));
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const next = /\.m?js$/.test(path) ? jsReferences(readText(path)) : /\.css$/.test(path) ? cssReferences(readText(path)) : [];
    for (const reference of next) {
      const resolved = sitePath(reference, path);
      if (resolved && files.has(resolved) && !seen.has(resolved)) queue.push(resolved);
    }
  }
  return [...seen];
}

/** The catalog files a demo needs: its declared models and their label files, in that order. */
export function demoModelEntries(ids: readonly string[], catalog: readonly ModelEntry[] = MODEL_CATALOG): ModelEntry[] {
  const byId = new Map(catalog.map((entry) => [entry.id, entry]));
  const entries: ModelEntry[] = [];
  const add = (id: string) => {
    const entry = byId.get(id);
    if (!entry) throw new OfflineManifestError(`Offline manifest: unknown model id "${id}" (known: ${[...byId.keys()].join(', ')}).`);
    if (!entries.includes(entry)) entries.push(entry);
  };
  for (const id of ids) {
    add(id);
    const labels = byId.get(id)?.labels;
    if (labels) add(labels);
  }
  return entries;
}

/** Installed means: present in the output with the pinned size (or any size where none is pinned). */
function installedSize(entry: ModelEntry, files: ReadonlyMap<string, number>): number | null {
  const size = files.get(`/models/${entry.file}`);
  if (size === undefined) return null;
  return entry.bytes === null || entry.bytes === size ? size : null;
}

/** The cache that holds one version's pages and assets. */
export function offlineCacheName(version: string): string {
  return OFFLINE_CACHE_PREFIX + version;
}

/** A problem with the build that the offline manifest cannot get past; its message is the whole report. */
export class OfflineManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OfflineManifestError';
    // Printed as is by the build: the message names the file and field, a stack trace adds nothing.
    this.stack = `${this.name}: ${message}`;
  }
}

/** The source file of a study, for messages. */
export function studyFile(study: string): string {
  return `src/content/studies/${study}.mdx`;
}

/** A short content hash. */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Build the manifest for every page that declares a demo. */
export function buildOfflineManifest(input: ManifestInput): OfflineManifest {
  const catalog = input.catalog ?? MODEL_CATALOG;
  const runtimeFiles = input.runtimeFiles ?? ORT_RUNTIME_FILES;
  const demos: Record<string, OfflineDemo> = {};
  const sources = new Set<string>();
  for (const htmlPath of [...input.pages].sort()) {
    const html = input.readText(htmlPath);
    const declaration = readDemoDeclaration(html);
    if (!declaration) continue;
    const page = pagePath(htmlPath);
    if (demos[declaration.study])
      throw new Error(`Offline manifest: two pages declare demo "${declaration.study}" (${demos[declaration.study]!.page} and ${page}).`);
    const paths = [htmlPath, ...pageAssets(html, page, input.files, input.readText)];
    // The runtime files the build copies (never a second list here), when present in the output:
    // a stale file left in public/ort/ by an older runtime is not kept offline.
    paths.push(...runtimeFiles.map((name) => `${ORT_DIR}${name}`).filter((path) => input.files.has(path)));
    declaration.samples.forEach((sample, index) => {
      const path = `/samples/${sample}.png`;
      if (!input.files.has(path)) {
        throw new OfflineManifestError(
          `${studyFile(declaration.study)}: demo.samples[${index}]: expected the name of an image in public/samples/, found "${sample}" (${path} is not in the build; ${page} cannot be made available offline)`,
        );
      }
      paths.push(path);
    });
    paths.push(...ALWAYS_OFFLINE.filter((path) => input.files.has(path)));
    const unique = [...new Set(paths)];
    unique.forEach((path) => sources.add(path));
    const files = unique.map((path) => ({
      url: path === htmlPath ? page : path,
      bytes: input.files.get(path)!,
      sha256: input.revision(path),
    }));
    const models = demoModelEntries(withDefaultVariants(declaration.models, catalog), catalog)
      .flatMap((entry) => {
        const bytes = installedSize(entry, input.files);
        return bytes === null ? [] : [{ url: pinnedModelUrl(entry), bytes, sha256: entry.sha256 }];
      })
      .sort((a, b) => a.bytes - b.bytes);
    const bytes = [...files, ...models].reduce((sum, file) => sum + file.bytes, 0);
    demos[declaration.study] = { study: declaration.study, page, files, models, bytes };
  }
  const pins = catalog.map(pinnedModelUrl).sort();
  // The version covers the lists and the content of every non-model file (a model's pin is its content).
  const revisions = [...sources].sort().map((path) => [path, input.revision(path)]);
  const version = contentHash(JSON.stringify({ demos, pins, revisions, salt: input.salt ?? '' }));
  return { version, cache: offlineCacheName(version), modelCache: MODEL_CACHE_NAME, pins, demos };
}

/** The service worker script with the manifest injected in place of MANIFEST_PLACEHOLDER. */
export function renderServiceWorker(template: string, manifest: OfflineManifest): string {
  const at = template.indexOf(MANIFEST_PLACEHOLDER);
  if (at < 0 || template.indexOf(MANIFEST_PLACEHOLDER, at + 1) >= 0) {
    throw new Error(`The service worker template must contain "${MANIFEST_PLACEHOLDER}" exactly once.`);
  }
  // JSON is valid JS; escape what could end a script or break a line terminator in old engines.
  const json = JSON.stringify(manifest, null, 1)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `${template.slice(0, at)}${json}${template.slice(at + MANIFEST_PLACEHOLDER.length)}`;
}

// The rules below are what src/service-worker/sw.js does; they are restated here so they can be
// unit tested (the worker script itself is plain JS with the manifest injected).

/** Path and query of a URL on this site, the key the worker compares. */
export function urlKey(url: string | URL): string {
  const parsed = new URL(url, ORIGIN);
  return parsed.pathname + parsed.search;
}

/**
 * Whether the worker may answer a model request from the cache: only when its exact URL, pin
 * included, is one of the current catalog's pinned URLs. A model whose sha256 the catalog no
 * longer lists is never served, even if its bytes sit in the cache.
 */
export function isServableModelUrl(url: string | URL, manifest: Pick<OfflineManifest, 'pins'>): boolean {
  return manifest.pins.includes(urlKey(url));
}

/** Model cache entries to delete on activation: every URL that is not a current pin. */
export function staleModelUrls(cachedUrls: readonly string[], manifest: Pick<OfflineManifest, 'pins'>): string[] {
  return cachedUrls.filter((url) => !isServableModelUrl(url, manifest));
}

/** Caches to delete on activation: the versioned caches of every other version. */
export function staleCaches(cacheNames: readonly string[], manifest: Pick<OfflineManifest, 'cache'>): string[] {
  return cacheNames.filter((name) => name.startsWith(OFFLINE_CACHE_PREFIX) && name !== manifest.cache);
}

/** Human-readable size. */
export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** localStorage key of the speaker's choice to keep stage demos offline (ServiceWorker.astro uses the same literal). */
export const OFFLINE_OPT_IN_KEY = 'r2p-offline';
/** Header the worker adds to a stored copy: the sha256 it checked, so a stored entry proves it was checked. */
export const VERIFIED_HEADER = 'x-r2p-sha256';

/** What the worker saw of a response for a manifest file. */
export interface ReceivedFile {
  status: number;
  contentType: string;
  bytes: number;
  /** Hex sha256 of the body (null when not computed). */
  sha256: string | null;
}

/**
 * Why a response must not be stored as a manifest file, or null when it may: a failed status, an
 * HTML page where a file was expected (a host's single-page-app fallback), a non-HTML answer for
 * a page, a size or a sha256 other than the build's. Worded for the reader: the worker reports it.
 */
export function responseProblem(file: OfflineFile, isPage: boolean, received: ReceivedFile): string | null {
  const type = received.contentType.toLowerCase();
  const html = type.startsWith('text/html');
  if (received.status < 200 || received.status >= 300) return `${file.url}: the server answered HTTP ${received.status}`;
  if (!isPage && html) {
    return `${file.url}: the server sent an HTML page (${received.bytes} bytes) instead of the file (${file.bytes} bytes); is it missing on the server?`;
  }
  if (isPage && !html) return `${file.url}: expected an HTML page, the server sent ${type || 'no content type'}`;
  if (received.bytes !== file.bytes) return `${file.url}: expected ${file.bytes} bytes, the server sent ${received.bytes}`;
  if (received.sha256 !== null && received.sha256 !== file.sha256) {
    return `${file.url}: the server sent other content than this version of the site built (sha256 ${received.sha256.slice(0, 12)}…, expected ${file.sha256.slice(0, 12)}…)`;
  }
  return null;
}

/** Whether a stored copy may answer for a manifest file: only one the worker checked against this sha256. */
export function isVerifiedCopy(file: Pick<OfflineFile, 'sha256'>, storedHeader: string | null): boolean {
  return storedHeader === file.sha256;
}
