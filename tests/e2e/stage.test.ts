/**
 * Stage mode end to end, in Chromium:
 * 1. Offline, on request: opening a stage page downloads nothing for offline use; it offers
 *    "Make available offline (N MB)". Once asked (the choice is remembered), a page visited once
 *    (autorun), with "Available offline" reported by the service worker, reloads and runs again
 *    with the server stopped and the browser offline, giving the same result (MTCNN, then ResNet
 *    with its 100 MB model).
 * 2. The service worker never serves a cached model whose sha256 the catalog does not list: it
 *    deletes such entries on activation and refuses them on request. A new deployment takes
 *    over: the old version's cache is deleted, the models are kept.
 * 3. Keys: s picks the next sample (and runs on it), b toggles the backend, space runs; the QR
 *    code encodes the demo's short address without its query (checked module by module against
 *    the qrcode package's matrix).
 * 4. The speakers page lists every demo and every study section, and every listed URL resolves.
 * The offline tests serve the build on their own port so they can really stop the server.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { darkModules } from '../helpers/qr.ts';
import { startStaticServer, type StaticServer } from '../../scripts/static-server.ts';
import { MODEL_CACHE_NAME, OFFLINE_CACHE_PREFIX, pinnedModelUrl } from '../../src/site/offline.ts';
import { getModel } from '../../src/models/catalog.ts';
import { demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { requireModels } from '../helpers/models.ts';

const baseUrl = inject('baseUrl');
const distDir = inject('distDir');
const mtcnnReady = requireModels('mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');
const resnetReady = requireModels('resnet50-keras-imagenet', 'imagenet-labels');

interface Face {
  box: { x1: number; y1: number; x2: number; y2: number };
  score: number;
  landmarks: [number, number][];
}
interface DemoResult {
  backend: string;
  image?: string;
  faces?: Face[];
  top5?: { index: number; label: string; probability: number }[];
  timings: { fromCache: boolean; downloadMs: number };
}

const seconds = (since: number) => Number(((Date.now() - since) / 1000).toFixed(1));

describe('the built site has a service worker', () => {
  it('writes /sw.js with a manifest (add serviceWorker() to astro.config.mjs)', () => {
    expect(existsSync(join(distDir, 'sw.js')), `${distDir}/sw.js`).toBe(true);
    expect(readFileSync(join(distDir, 'sw.js'), 'utf8')).toMatch(/"version": "[0-9a-f]{16}"/);
  });
});

describe('offline stage mode', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** The speaker's "Make available offline" choice, remembered in localStorage (see ServiceWorker.astro). */
  const OPT_IN_KEY = 'r2p-offline';

  /** Ask for the demo to be kept offline with the button the page offers; returns the size it announced, in MB. */
  async function makeAvailableOffline(page: Page): Promise<number> {
    await page.locator('[data-offline][data-offline-state="available"]').waitFor({ timeout: 60_000 });
    const button = page.locator('[data-offline] [data-offline-action]');
    const label = (await button.textContent()) ?? '';
    expect(label).toMatch(/^Make available offline \(\d+ MB\)$/);
    await button.click();
    return Number(label.match(/\((\d+) MB\)/)![1]);
  }

  /** Wait until the page's offline status says the demo is stored; returns its size in bytes. */
  async function waitAvailableOffline(page: Page): Promise<number> {
    const status = page.locator('[data-offline]');
    await page
      .locator(['ready', 'error', 'unsupported'].map((state) => `[data-offline][data-offline-state="${state}"]`).join(', '))
      .waitFor({ timeout: 300_000 });
    expect(await status.getAttribute('data-offline-state'), (await status.textContent()) ?? '').toBe('ready');
    await expect(status.textContent()).resolves.toMatch(/Available offline/);
    return Number(await status.getAttribute('data-offline-bytes'));
  }

  /**
   * Visit a stage page with autorun, wait for the result and for the demo to be stored, then
   * stop the server, cut the network, reload, and return both results.
   */
  async function visitThenReloadOffline(path: string, selector: string) {
    const server = await startStaticServer(distDir);
    const context = await browser.newContext();
    try {
      const { page, problems } = await openPage(context, server.url);
      const started = Date.now();
      await page.goto(`${server.url}${path}`);
      const online = await demoResult<DemoResult>(page, selector);
      const firstRunSeconds = seconds(started);
      // Nothing is kept for offline use until asked; the demo's own models are already stored by the runtime.
      await makeAvailableOffline(page);
      expect(await page.evaluate((key) => localStorage.getItem(key), OPT_IN_KEY)).toBe('on');
      const bytes = await waitAvailableOffline(page);
      const availableSeconds = seconds(started);
      expect(problems.consoleErrors).toEqual([]);
      expect(problems.failedResponses).toEqual([]);

      // Offline for real: the server is gone and the browser has no network.
      await context.setOffline(true);
      server.server.closeAllConnections();
      await server.close();
      const reloaded = Date.now();
      await page.reload();
      const offline = await demoResult<DemoResult>(page, selector);
      const offlineSeconds = seconds(reloaded);
      console.log(
        `[stage] ${path}: first visit ran in ${firstRunSeconds} s, available offline after ${availableSeconds} s (${(bytes / 1e6).toFixed(1)} MB); ` +
          `offline reload ran in ${offlineSeconds} s (model read ${Math.round(online.timings.downloadMs)} ms online, ${Math.round(offline.timings.downloadMs)} ms offline)`,
      );
      expect(await page.locator('[data-offline]').getAttribute('data-offline-state')).not.toBe('error');
      return { page, context, online, offline, problems };
    } catch (error) {
      await context.close();
      server.server.closeAllConnections();
      await server.close().catch(() => undefined);
      throw error;
    }
  }

  it('opening a stage page downloads nothing for offline use until asked, offers the size, and remembers the choice', async () => {
    const server = await startStaticServer(distDir);
    const context = await browser.newContext();
    try {
      const { page, problems } = await openPage(context, server.url);
      const offlineEntries = (target: Page) =>
        target.evaluate(async () => {
          let count = 0;
          for (const name of (await caches.keys()).filter((cache) => cache.startsWith('r2p-offline-')))
            count += (await (await caches.open(name)).keys()).length;
          return count;
        });
      await page.goto(`${server.url}/demo/mtcnn/`);
      await page.locator('[data-offline][data-offline-state="available"]').waitFor({ timeout: 60_000 });
      // Before the click: nothing kept for offline use (the demo itself may still load its model to run).
      await page.waitForTimeout(1000);
      expect(await offlineEntries(page)).toBe(0);
      const offered = await makeAvailableOffline(page);
      // The size offered is the manifest's (nothing stored yet), as the worker reports it.
      const script = readFileSync(join(distDir, 'sw.js'), 'utf8');
      const manifest = JSON.parse(script.match(/\{\n "version"[\s\S]*?\n\}/)![0]) as { demos: Record<string, { bytes: number }> };
      const manifestBytes = manifest.demos.mtcnn!.bytes;
      expect(manifestBytes).toBeGreaterThan(0);
      // What is left to download: the manifest's total less any model the demo already stored itself.
      const storedModelBytes = await page.evaluate(async (cacheName) => {
        let bytes = 0;
        for (const request of await (await caches.open(cacheName)).keys())
          bytes += (await (await caches.match(request))!.arrayBuffer()).byteLength;
        return bytes;
      }, MODEL_CACHE_NAME);
      expect(offered).toBe(Math.max(1, Math.round((manifestBytes - storedModelBytes) / 1e6)));
      await waitAvailableOffline(page);
      expect(await offlineEntries(page)).toBeGreaterThan(0);
      expect(await page.evaluate((key) => localStorage.getItem(key), OPT_IN_KEY)).toBe('on');
      // Remembered: the next visit keeps the demo without asking again.
      await page.reload();
      await waitAvailableOffline(page);
      await expect(page.locator('[data-offline] [data-offline-action]').isHidden()).resolves.toBe(true);
      expect(problems.consoleErrors).toEqual([]);

      // A browser that never opted in (an audience's phone) downloads nothing for offline use.
      const audience = await browser.newContext();
      try {
        const phone = await audience.newPage();
        await phone.goto(`${server.url}/demo/mtcnn/`);
        await phone.locator('[data-offline][data-offline-state="available"]').waitFor({ timeout: 60_000 });
        await phone.waitForTimeout(1000);
        expect(await offlineEntries(phone)).toBe(0);
        await expect(phone.locator('[data-offline]').getAttribute('data-offline-state')).resolves.toBe('available');
      } finally {
        await audience.close();
      }
    } finally {
      await context.close();
      server.server.closeAllConnections();
      await server.close();
    }
  });

  it.runIf(mtcnnReady)('MTCNN: visit once, then reload and run with no network, same faces', async () => {
    const { page, context, online, offline } = await visitThenReloadOffline(
      '/demo/mtcnn/?sample=astronaut&backend=wasm&autorun=1',
      '[data-demo="face-detection"]',
    );
    try {
      expect(online.backend).toBe('wasm');
      expect(online.faces).toHaveLength(1);
      expect(offline.backend).toBe('wasm');
      expect(offline.image).toBe('astronaut');
      expect(offline.faces).toEqual(online.faces);
      expect(offline.timings.fromCache).toBe(true);
      // Still offline: the next sample and space run too (the sample image comes from the cache).
      await page.keyboard.press('s');
      await page.locator('[data-sample="camera"][aria-pressed="true"]').waitFor();
      await page.keyboard.press(' ');
      await page.waitForFunction(
        () => {
          const root = document.querySelector('[data-demo="face-detection"]');
          return (
            root?.getAttribute('data-state') === 'done' &&
            (JSON.parse(root.getAttribute('data-result') ?? '{}') as { image?: string }).image === 'camera'
          );
        },
        null,
        { timeout: 120_000 },
      );
      const camera = await demoResult<DemoResult>(page, '[data-demo="face-detection"]');
      expect(camera.faces).toHaveLength(1);
    } finally {
      await context.close();
    }
  });

  it.runIf(resnetReady)('ResNet: visit once, then reload and classify with no network, same top-5', async () => {
    const { context, online, offline } = await visitThenReloadOffline(
      '/demo/resnet-34/?sample=chelsea&backend=wasm&autorun=1',
      '[data-demo="image-classification"]',
    );
    try {
      expect(online.top5).toHaveLength(5);
      expect(offline.top5).toEqual(online.top5);
      expect(offline.timings.fromCache).toBe(true);
    } finally {
      await context.close();
    }
  });
});

/** A copy of a build made of hard links (copies across file systems), to redeploy without touching the original. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.name === 'sw.js') copyFileSync(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
}

describe.runIf(mtcnnReady)('service worker lifecycle', () => {
  let browser: Browser;
  let server: StaticServer;
  beforeAll(async () => {
    browser = await launchChromium();
    server = await startStaticServer(distDir);
  });
  afterAll(async () => {
    await browser?.close();
    server?.server.closeAllConnections();
    await server?.close().catch(() => undefined);
  });

  const pnet = getModel('mtcnn-pnet');
  const current = pinnedModelUrl(pnet);
  const bogus = `/models/${pnet.file}?sha256=${'0'.repeat(64)}`;
  // A second unknown pin, never requested over the network (so not in the HTTP cache either).
  const bogusOffline = `/models/${pnet.file}?sha256=${'1'.repeat(64)}`;

  async function putBogus(page: Page, url = bogus): Promise<void> {
    await page.evaluate(
      async ([cacheName, key]) =>
        (await caches.open(cacheName!)).put(
          key!,
          new Response('bogus model bytes', { headers: { 'content-type': 'application/octet-stream' } }),
        ),
      [MODEL_CACHE_NAME, url],
    );
  }
  const cachedModelUrls = (page: Page) =>
    page.evaluate(
      async (cacheName) =>
        (await (await caches.open(cacheName)).keys()).map((request) => new URL(request.url).pathname + new URL(request.url).search),
      MODEL_CACHE_NAME,
    );

  it('deletes a cached model with an unknown sha256 on activation, and refuses one on request', async () => {
    const context: BrowserContext = await browser.newContext();
    // This browser chose "Make available offline" before (a speaker's laptop).
    await context.addInitScript(() => localStorage.setItem('r2p-offline', 'on'));
    try {
      const { page } = await openPage(context, server.url);
      // Before any service worker: a model stored under a pin the catalog does not list.
      await page.goto(`${server.url}/`);
      await putBogus(page);
      expect(await cachedModelUrls(page)).toContain(bogus);

      // The stage page installs the worker; activation deletes the entry. Precaching stores the real one.
      await page.goto(`${server.url}/demo/mtcnn/`);
      await page.locator('[data-offline][data-offline-state="ready"]').waitFor({ timeout: 300_000 });
      const afterActivation = await cachedModelUrls(page);
      expect(afterActivation).not.toContain(bogus);
      expect(afterActivation).toContain(current);
      expect(await page.evaluate(async () => (await caches.keys()).filter((name) => name.startsWith('r2p-offline-')))).toHaveLength(1);
      expect(await page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);

      // Stored again behind the worker's back: a request for it gets the network's bytes, never the cached ones.
      await putBogus(page);
      const answer = await page.evaluate(async (url) => {
        const response = await fetch(url);
        return { status: response.status, bytes: (await response.arrayBuffer()).byteLength };
      }, bogus);
      expect(answer).toEqual({ status: 200, bytes: pnet.bytes });
      expect(await cachedModelUrls(page)).not.toContain(bogus);

      // Offline (server stopped), the same request fails rather than fall back to the bogus entry,
      // while the pinned URL is still answered from the cache.
      await putBogus(page, bogusOffline);
      await context.setOffline(true);
      server.server.closeAllConnections();
      await server.close();
      const offline = await page.evaluate(
        async ([bad, good]) => {
          const outcome = async (url: string) => {
            try {
              const response = await fetch(url);
              return { status: response.status, text: (await response.text()).slice(0, 17) };
            } catch (error) {
              return { status: 0, text: String(error).slice(0, 60) };
            }
          };
          const goodResponse = await fetch(good!);
          return { bad: await outcome(bad!), goodBytes: (await goodResponse.arrayBuffer()).byteLength };
        },
        [bogusOffline, current],
      );
      expect(offline.bad).toEqual({ status: 0, text: expect.stringMatching(/TypeError/) });
      expect(offline.goodBytes).toBe(pnet.bytes);
      expect(await cachedModelUrls(page)).not.toContain(bogusOffline);
    } finally {
      await context.close();
    }
  });

  it("hands over to a new deployment: the old version's cache goes, the models stay", async () => {
    const root = mkdtempSync(join(tmpdir(), 'r2p-sw-update-'));
    linkTree(distDir, root);
    let site = await startStaticServer(root);
    const context = await browser.newContext();
    await context.addInitScript(() => localStorage.setItem('r2p-offline', 'on'));
    try {
      const { page, problems } = await openPage(context, site.url);
      const status = page.locator('[data-offline]');
      await page.goto(`${site.url}/demo/mtcnn/`);
      await page.locator('[data-offline][data-offline-state="ready"]').waitFor({ timeout: 300_000 });
      const first = (await status.getAttribute('data-offline-version'))!;
      expect(await page.evaluate(() => caches.keys())).toEqual(
        expect.arrayContaining([MODEL_CACHE_NAME, `${OFFLINE_CACHE_PREFIX}${first}`]),
      );

      // Redeploy with a new version (sirv keeps ETags, so restart it on the same port).
      const next = 'feedfacefeedface';
      writeFileSync(join(root, 'sw.js'), readFileSync(join(root, 'sw.js'), 'utf8').replaceAll(first, next));
      const port = Number(new URL(site.url).port);
      site.server.closeAllConnections();
      await site.close();
      site = await startStaticServer(root, { port });

      const started = Date.now();
      await page.reload();
      await page.waitForFunction(
        (version) => {
          const element = document.querySelector<HTMLElement>('[data-offline]');
          return element?.dataset.offlineVersion === version && element.dataset.offlineState === 'ready';
        },
        next,
        { timeout: 300_000 },
      );
      console.log(`[stage] a new version took over and stored the demo again in ${seconds(started)} s`);
      // The outgoing worker may still be finishing a job; the old cache must be gone shortly after.
      await expect
        .poll(async () => (await page.evaluate(() => caches.keys())).sort(), { timeout: 15_000 })
        .toEqual([MODEL_CACHE_NAME, `${OFFLINE_CACHE_PREFIX}${next}`].sort());
      expect(await cachedModelUrls(page)).toEqual(
        expect.arrayContaining(['mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet'].map((id) => pinnedModelUrl(getModel(id)))),
      );
      expect(problems.consoleErrors).toEqual([]);
    } finally {
      await context.close();
      site.server.closeAllConnections();
      await site.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps the versioned cache name in step with sw.js', () => {
    const script = readFileSync(join(distDir, 'sw.js'), 'utf8');
    const version = script.match(/"version": "([0-9a-f]{16})"/)?.[1];
    expect(script).toContain(`"cache": "${OFFLINE_CACHE_PREFIX}${version}"`);
    expect(script).toContain(`"modelCache": "${MODEL_CACHE_NAME}"`);
  });
});

describe.runIf(mtcnnReady)('stage keys and QR code', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('s picks and runs the next sample, b toggles the backend, space runs', async () => {
    const context = await browser.newContext();
    try {
      const { page, problems } = await openPage(context, baseUrl);
      await page.goto(`${baseUrl}/demo/mtcnn/?sample=astronaut&backend=wasm`);
      const root = page.locator('[data-demo="face-detection"]');
      await root.locator('[data-sample="astronaut"][aria-pressed="true"]').waitFor();
      await root.locator('[data-run]:not([disabled])').waitFor();
      const backend = () => root.locator('input[name$="-backend"]:checked').getAttribute('value');
      await expect(backend()).resolves.toBe('wasm');

      await page.keyboard.press('s');
      await root.locator('[data-sample="camera"][aria-pressed="true"]').waitFor();
      await expect(root.locator('[data-sample="astronaut"]').getAttribute('aria-pressed')).resolves.toBe('false');
      // Picking a sample runs on it.
      expect((await demoResult<DemoResult>(page, '[data-demo="face-detection"]')).image).toBe('camera');

      await page.keyboard.press('b');
      await expect(backend()).resolves.toBe('webgpu');
      await expect(root.locator('[data-status]').textContent()).resolves.toMatch(/Backend set to WebGPU/);
      await page.keyboard.press('b');
      await expect(backend()).resolves.toBe('wasm');

      const firstRun = JSON.parse((await root.getAttribute('data-result')) ?? '{}') as { run?: number };
      await page.keyboard.press(' ');
      await page.waitForFunction((previous) => {
        const element = document.querySelector('[data-demo="face-detection"]');
        const run = (JSON.parse(element?.getAttribute('data-result') ?? '{}') as { run?: number }).run ?? 0;
        return element?.getAttribute('data-state') === 'done' && run > previous;
      }, firstRun.run ?? 0);
      const result = await demoResult<DemoResult>(page, '[data-demo="face-detection"]');
      expect(result.backend).toBe('wasm');
      expect(result.image).toBe('camera');
      expect(result.faces).toHaveLength(1);
      expect(problems.consoleErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("draws a QR code of the demo's short address, without the page's query", async () => {
    const context = await browser.newContext();
    try {
      const { page } = await openPage(context, baseUrl);
      await page.goto(`${baseUrl}/demo/mtcnn/?sample=camera&backend=wasm`);
      const short = new URL('/demo/mtcnn/', page.url()).href;
      // Served from this test's origin, not the built one: a worker encodes this origin's address
      // and its SVG replaces the built one.
      const redrawn = page.locator(`svg[data-qr][data-qr-text="${short}"]`);
      await redrawn.waitFor({ timeout: 30_000 });
      await expect(page.locator('[data-qr]').count()).resolves.toBe(1);
      await expect(redrawn.getAttribute('role')).resolves.toBe('img');
      await expect(redrawn.getAttribute('aria-label')).resolves.toMatch(/QR code/);
      const { svg, mask } = await page.evaluate(() => ({
        svg: document.querySelector('svg[data-qr]')!.outerHTML,
        mask: Number(document.querySelector<HTMLElement>('[data-qr-mask]')?.dataset.qrMask),
      }));
      // Decode by comparison: the dark modules of the drawn path are exactly the QR matrix of the
      // address. The redraw reuses the built code's mask (any mask is a valid code; the worker
      // skips scoring all 8).
      expect(mask).toBeGreaterThanOrEqual(0);
      expect(mask).toBeLessThanOrEqual(7);
      const strokes = /<path stroke="#000000" d="([^"]+)"/.exec(svg);
      expect(strokes, 'the dark modules path').not.toBeNull();
      const drawn = darkModules(strokes![1]!, 1);
      const qr = QRCode.create(short, { errorCorrectionLevel: 'M', maskPattern: mask as QRCode.QRCodeMaskPattern });
      const expected = new Set<string>();
      for (let row = 0; row < qr.modules.size; row++)
        for (let column = 0; column < qr.modules.size; column++) if (qr.modules.get(row, column)) expected.add(`${row},${column}`);
      expect(drawn.size).toBe(expected.size);
      expect([...drawn].filter((module) => !expected.has(module))).toEqual([]);
      // The module count alone would pass an empty code; a QR code's dark share is near half.
      expect(drawn.size).toBeGreaterThan(qr.modules.size ** 2 * 0.2);
      expect(drawn.size).toBeLessThan(qr.modules.size ** 2 * 0.8);
      await expect(page.locator('[data-qr-url]').textContent()).resolves.toBe(short.replace(/^https?:\/\//, ''));
    } finally {
      await context.close();
    }
  });
});

describe('the speakers page', () => {
  const decode = (value: string) =>
    value
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');

  async function studySlugs(): Promise<string[]> {
    const index = await (await fetch(`${baseUrl}/sitemap-index.xml`)).text();
    const slugs = new Set<string>();
    for (const map of index.matchAll(/<loc>([^<]+)<\/loc>/g)) {
      const xml = await (await fetch(`${baseUrl}${new URL(map[1]!).pathname}`)).text();
      for (const loc of xml.matchAll(/<loc>[^<]*\/studies\/([^/<]+)\/<\/loc>/g)) slugs.add(loc[1]!);
    }
    return [...slugs].sort();
  }

  it('lists every demo and every study section, and every listed URL resolves', async () => {
    const response = await fetch(`${baseUrl}/speakers/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    const listed = [...html.matchAll(/data-copy="([^"]+)"/g)].map((match) => decode(match[1]!));
    expect(new Set(listed).size).toBe(listed.length);

    const slugs = await studySlugs();
    expect(slugs.length).toBeGreaterThanOrEqual(3);
    for (const slug of slugs) {
      expect(listed).toContain(`/demo/${slug}/`);
      expect(listed.some((url) => url.startsWith(`/demo/${slug}/?`) && url.includes('backend=wasm') && url.includes('autorun=1'))).toBe(
        true,
      );
      expect(listed).toContain(`/studies/${slug}/`);
      // Every section in the study's own table of contents.
      const study = await (await fetch(`${baseUrl}/studies/${slug}/`)).text();
      const toc = study.match(/<nav class="toc"[\s\S]*?<\/nav>/)?.[0] ?? '';
      const anchors = [...toc.matchAll(/href="#([^"]+)"/g)].map((match) => decode(match[1]!));
      expect(anchors.length).toBeGreaterThan(5);
      for (const anchor of anchors) expect(listed).toContain(`/studies/${slug}/#${anchor}`);
    }

    const pages = new Map<string, string>();
    for (const url of listed) {
      const [path, hash] = url.split('#') as [string, string | undefined];
      let page = pages.get(path);
      if (page === undefined) {
        const answer = await fetch(`${baseUrl}${path}`);
        expect(answer.status, url).toBe(200);
        page = await answer.text();
        pages.set(path, page);
      }
      if (hash) expect(page.includes(`id="${hash}"`), `${url}: no element with that id`).toBe(true);
    }
  });

  it('copies a link with the Clipboard API and says so, and falls back without it', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
      const { page, problems } = await openPage(context, baseUrl);
      await page.goto(`${baseUrl}/speakers/`);
      const button = page.locator('button[data-copy="/demo/mtcnn/"]');
      await button.click();
      // The copy is asynchronous (the Clipboard API returns a promise): poll for what it says.
      await expect.poll(() => page.locator('[data-copy-status]').textContent()).toBe(`Copied ${baseUrl}/demo/mtcnn/`);
      await expect.poll(() => button.textContent()).toMatch(/Copied/);
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${baseUrl}/demo/mtcnn/`);
      expect(problems.consoleErrors).toEqual([]);

      // Without the Clipboard API: execCommand, or else the address is selected for Ctrl+C.
      const bare = await browser.newContext();
      await bare.addInitScript(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
      const fallback = await bare.newPage();
      await fallback.goto(`${baseUrl}/speakers/`);
      await fallback.locator('button[data-copy="/demo/resnet-34/"]').click();
      await expect.poll(() => fallback.locator('[data-copy-status]').textContent()).not.toBe('');
      const said = (await fallback.locator('[data-copy-status]').textContent()) ?? '';
      if (said.startsWith('Copied')) expect(said).toBe(`Copied ${baseUrl}/demo/resnet-34/`);
      else {
        expect(said).toMatch(/press Ctrl\+C/);
        expect(await fallback.evaluate(() => getSelection()?.toString())).toBe('/demo/resnet-34/');
      }
    } finally {
      await browser.close();
    }
  });
});
