/**
 * Cold start: navigation to the first result, per demo, on WASM, as a new reader gets it.
 * For every stage page of the built site (dist/demo/<study>/), in a fresh browser context
 * (empty HTTP cache and Cache API: "cold"), then again in the same context ("warm": models from
 * the Cache API, scripts and runtime revalidated), the page opens with ?backend=wasm&autorun=1
 * on its preselected sample(s). The time is the page's own clock (performance.now(), zero at
 * navigation start) when data-state first becomes "done". Bytes are counted where they are
 * sent: this section serves the site itself (as scripts/static-server.ts does, with the
 * isolation headers) and adds up the Content-Length of every 200 response until the first
 * result, because requests made by the inference worker report no body size to the browser's
 * tools; a revalidated file (304) counts nothing. Service workers are blocked so the offline
 * precache cannot compete with the demo.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import sirv from 'sirv';
import { ISOLATION_HEADERS } from '../../src/integrations/r2p.ts';
import { stats, type BenchContext, type BenchRow, type BenchSection } from './types.ts';

const SECTION = { id: 'coldstart', title: 'Cold start: navigation to first result (WASM)' };
/** The figures of issue 13, measured before this change on the same machine (WASM, built site). */
export const BEFORE: Record<string, { from: number; to: number }> = {
  'resnet-34': { from: 24_000, to: 33_000 },
  facenet: { from: 27_000, to: 51_000 },
  mtcnn: { from: 7_000, to: 11_000 },
};
/** Targets of issue 13 (quiet machine). */
export const TARGET: Record<string, number> = { 'resnet-34': 8_000, facenet: 8_000, mtcnn: 4_000 };

interface Visit {
  ms: number;
  bytes: number;
  files: string[];
}

/** The built site on 127.0.0.1, counting the body bytes of every 200 response by path. */
async function startCountingServer(distDir: string) {
  const sent = new Map<string, number>();
  const serve = sirv(distDir, {
    dev: false,
    etag: true,
    extensions: ['html'],
    setHeaders(response, path) {
      for (const [name, value] of Object.entries(ISOLATION_HEADERS)) response.setHeader(name, value);
      if (path.endsWith('.wasm')) response.setHeader('Content-Type', 'application/wasm');
      if (path.endsWith('.mjs')) response.setHeader('Content-Type', 'text/javascript');
    },
  });
  const server = createServer((request, response) => {
    response.on('finish', () => {
      if (response.statusCode !== 200) return;
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      sent.set(path, (sent.get(path) ?? 0) + Number(response.getHeader('content-length') ?? 0));
    });
    serve(request, response, () => {
      response.statusCode = 404;
      response.end('Not found');
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Bytes and paths sent since the last call. */
    take(): { bytes: number; files: string[] } {
      const files = [...sent.keys()];
      const bytes = [...sent.values()].reduce((sum, value) => sum + value, 0);
      sent.clear();
      return { bytes, files };
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

type CountingServer = Awaited<ReturnType<typeof startCountingServer>>;

async function visit(context: BrowserContext, url: string, server: CountingServer): Promise<Visit> {
  const page = await context.newPage();
  server.take();
  try {
    await page.addInitScript(() => {
      const record = () => {
        const root = document.querySelector<HTMLElement>('[data-demo]');
        const state = root?.dataset.state;
        const w = window as unknown as { __firstResult?: { ms: number; state: string } };
        if (!w.__firstResult && (state === 'done' || state === 'error')) w.__firstResult = { ms: performance.now(), state };
      };
      new MutationObserver(record).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-state'] });
    });
    await page.goto(url);
    const handle = await page.waitForFunction(
      () => (window as unknown as { __firstResult?: { ms: number; state: string } }).__firstResult,
      null,
      { timeout: 300_000 },
    );
    const first = (await handle.jsonValue()) as { ms: number; state: string };
    const { bytes, files } = server.take();
    if (first.state !== 'done') throw new Error(`${url} ended in error: ${await page.locator('[data-error]').textContent()}`);
    return { ms: first.ms, bytes, files };
  } finally {
    await page.close();
  }
}

const seconds = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export default async function coldStartBench(context: BenchContext): Promise<BenchSection> {
  const distDir = resolve(process.env.R2P_OUT_DIR ?? 'dist');
  const studies = readdirSync(join(distDir, 'demo')).filter((name) => existsSync(join(distDir, 'demo', name, 'index.html')));
  const repeats = context.quick ? 1 : 3;
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const server = await startCountingServer(distDir);
  /** Runtime files sent in full again on a warm visit. */
  const resent = new Set<string>();
  try {
    for (const study of studies.sort()) {
      const url = `${server.url}/demo/${study}/?backend=wasm&autorun=1`;
      const cold: Visit[] = [];
      const warm: Visit[] = [];
      for (let i = 0; i < repeats; i++) {
        const browserContext = await context.browser.newContext({ serviceWorkers: 'block' });
        try {
          cold.push(await visit(browserContext, url, server));
          warm.push(await visit(browserContext, url, server));
        } finally {
          await browserContext.close();
        }
      }
      const coldStats = stats(cold.map((v) => v.ms));
      const warmStats = stats(warm.map((v) => v.ms));
      const coldBytes = stats(cold.map((v) => v.bytes)).median ?? 0;
      const warmBytes = stats(warm.map((v) => v.bytes)).median ?? 0;
      const before = BEFORE[study];
      rows.push({
        model: study,
        backend: 'wasm',
        threads: null,
        metric: 'navigation → first result, cold cache',
        coldMs: coldStats.median,
        warmMedianMs: coldStats.median,
        warmP95Ms: coldStats.p95,
        runs: cold.length,
        notes: `${megabytes(coldBytes)} transferred${before ? `; before this change ${seconds(before.from)}–${seconds(before.to)}` : ''}`,
        coldStart: { cache: 'cold', bytes: coldBytes, beforeMs: before ? [before.from, before.to] : undefined, targetMs: TARGET[study] },
      });
      rows.push({
        model: study,
        backend: 'wasm',
        threads: null,
        metric: 'navigation → first result, warm cache',
        coldMs: warmStats.median,
        warmMedianMs: warmStats.median,
        warmP95Ms: warmStats.p95,
        runs: warm.length,
        notes: `${megabytes(warmBytes)} transferred`,
        coldStart: { cache: 'warm', bytes: warmBytes },
      });
      for (const path of warm.flatMap((v) => v.files)) if (path.startsWith('/ort/')) resent.add(path);
      const heavy = [...new Set(cold.flatMap((v) => v.files))].filter((path) => /asyncify|jsep|jspi/.test(path));
      const target = TARGET[study];
      notes.push(
        `${study}: cold ${seconds(coldStats.median)} (${megabytes(coldBytes)}), warm ${seconds(warmStats.median)} (${megabytes(warmBytes)})` +
          (before ? `; before: ${seconds(before.from)}–${seconds(before.to)}` : '') +
          (target
            ? `; target ≤ ${seconds(target)} cold: ${coldStats.median !== null && coldStats.median <= target ? 'met' : 'not met'}`
            : '') +
          `; WebGPU runtime fetched before the first result: ${heavy.length === 0 ? 'none' : heavy.join(', ')}.`,
      );
      context.log(
        `  ${study}: cold ${seconds(coldStats.median)} ${megabytes(coldBytes)}, warm ${seconds(warmStats.median)} ${megabytes(warmBytes)}`,
      );
    }
    if (resent.size > 0) {
      notes.push(
        `Sent again on warm visits: ${[...resent].join(', ')}. The bench's browser contexts are incognito, with an in-memory HTTP cache that appears not to keep files this large (the server sends ETag and Last-Modified); a reader's disk cache would revalidate them (304, no body), and the offline service worker serves them itself.`,
      );
    }
  } finally {
    await server.close();
  }
  return { ...SECTION, rows, notes };
}
