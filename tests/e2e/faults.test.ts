/**
 * Fault injection against the built site, in Chromium, through tests/helpers/fault-server.ts:
 * hosts that answer the wrong thing, and what the site must do about it (issue 14).
 * 1. A single-page-app host answers a missing ORT .wasm with 200 + index.html: the offline
 *    precache refuses it and says so (never "Available offline"), and once the file is back a
 *    reload works: no poisoned copy survives, neither in the worker's cache nor via the HTTP cache.
 * 2. A host sending Last-Modified and no Cache-Control serves a corrupt model: once the file is
 *    fixed, a reload gets the good bytes (the HTTP cache does not keep the corrupt ones).
 * 4. A connection dropped midway through a model download: the message names the model, the
 *    bytes received of the total and what to do; nothing partial is cached; Run then works.
 * 7. The Content-Security-Policy (header and meta) is present, enforced, and no page of the
 *    sitemap and no demo run (WASM) breaks it.
 * 8. A decompression-bomb PNG (30000² in a few bytes) is refused as too large before decoding.
 * Every test uses a fresh server and a fresh browser context (own caches, own service worker).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ORT_RUNTIME_FILES } from '../../src/integrations/r2p.ts';
import { MODEL_CACHE_NAME, OFFLINE_CACHE_PREFIX, pinnedModelUrl } from '../../src/site/offline.ts';
import { getModel } from '../../src/models/catalog.ts';
import { demoReady, demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { startFaultServer, type FaultServer } from '../helpers/fault-server.ts';
import { requireModels } from '../helpers/models.ts';
import { sitemapPaths } from '../helpers/site.ts';

const distDir = inject('distDir');
const mtcnnReady = requireModels('mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');
const MTCNN_RUN = '/demo/mtcnn/?sample=astronaut&backend=wasm&autorun=1';
const ONET = getModel('mtcnn-onet');
const ONET_PATH = `/models/${ONET.file}`;
/** localStorage key of the speaker's offline opt-in (OFFLINE_OPT_IN_KEY in src/site/offline.ts; a unit test keeps them equal). */
const OPT_IN_KEY = 'r2p-offline';

interface Face {
  box: { x1: number; y1: number; x2: number; y2: number };
  score: number;
}
interface DemoResult {
  backend?: string;
  image?: string;
  faces?: Face[];
  error?: string;
}

/** Wait until a demo settles and return its state and data-result (no throw on error). */
async function settled(
  page: Page,
  selector = '[data-demo]',
  timeout = 300_000,
): Promise<{ state: string; result: DemoResult; errorText: string }> {
  const root = page.locator(selector).first();
  await root.and(page.locator('[data-state="done"], [data-state="error"]')).waitFor({ timeout });
  return {
    state: (await root.getAttribute('data-state')) ?? '',
    result: JSON.parse((await root.getAttribute('data-result')) ?? '{}') as DemoResult,
    errorText: (await root.locator('[data-error]').first().textContent()) ?? '',
  };
}

/** Wait for the offline line to reach a final state and return it with its text. */
async function offlineOutcome(page: Page): Promise<{ state: string; text: string }> {
  const status = page.locator('[data-offline]');
  await page
    .locator(['ready', 'error', 'unsupported'].map((state) => `[data-offline][data-offline-state="${state}"]`).join(', '))
    .waitFor({ timeout: 300_000 });
  return { state: (await status.getAttribute('data-offline-state')) ?? '', text: (await status.textContent()) ?? '' };
}

/** URLs (path and query) stored in the page's caches: the versioned offline cache and the model cache. */
function cachedUrls(page: Page): Promise<{ offline: string[]; models: string[] }> {
  return page.evaluate(
    async ([prefix, modelCache]) => {
      const keys = async (name: string) =>
        (await (await caches.open(name)).keys()).map((request) => new URL(request.url).pathname + new URL(request.url).search);
      const names = (await caches.keys()).filter((name) => name.startsWith(prefix!));
      const offline = (await Promise.all(names.map(keys))).flat();
      return { offline, models: await keys(modelCache!) };
    },
    [OFFLINE_CACHE_PREFIX, MODEL_CACHE_NAME],
  );
}

describe('fault injection', () => {
  let browser: Browser;
  const servers: FaultServer[] = [];
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
    await Promise.all(servers.map((server) => server.close()));
    await browser?.close();
  });

  async function serve(switches: Parameters<typeof startFaultServer>[1] = {}): Promise<FaultServer> {
    const server = await startFaultServer(distDir, switches);
    servers.push(server);
    return server;
  }
  /** A fresh context; optIn: the speaker already chose "Make available offline" on this browser. */
  async function freshContext(options: { optIn?: boolean } = {}): Promise<BrowserContext> {
    const context = await browser.newContext();
    contexts.push(context);
    if (options.optIn) await context.addInitScript((key) => localStorage.setItem(key, 'on'), OPT_IN_KEY);
    return context;
  }

  it.runIf(mtcnnReady)(
    '14.1: an HTML page served for a missing ORT .wasm is refused by the precache, and a reload after the fix works',
    async () => {
      const server = await serve({ spaFallback: true });
      // The WebAssembly files the runtime loads (whatever ORT_RUNTIME_FILES lists), as the host lost them.
      const wasmFiles = ORT_RUNTIME_FILES.filter((name) => name.endsWith('.wasm')).map((name) => `/ort/${name}`);
      expect(wasmFiles.length).toBeGreaterThan(0);
      wasmFiles.forEach((path) => server.remove(path));
      // The fallback really is a 200 HTML page.
      const answer = await fetch(`${server.url}${wasmFiles[0]}`);
      expect([answer.status, answer.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);

      const context = await freshContext({ optIn: true });
      const { page } = await openPage(context, server.url);
      await page.goto(`${server.url}${MTCNN_RUN}`);
      const broken = await settled(page);
      expect(broken.state).toBe('error');
      const offline = await offlineOutcome(page);
      expect(offline.state, offline.text).toBe('error');
      expect(offline.text).not.toMatch(/Available offline/);
      expect(offline.text).toMatch(/the server sent an HTML page/);
      expect(offline.text).toContain('/ort/');
      console.log(`[faults] 14.1 demo: ${broken.errorText.slice(0, 160)} | offline line: ${offline.text.trim()}`);
      const stored = await cachedUrls(page);
      for (const path of wasmFiles) expect(stored.offline).not.toContain(path);

      // The host is fixed; a reload runs the demo and the precache completes.
      wasmFiles.forEach((path) => server.restore(path));
      await page.reload();
      const fixed = await settled(page);
      expect(fixed.state, fixed.errorText).toBe('done');
      expect(fixed.result.faces).toHaveLength(1);
      const after = await offlineOutcome(page);
      expect(after.state, after.text).toBe('ready');
      expect((await cachedUrls(page)).offline).toEqual(expect.arrayContaining(wasmFiles));
    },
  );

  it.runIf(mtcnnReady)(
    '14.2: a model fixed on a Last-Modified host is used after a reload (the HTTP cache does not keep the corrupt bytes)',
    async () => {
      const server = await serve({ lastModified: true });
      server.corrupt(ONET_PATH);
      const context = await freshContext();
      const { page } = await openPage(context, server.url);
      await page.goto(`${server.url}${MTCNN_RUN}`);
      const corrupt = await settled(page);
      expect(corrupt.state).toBe('error');
      expect(corrupt.errorText).toMatch(/Refused model mtcnn-onet/);
      expect((await cachedUrls(page)).models).not.toContain(pinnedModelUrl(ONET));

      server.restore(ONET_PATH);
      await page.reload();
      const fixed = await settled(page);
      expect(fixed.state, fixed.errorText).toBe('done');
      expect(fixed.result.faces).toHaveLength(1);
      expect((await cachedUrls(page)).models).toContain(pinnedModelUrl(ONET));
      // The fix reached the browser by revalidation, not by luck: the server saw the model asked for again.
      expect(server.log.filter((entry) => entry.path === ONET_PATH).length).toBeGreaterThanOrEqual(2);
    },
  );

  it.runIf(mtcnnReady)(
    '14.2: a fix that keeps the old Last-Modified (copied with cp -p) is picked up too: one retry past the HTTP cache',
    async () => {
      const server = await serve({ lastModified: true });
      const stamp = new Date(Date.UTC(2021, 5, 1));
      server.corrupt(ONET_PATH, stamp);
      const context = await freshContext();
      const { page } = await openPage(context, server.url);
      await page.goto(`${server.url}${MTCNN_RUN}`);
      expect((await settled(page)).state).toBe('error');

      // Same Last-Modified: a revalidation alone gets 304 and the corrupt copy; only a reload gets the fix.
      server.restore(ONET_PATH, stamp);
      await page.reload();
      const fixed = await settled(page);
      expect(fixed.state, fixed.errorText).toBe('done');
      expect(fixed.result.faces).toHaveLength(1);
      expect(server.log.filter((entry) => entry.path === ONET_PATH).map((entry) => entry.status)).toContain(304);
    },
  );

  it.runIf(mtcnnReady)('14.4: a download cut off midway names the model, the bytes received of the total and what to do', async () => {
    const server = await serve();
    const cutAt = 400_000;
    server.dropAfter(ONET_PATH, cutAt);
    const context = await freshContext();
    const { page } = await openPage(context, server.url);
    await page.goto(`${server.url}${MTCNN_RUN}`);
    const cut = await settled(page);
    expect(cut.state).toBe('error');
    expect(cut.errorText).toMatch(/mtcnn-onet/);
    // The bytes the page saw: at most what the server sent before it cut (Chromium may hold back the
    // last chunks of a broken connection, more so on a loaded machine), of the whole file's size.
    const received = new RegExp(`stopped after ([\\d.]+) (kB|MB) of ${(ONET.bytes! / 1e6).toFixed(1)} MB`).exec(cut.errorText);
    expect(received, cut.errorText).not.toBeNull();
    expect(Number(received![1]) * (received![2] === 'MB' ? 1e6 : 1e3)).toBeLessThanOrEqual(cutAt + 50_000);
    expect(cut.errorText).toMatch(/Check the connection/);
    expect(cut.errorText).toMatch(/try again/i);
    expect(cut.result.error).toBe(cut.errorText);
    expect((await cachedUrls(page)).models).not.toContain(pinnedModelUrl(ONET));

    // The connection is back: Run (no reload) downloads it whole.
    server.dropAfter(ONET_PATH, null);
    await page.locator('[data-demo] [data-run]:not([disabled])').first().click();
    await page.waitForFunction(() => document.querySelector('[data-demo]')?.getAttribute('data-state') !== 'error', null, {
      timeout: 30_000,
    });
    const retried = await demoResult<DemoResult>(page);
    expect(retried.faces).toHaveLength(1);
    expect((await cachedUrls(page)).models).toContain(pinnedModelUrl(ONET));
  });

  it.runIf(mtcnnReady)('14.8: a decompression-bomb PNG is refused as too large before decoding', async () => {
    const server = await serve();
    const context = await freshContext();
    const { page } = await openPage(context, server.url);
    await page.goto(`${server.url}/demo/mtcnn/`);
    await demoReady(page);
    // A real PNG signature and IHDR claiming 30000x30000, then a tiny truncated body: 900 megapixels on paper.
    const png = readFileSync(join(distDir, 'samples', 'camera.png'));
    const bomb = Buffer.from(png.subarray(0, 64));
    bomb.writeUInt32BE(30000, 16);
    bomb.writeUInt32BE(30000, 20);
    await page
      .locator('[data-demo] input[type="file"][data-file]')
      .first()
      .setInputFiles({ name: 'bomb.png', mimeType: 'image/png', buffer: bomb });
    const error = page.locator('[data-demo] [data-error]').first();
    await error.waitFor({ state: 'visible', timeout: 30_000 });
    await expect(error.textContent()).resolves.toMatch(/"bomb.png" is too large to open here: 30000x30000 pixels \(900 megapixels\)/);
  });

  describe('14.7: Content-Security-Policy', () => {
    /** Record CSP violations (events and console reports) from before the first script runs. */
    async function watchCsp(context: BrowserContext): Promise<(page: Page) => Promise<string[]>> {
      await context.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
        document.addEventListener('securitypolicyviolation', (event) =>
          seen.push(`${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`),
        );
      });
      return (page) => page.evaluate(() => [...(window as unknown as { __cspViolations: string[] }).__cspViolations]);
    }
    const cspConsole = (errors: string[]) =>
      errors.filter((text) => /Content Security Policy|Refused to (load|execute|apply|compile|create|connect)/i.test(text));

    it('ships the policy in the header and as the first <meta> of every page, with the directives asked for', async () => {
      const server = await serve();
      const paths = await sitemapPaths(server.url);
      expect(paths.length).toBeGreaterThan(5);
      for (const path of [...paths, '/demo/mtcnn/', '/404.html']) {
        const response = await fetch(`${server.url}${path}`);
        const header = response.headers.get('content-security-policy') ?? '';
        const html = await response.text();
        const meta =
          html.match(/<head>\s*<meta charset="utf-8"\s*\/?>\s*<meta http-equiv="Content-Security-Policy" content="([^"]+)"/i)?.[1] ?? '';
        for (const policy of [header, meta.replace(/&quot;/g, '"').replace(/&amp;/g, '&')]) {
          expect(policy, path).toMatch(/(^|; )default-src 'self'(;|$)/);
          expect(policy, path).toMatch(/(^|; )script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')*(;|$)/);
          expect(policy, path).toMatch(/(^|; )worker-src 'self' blob:(;|$)/);
          expect(policy, path).toMatch(/(^|; )img-src 'self' data: blob:(;|$)/);
          expect(policy, path).toMatch(/(^|; )connect-src 'self'(;|$)/);
          expect(policy, path).toMatch(/(^|; )object-src 'none'(;|$)/);
          expect(policy, path).toMatch(/(^|; )base-uri 'self'(;|$)/);
        }
      }
    });

    it('is enforced: an injected inline script is blocked and reported', async () => {
      const server = await serve();
      const context = await freshContext();
      const violations = await watchCsp(context);
      const { page } = await openPage(context, server.url);
      await page.goto(`${server.url}/`);
      const ran = await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = '(window).__injected = true;';
        document.head.append(script);
        return (window as unknown as { __injected?: boolean }).__injected === true;
      });
      expect(ran).toBe(false);
      // Reported once per policy: the header's and the meta's are both enforced.
      const blocked = expect.stringMatching(/^script-src(-elem)? blocked inline/);
      await expect.poll(() => violations(page)).toEqual([blocked, blocked]);
    });

    it('no page of the sitemap and no WASM demo run breaks it', async () => {
      const server = await serve();
      const context = await freshContext();
      const violations = await watchCsp(context);
      const { page, problems } = await openPage(context, server.url);
      const report: string[] = [];
      const paths = await sitemapPaths(server.url);
      for (const path of paths) {
        await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
        report.push(...(await violations(page)).map((text) => `${path}: ${text}`));
      }
      // The theme toggle and the search (Pagefind's WebAssembly) on the home page.
      await page.goto(`${server.url}/`, { waitUntil: 'networkidle' });
      await page.locator('[data-theme-toggle]').first().click();
      const search = page.locator('[data-search-input]').first();
      if (await search.isVisible()) {
        await search.fill('residual');
        await page.locator('[data-search-panel] a, [data-search-results] a').first().waitFor({ timeout: 60_000 });
      }
      report.push(...(await violations(page)).map((text) => `/ (theme, search): ${text}`));
      const runs = [
        ['/demo/mtcnn/?sample=astronaut&backend=wasm&autorun=1', requireModels('mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet')],
        ['/demo/resnet-34/?sample=chelsea&backend=wasm&autorun=1', requireModels('resnet50-keras-imagenet', 'imagenet-labels')],
        ['/demo/facenet/?a=astronaut&b=camera&backend=wasm&autorun=1', requireModels('dlib-face-resnet-v1', 'mtcnn-pnet')],
      ] as const;
      for (const [path, ready] of runs) {
        if (!ready) continue;
        await page.goto(`${server.url}${path}`);
        const outcome = await settled(page);
        expect(outcome.state, `${path}: ${outcome.errorText}`).toBe('done');
        report.push(...(await violations(page)).map((text) => `${path}: ${text}`));
      }
      report.push(...cspConsole(problems.consoleErrors));
      expect(report).toEqual([]);
    });
  });
});
