/**
 * Build-time mermaid rendering (Node only): mermaid source in, inline SVG out, in a light
 * (mermaid's `default` theme) and a dark (`dark` theme) version.
 *
 * One headless Chromium (found by findChromium(), launched with CHROMIUM_ARGS through
 * playwright) serves the whole build: it is launched on the first diagram that is not cached,
 * keeps up to PAGE_COUNT pages with mermaid loaded (each page renders one batch at a time; pages
 * are separate renderer processes, so batches run side by side on machines with cores to spare), renders every diagram of a
 * call in one round trip and is closed after IDLE_MS without work, by closeRenderer(), or with the
 * process. The state lives on globalThis, so the copies of this module that Vite loads for the
 * config (the rehype plugin, the build-start prerender) and for the pages share one browser, one
 * cache, the diagrams in flight and one warning.
 *
 * prerenderMermaid() lets the build start rendering every study's diagrams while Vite is still
 * bundling: a page that needs a diagram already in flight waits for it instead of rendering it
 * again. Batches are sorted by theme: switching mermaid's theme between two diagrams makes the
 * next render up to twice as slow.
 *
 * The page loads mermaid's own browser build from node_modules (file://, nothing from a CDN), the
 * same mermaid version that Diagram.astro's client fallback bundles, so a diagram looks the same
 * whether it was drawn at build time or in the reader's browser.
 *
 * SVGs are cached on disk under node_modules/.cache/r2p-mermaid/, keyed by a sha256 of the
 * source, the theme, the mermaid version and the render settings. When every diagram of a call
 * is cached no browser is needed at all.
 *
 * Without a Chromium, renderMermaid() prints one warning for the whole process and returns null;
 * callers then emit the client-side fallback. A diagram that mermaid cannot render throws an
 * Error naming it (caption, or its first line) and the offending source line: the build fails.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import type { Browser, BrowserContext, Page } from 'playwright';
import { CHROMIUM_ARGS, findChromium } from './find-chromium.ts';

/** A diagram rendered in both themes, as inline SVG markup. */
export type RenderedDiagram = { light: string; dark: string };

/** Options for one renderMermaid() call. */
export type RenderOptions = {
  /** One name per source for error messages, e.g. `the diagram "Lineage of ResNet-34"`. */
  labels?: (string | undefined)[];
  /** Cache folder; default R2P_MERMAID_CACHE or node_modules/.cache/r2p-mermaid under the cwd. */
  cacheDir?: string;
  /** Set false to skip the disk cache (read and write). */
  cache?: boolean;
  /** The Chromium to use; null means none. Default findChromium(). */
  executablePath?: string | null;
};

/** Mermaid themes for the two site themes. */
export const MERMAID_THEMES = { light: 'default', dark: 'dark' } as const;

/** Bump when the rendering or post-processing changes, so old cache entries are not reused. */
const RENDERER_VERSION = 2;

/**
 * Close the browser after this long without a render: an open browser keeps Node (and so
 * `astro build`) alive. Long enough to bridge the gap between Astro compiling MDX and rendering
 * pages; an `astro:build:done` hook calling closeRenderer() ends it at once. R2P_MERMAID_IDLE_MS
 * overrides it.
 */
export const IDLE_MS = Number(process.env.R2P_MERMAID_IDLE_MS) || 10_000;

/**
 * Pages (renderer processes) rendering at once: one per two cores, at most 4. Mermaid's layout
 * is single-threaded, but each page's renderer also keeps about half another core busy, and the
 * build itself needs one: on 2 cores a second page made a 60-study build slower (47.1 s against
 * 44.5 s). R2P_MERMAID_PAGES overrides it.
 */
export const PAGE_COUNT = Math.max(1, Number(process.env.R2P_MERMAID_PAGES) || Math.min(4, Math.floor(availableParallelism() / 2)));

const WARNING = '[r2p] No Chromium found (set R2P_CHROMIUM): diagrams will be rendered in the browser instead of at build time.';

/** Resolve a package file from this module, or from the working directory (bundled builds). */
function resolvePackageFile(specifier: string): string | null {
  for (const base of [import.meta.url, pathToFileURL(path.join(process.cwd(), 'package.json')).href]) {
    try {
      return createRequire(base).resolve(specifier);
    } catch {
      // try the next base
    }
  }
  return null;
}

type Assets = { mermaidScript: string; mermaidVersion: string; fontCss: string | null };
let assets: Assets | undefined;

/** Where mermaid's browser build (and the site font) live, and mermaid's version. */
function getAssets(): Assets {
  if (assets) return assets;
  const mermaidScript = resolvePackageFile('mermaid/dist/mermaid.min.js');
  if (!mermaidScript) throw new Error('[r2p] Cannot find mermaid/dist/mermaid.min.js: is the mermaid package installed?');
  const pkg = JSON.parse(readFileSync(path.join(path.dirname(mermaidScript), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  assets = {
    mermaidScript,
    mermaidVersion: pkg.version,
    fontCss: resolvePackageFile('@fontsource-variable/inter/index.css'),
  };
  return assets;
}

/**
 * The mermaid settings shared by the build-time renderer and the client fallback (Diagram.astro
 * passes them to the browser), minus the theme. Labels are measured in the site font (Inter,
 * which Diagram.astro loads) so text fits its boxes on the page; `strict` keeps click handlers
 * and raw HTML out of diagrams.
 */
export function mermaidBaseConfig(): Record<string, unknown> {
  const font = getAssets().fontCss ? '"Inter Variable", Inter, Arial, sans-serif' : 'Arial, sans-serif';
  // handDrawnSeed: shapes drawn with rough.js (stadiums, ...) get random control points otherwise.
  return {
    startOnLoad: false,
    securityLevel: 'strict',
    fontFamily: font,
    handDrawnSeed: 1,
    flowchart: { htmlLabels: true },
    // Not a mermaid option: both renderers pass it as themeVariables when drawing the dark theme.
    // The dark theme's own edge-label background gives its #ccc label text only 4.4:1 contrast.
    darkThemeVariables: { edgeLabelBackground: '#2f343d' },
  };
}

/** The mermaid.initialize() options for one theme, from mermaidBaseConfig(). */
export function themedConfig(config: Record<string, unknown>, theme: 'default' | 'dark'): Record<string, unknown> {
  const { darkThemeVariables, ...base } = config;
  return theme === 'dark' ? { ...base, theme, themeVariables: darkThemeVariables } : { ...base, theme };
}

/** The mermaid version the site renders with. */
export function mermaidVersion(): string {
  return getAssets().mermaidVersion;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Cache key of one rendering. */
export function cacheKey(source: string, theme: string): string {
  return sha256(JSON.stringify([RENDERER_VERSION, mermaidVersion(), theme, mermaidBaseConfig(), source]));
}

/** The id prefix of a rendering: the same source and theme always get the same ids. */
function idPrefix(source: string, theme: 'light' | 'dark'): string {
  return `r2p-${sha256(source).slice(0, 10)}-${theme === 'light' ? 'l' : 'd'}`;
}

function defaultCacheDir(): string {
  return process.env.R2P_MERMAID_CACHE || path.resolve(process.cwd(), 'node_modules/.cache/r2p-mermaid');
}

/** One page with mermaid loaded; its batches run one after another. */
type Lane = { page: Promise<Page>; queue: Promise<unknown>; waiting: number };
type Session = { browser: Browser; context: BrowserContext; pageUrl: string; lanes: Lane[] };
type State = {
  session?: Promise<Session> | undefined;
  active: number;
  idleTimer?: ReturnType<typeof setTimeout> | undefined;
  warned: boolean;
  /** Renders under way, by cache key: the SVG, or null when that render failed. */
  inflight: Map<string, Promise<string | null>>;
  /** Counters for tests and the timing report. */
  stats: { launches: number; pages: number; rendered: number; cached: number; prerendered: number; launchMs: number; renderMs: number };
};

const emptyStats = (): State['stats'] => ({ launches: 0, pages: 0, rendered: 0, cached: 0, prerendered: 0, launchMs: 0, renderMs: 0 });

const STATE_KEY = Symbol.for('r2p.mermaid-render');
function state(): State {
  const holder = globalThis as unknown as Record<symbol, State | undefined>;
  holder[STATE_KEY] ??= { active: 0, warned: false, inflight: new Map(), stats: emptyStats() };
  return holder[STATE_KEY];
}

/** Close the browser and forget the warning and counters (for tests). */
export async function resetRenderer(): Promise<void> {
  await closeRenderer();
  const current = state();
  current.warned = false;
  current.stats = emptyStats();
}

/**
 * Renderer counters: browser launches, pages opened, SVGs rendered in the browser for a caller,
 * SVGs served from the cache, SVGs rendered ahead by prerenderMermaid(), and the milliseconds
 * spent launching (browser, mermaid, fonts) and rendering (summed over pages).
 */
export function rendererStats(): Readonly<State['stats']> {
  return { ...state().stats };
}

/** Launch Chromium and write the page that loads mermaid and the site font. */
async function launch(executablePath: string, cacheDir: string): Promise<Session> {
  const started = performance.now();
  const { chromium } = await import('playwright');
  const { mermaidScript, fontCss } = getAssets();
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
  state().stats.launches += 1;
  try {
    const context = await browser.newContext({ bypassCSP: true });
    // A file:// page may load other file:// URLs; nothing else is reachable.
    const html = [
      '<!doctype html><html lang="en"><head><meta charset="utf-8">',
      fontCss ? `<link rel="stylesheet" href="${pathToFileURL(fontCss).href}">` : '',
      `<script src="${pathToFileURL(mermaidScript).href}"></script>`,
      '</head><body></body></html>',
    ].join('');
    const pageFile = path.join(cacheDir, 'page.html');
    await writeCacheFile(pageFile, html);
    const session: Session = { browser, context, pageUrl: pathToFileURL(pageFile).href, lanes: [] };
    // Open the first page now, so a Chromium that cannot render fails the launch.
    const first = openPage(session);
    session.lanes.push({ page: first, queue: Promise.resolve(), waiting: 0 });
    await first;
    state().stats.launchMs += performance.now() - started;
    return session;
  } catch (error) {
    await browser.close().catch(() => undefined);
    throw error;
  }
}

/** Open one more page with mermaid and the fonts loaded. */
async function openPage(session: Session): Promise<Page> {
  const page = await session.context.newPage();
  await page.goto(session.pageUrl, { waitUntil: 'load' });
  await page.evaluate(async () => {
    await Promise.all(Array.from(document.fonts, (font) => font.load().catch(() => undefined)));
  });
  const ready = await page.evaluate(() => typeof (globalThis as { mermaid?: unknown }).mermaid === 'object');
  if (!ready) throw new Error(`[r2p] mermaid did not load in Chromium from ${getAssets().mermaidScript}`);
  state().stats.pages += 1;
  return page;
}

/** The page for the next batch: an idle one, a new one while fewer than PAGE_COUNT exist, or the least busy. */
function pickLane(session: Session): Lane {
  const idle = session.lanes.find((lane) => lane.waiting === 0);
  if (idle) return idle;
  if (session.lanes.length < PAGE_COUNT) {
    const lane: Lane = { page: openPage(session), queue: Promise.resolve(), waiting: 0 };
    session.lanes.push(lane);
    return lane;
  }
  return session.lanes.reduce((best, lane) => (lane.waiting < best.waiting ? lane : best));
}

/** Close the shared browser now (call from an `astro:build:done` hook; safe to call any time). */
export async function closeRenderer(): Promise<void> {
  const current = state();
  if (current.idleTimer) clearTimeout(current.idleTimer);
  current.idleTimer = undefined;
  const session = current.session;
  current.session = undefined;
  if (!session) return;
  try {
    const { browser } = await session;
    await browser.close();
  } catch {
    // a session that failed to start has nothing to close
  }
}

type Job = { id: string; source: string; theme: 'default' | 'dark' };
type Outcome = { ok: true; svg: string } | { ok: false; message: string };

/** Render jobs on one of the shared pages, in one evaluate call. */
async function renderInBrowser(jobs: Job[], executablePath: string, cacheDir: string): Promise<Outcome[]> {
  const current = state();
  if (current.idleTimer) clearTimeout(current.idleTimer);
  current.idleTimer = undefined;
  current.active += 1;
  try {
    current.session ??= launch(executablePath, cacheDir);
    const sessionPromise = current.session;
    let session: Session;
    try {
      session = await sessionPromise;
    } catch (error) {
      if (current.session === sessionPromise) current.session = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `[r2p] Could not start Chromium at ${executablePath} to render diagrams: ${reason}\n` +
          'Set R2P_CHROMIUM to a working Chromium, or R2P_DIAGRAMS=client to draw diagrams in the browser instead.',
        { cause: error },
      );
    }
    const lane = pickLane(session);
    lane.waiting += 1;
    const run = lane.queue.then(async () => {
      const page = await lane.page;
      const started = performance.now();
      try {
        return await page.evaluate(
          async ({ jobs, configs }) => {
            const mermaid = (globalThis as unknown as { mermaid: typeof import('mermaid').default }).mermaid;
            const outcomes: ({ ok: true; svg: string } | { ok: false; message: string })[] = [];
            let theme: string | undefined;
            for (const job of jobs) {
              if (job.theme !== theme) {
                theme = job.theme;
                mermaid.initialize(configs[job.theme]);
              }
              try {
                const { svg } = await mermaid.render(job.id, job.source);
                outcomes.push({ ok: true, svg });
              } catch (error) {
                outcomes.push({ ok: false, message: error instanceof Error ? error.message : String(error) });
              } finally {
                // mermaid leaves its scratch element behind when a diagram fails to parse
                document.getElementById(`d${job.id}`)?.remove();
              }
            }
            return outcomes;
          },
          { jobs, configs: { default: themedConfig(mermaidBaseConfig(), 'default'), dark: themedConfig(mermaidBaseConfig(), 'dark') } },
        );
      } catch (error) {
        // The page or browser died: start afresh next time.
        if (current.session === sessionPromise) await closeRenderer();
        throw error;
      } finally {
        current.stats.renderMs += performance.now() - started;
      }
    });
    lane.queue = run.catch(() => undefined);
    try {
      return await run;
    } finally {
      lane.waiting -= 1;
    }
  } finally {
    current.active -= 1;
    if (current.active === 0 && current.session) {
      current.idleTimer = setTimeout(() => void closeRenderer(), IDLE_MS);
    }
  }
}

async function readCache(dir: string, key: string): Promise<string | null> {
  try {
    return await readFile(path.join(dir, `${key}.svg`), 'utf8');
  } catch {
    return null;
  }
}

/** Write a file atomically, so a concurrent build never reads half of it. */
async function writeCacheFile(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

async function writeCache(dir: string, key: string, svg: string): Promise<void> {
  await writeCacheFile(path.join(dir, `${key}.svg`), svg);
}

/** Name a diagram for an error message: its label (caption), or its first line. */
function describe(source: string, label: string | undefined, index: number): string {
  if (label) return label;
  const first = source.split('\n').find((line) => line.trim()) ?? '';
  return `diagram ${index + 1} (starting "${first.trim()}")`;
}

/**
 * Quote the source line a mermaid parse error points at. Mermaid's message shows the text before
 * the error with the line breaks removed ("...-> b  b[[unclosed" over a caret); its "line N" does
 * not always count the author's lines, so the excerpt is looked up in the source instead.
 */
export function offendingLine(source: string, message: string): string {
  const lines = source.split('\n');
  const excerpt = /^(?:\.\.\.)?(.*)\n-*\^/m.exec(message)?.[1]?.replace(/^\.\.\./, '');
  let number: number | undefined;
  if (excerpt && excerpt.trim()) {
    let flat = '';
    const lineAt: number[] = [];
    lines.forEach((line, index) => {
      flat += line;
      for (let i = 0; i < line.length; i += 1) lineAt.push(index + 1);
    });
    const found = flat.indexOf(excerpt);
    if (found >= 0) number = lineAt[found + excerpt.length - 1];
  }
  if (number === undefined) {
    const reported = Number(/line (\d+)/i.exec(message)?.[1]);
    if (reported >= 1 && reported <= lines.length) number = reported;
  }
  const line = number === undefined ? undefined : lines[number - 1];
  return line === undefined ? '' : `\n  at source line ${number}: ${line.trim()}`;
}

/**
 * The smallest share of its natural width a diagram may shrink to (text stays above ~11px);
 * below that its container scrolls sideways instead (see Diagram.astro).
 */
export const MIN_SCALE = 0.7;

/**
 * Prepare mermaid's SVG for inline use: it already scales to its container (width="100%",
 * max-width = natural width, viewBox); add a min-width so wide diagrams scroll rather than
 * shrink into unreadable text.
 */
export function sizeSvg(svg: string): string {
  return svg.replace(/^(<svg\b[^>]*?\bstyle=")max-width:\s*([\d.]+)px;?/, (_match, head: string, width: string) => {
    const natural = Number(width);
    return `${head}max-width: ${Math.round(natural * 100) / 100}px; min-width: ${Math.round(natural * MIN_SCALE)}px;`;
  });
}

/** Make the ids of an SVG unique for the n-th copy of the same diagram in one call. */
function withSuffix(svg: string, prefix: string, n: number): string {
  return n === 0 ? svg : svg.split(prefix).join(`${prefix}-${n + 1}`);
}

type Slot = { index: number; theme: 'light' | 'dark'; key: string; prefix: string; svg?: string };

/** One slot per (source, theme), with the cached SVG filled in where the disk cache has it. */
async function cachedSlots(sources: string[], cacheDir: string, useCache: boolean): Promise<Slot[]> {
  const slots: Slot[] = [];
  for (const [index, source] of sources.entries()) {
    for (const theme of ['light', 'dark'] as const) {
      slots.push({ index, theme, key: cacheKey(source, MERMAID_THEMES[theme]), prefix: idPrefix(source, theme) });
    }
  }
  if (useCache) {
    await Promise.all(
      slots.map(async (slot) => {
        const svg = await readCache(cacheDir, slot.key);
        if (svg !== null) slot.svg = svg;
      }),
    );
  }
  return slots;
}

/** Light before dark: every theme switch makes mermaid's next render slower. */
const byTheme = (a: Slot, b: Slot) => (a.theme === b.theme ? 0 : a.theme === 'light' ? -1 : 1);

/** Mark the slots' keys as in flight; returns the function that settles one key. */
function announce(slots: Slot[]): (key: string, svg: string | null) => void {
  const current = state();
  const settlers = new Map<string, (svg: string | null) => void>();
  for (const slot of slots) current.inflight.set(slot.key, new Promise((resolve) => settlers.set(slot.key, resolve)));
  return (key, svg) => {
    const settle = settlers.get(key);
    if (!settle) return;
    settlers.delete(key);
    current.inflight.delete(key);
    settle(svg);
  };
}

/**
 * Render the given slots (one per missing key, already announced) in one batch and settle each
 * key when done: the SVG, or null when it failed. Writes successes to the cache.
 */
async function renderSlots(
  slots: Slot[],
  sources: string[],
  settle: (key: string, svg: string | null) => void,
  executablePath: string,
  cacheDir: string,
  useCache: boolean,
): Promise<Outcome[]> {
  let outcomes: Outcome[] = [];
  try {
    outcomes = await renderInBrowser(
      slots.map((slot) => ({ id: slot.prefix, source: sources[slot.index] ?? '', theme: MERMAID_THEMES[slot.theme] })),
      executablePath,
      cacheDir,
    );
    for (const [position, slot] of slots.entries()) {
      const outcome = outcomes[position];
      if (!outcome?.ok) continue;
      const svg = sizeSvg(outcome.svg);
      outcomes[position] = { ok: true, svg };
      if (useCache) await writeCache(cacheDir, slot.key, svg);
    }
    return outcomes;
  } finally {
    for (const [position, slot] of slots.entries()) {
      const outcome = outcomes[position];
      settle(slot.key, outcome?.ok ? outcome.svg : null);
    }
  }
}

/** The executable to render with, or null after one warning per process. */
function browserOrWarn(options: RenderOptions): string | null {
  const executablePath = options.executablePath === undefined ? findChromium() : options.executablePath;
  const current = state();
  if (!executablePath && !current.warned) {
    current.warned = true;
    console.warn(WARNING);
  }
  return executablePath;
}

/**
 * Render mermaid sources to inline SVG in both themes. Returns null (after one warning per
 * process) when no Chromium exists and some diagram is not cached; throws when mermaid cannot
 * render a diagram, naming it. Ids inside each SVG start with `r2p-<hash of source>-l|d`, so the
 * light and dark copies, and different diagrams, never share an id; the same source twice in one
 * call gets `-2`, `-3`... suffixes. A diagram another call is rendering (prerenderMermaid()) is
 * awaited, not rendered twice.
 */
export async function renderMermaid(sources: string[], options: RenderOptions = {}): Promise<RenderedDiagram[] | null> {
  if (sources.length === 0) return [];
  const current = state();
  if (process.env.R2P_DIAGRAMS === 'client') {
    if (!current.warned) {
      current.warned = true;
      console.warn('[r2p] R2P_DIAGRAMS=client: diagrams will be rendered in the browser instead of at build time.');
    }
    return null;
  }
  const useCache = options.cache !== false;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const slots = await cachedSlots(sources, cacheDir, useCache);
  current.stats.cached += slots.filter((slot) => slot.svg !== undefined).length;

  // Each pass waits for diagrams in flight elsewhere and renders the rest; a diagram whose
  // render elsewhere failed is rendered here in the next pass, so its error names it.
  for (;;) {
    const open = slots.filter((slot) => slot.svg === undefined);
    if (open.length === 0) break;
    const elsewhere = [...new Set(open.map((slot) => slot.key))].filter((key) => current.inflight.has(key));
    if (elsewhere.length > 0) {
      const done = new Map<string, string | null>();
      await Promise.all(elsewhere.map(async (key) => done.set(key, (await current.inflight.get(key)) ?? null)));
      for (const slot of open) {
        const svg = done.get(slot.key);
        if (svg) slot.svg = svg;
      }
      continue;
    }
    // Render each missing (source, theme) once, even when a source repeats.
    const missing = new Map<string, Slot>();
    for (const slot of slots.filter((slot) => slot.svg === undefined).sort(byTheme)) {
      if (!missing.has(slot.key)) missing.set(slot.key, slot);
    }
    const executablePath = browserOrWarn(options);
    if (!executablePath) return null;
    const batch = [...missing.values()];
    const outcomes = await renderSlots(batch, sources, announce(batch), executablePath, cacheDir, useCache);

    const failures: string[] = [];
    const reported = new Set<number>();
    for (const [position, slot] of batch.entries()) {
      const outcome = outcomes[position];
      if (!outcome || !outcome.ok) {
        if (reported.has(slot.index)) continue;
        reported.add(slot.index);
        const source = sources[slot.index] ?? '';
        const message = outcome ? outcome.message : 'no result';
        failures.push(
          `Mermaid could not render ${describe(source, options.labels?.[slot.index], slot.index)}: ${message.trim()}${offendingLine(source, message)}`,
        );
        continue;
      }
      current.stats.rendered += 1;
      for (const other of slots) if (other.key === slot.key) other.svg = outcome.svg;
    }
    if (failures.length) throw new Error(`[r2p] ${failures.join('\n')}`);
  }

  const seen = new Map<string, number>();
  const results: RenderedDiagram[] = sources.map(() => ({ light: '', dark: '' }));
  for (const slot of slots) {
    const n = seen.get(slot.prefix) ?? 0;
    seen.set(slot.prefix, n + 1);
    const result = results[slot.index];
    if (result && slot.svg !== undefined) result[slot.theme] = withSuffix(slot.svg, slot.prefix, n);
  }
  return results;
}

/** How many sources prerenderMermaid() puts into one batch (one page round trip). */
export const PRERENDER_BATCH = 4;

/**
 * Start rendering diagrams that a later renderMermaid() call will ask for (the build calls it
 * with every study's diagrams when it starts). Skips cached and in-flight diagrams, renders the
 * rest in batches of PRERENDER_BATCH sources (light, then dark) spread over the pages, and
 * resolves with the number of SVGs rendered. It never throws: a diagram that fails is left to
 * the renderMermaid() call that needs it, which renders it again and reports the error with its
 * name. Without Chromium it does nothing (renderMermaid() will warn).
 */
export async function prerenderMermaid(sources: string[], options: RenderOptions = {}): Promise<number> {
  if (sources.length === 0 || process.env.R2P_DIAGRAMS === 'client') return 0;
  const executablePath = options.executablePath === undefined ? findChromium() : options.executablePath;
  if (!executablePath) return 0;
  const useCache = options.cache !== false;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const current = state();
  const slots = await cachedSlots(sources, cacheDir, useCache);
  const todo = new Map<string, Slot>();
  for (const slot of slots) if (slot.svg === undefined && !current.inflight.has(slot.key) && !todo.has(slot.key)) todo.set(slot.key, slot);
  const pending = [...todo.values()];
  const batches: Slot[][] = [];
  for (let start = 0; start < pending.length; start += PRERENDER_BATCH * 2) {
    batches.push(pending.slice(start, start + PRERENDER_BATCH * 2).sort(byTheme));
  }
  // Announce every key now, so a page waits for a batch that has not started yet.
  const settle = announce(pending);
  const results = await Promise.all(
    batches.map(async (batch) => {
      try {
        const outcomes = await renderSlots(batch, sources, settle, executablePath, cacheDir, useCache);
        return outcomes.filter((outcome) => outcome.ok).length;
      } catch {
        return 0; // renderSlots settled the batch with null; the pages render and report it
      }
    }),
  );
  const rendered = results.reduce((sum, count) => sum + count, 0);
  current.stats.prerendered += rendered;
  return rendered;
}

/** True when build-time rendering is possible here (a Chromium exists). */
export function canRenderAtBuildTime(): boolean {
  try {
    return findChromium() !== null;
  } catch {
    return false;
  }
}
