/**
 * Cold start: navigation to the first result, per demo, on WASM, as a new reader gets it.
 * For every stage page of the built site (dist/demo/<study>/), in a fresh browser context
 * (empty HTTP cache and Cache API: "cold"), then again in the same context ("warm": models from
 * the Cache API, scripts and runtime revalidated), the page opens with ?backend=wasm&autorun=1
 * on its preselected sample(s). The time is the page's own clock (performance.now(), zero at
 * navigation start) when data-state first becomes "done". Bytes are counted from the files the
 * server sent (sizes on disk of every 200 response before the first result), because requests
 * made by the inference worker report no body size. Service workers are blocked so the offline
 * precache cannot compete with the demo (it is opt-in on stage pages).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext } from 'playwright-core';
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

function fileSize(distDir: string, pathname: string): number {
  let path = join(distDir, decodeURIComponent(pathname));
  if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
  if (!existsSync(path) && existsSync(`${path}.html`)) path = `${path}.html`;
  return existsSync(path) ? statSync(path).size : 0;
}

async function visit(context: BrowserContext, url: string, distDir: string): Promise<Visit> {
  const page = await context.newPage();
  const sent: string[] = [];
  let done = false;
  const origin = new URL(url).origin;
  const onResponse = (response: { status(): number; url(): string }) => {
    if (!done && response.status() === 200 && response.url().startsWith(origin)) sent.push(new URL(response.url()).pathname);
  };
  context.on('response', onResponse);
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
      {
        timeout: 300_000,
      },
    );
    const first = (await handle.jsonValue()) as { ms: number; state: string };
    done = true;
    if (first.state !== 'done') throw new Error(`${url} ended in error: ${await page.locator('[data-error]').textContent()}`);
    const files = [...new Set(sent)];
    return { ms: first.ms, bytes: files.reduce((sum, path) => sum + fileSize(distDir, path), 0), files };
  } finally {
    context.off('response', onResponse);
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
  for (const study of studies.sort()) {
    const url = `${context.baseUrl}/demo/${study}/?backend=wasm&autorun=1`;
    const cold: Visit[] = [];
    const warm: Visit[] = [];
    for (let i = 0; i < repeats; i++) {
      const browserContext = await context.browser.newContext({ serviceWorkers: 'block' });
      try {
        cold.push(await visit(browserContext, url, distDir));
        warm.push(await visit(browserContext, url, distDir));
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
  return { ...SECTION, rows, notes };
}
