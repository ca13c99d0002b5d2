/**
 * MTCNN benchmark: the face-detection demo in Chromium, end to end and per stage (P-Net,
 * R-Net, O-Net), on WASM (threaded with cross-origin isolation, and one thread without) and
 * WebGPU, for a 512x512 image (astronaut) and a 1920x1280 group photo made here by pasting the
 * sample faces at several sizes onto a background. Peer: face-api.js@0.22.2's MTCNN, the same
 * weights on TensorFlow.js (CPU backend: face-api.js ships no WASM backend), in the same
 * Chromium on a bench-only page (scripts/bench/peer/), with the same settings.
 *
 * "End to end" is measured in the page, from the Run click (ours) or the forward call (peer) to
 * the faces being back on the main thread (ours also draws them): decoding the file is outside
 * it, the pyramid, every network run and the box work are inside it. Stage times are the
 * cascade's own (the worker's for ours, face-api.js's forwardWithStats for the peer).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { cropResizeBilinear, resizeBilinear } from '../../src/inference/math/image.ts';
import { iou } from '../../src/inference/math/nms.ts';
import type { Box, RgbaImage } from '../../src/inference/types.ts';
import { readSample, SAMPLES_DIR } from '../../tests/helpers/images.ts';
import { isInstalled } from '../../tests/helpers/models.ts';
import { stats, type BenchContext, type BenchRow, type BenchSection } from './types.ts';

const MODEL = 'mtcnn';
const MODEL_IDS = ['mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet'];
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PEER_PAGE = fileURLToPath(new URL('./peer/face-api-mtcnn.html', import.meta.url));
/** The released code's settings (DEFAULT_DETECT_OPTIONS), given to the peer explicitly. */
const PEER_OPTIONS = { minFaceSize: 20, scaleFactor: 0.709, scoreThresholds: [0.6, 0.7, 0.7], maxNumScales: 100 };
const PEER_NAME = 'face-api.js MTCNN (TF.js CPU)';

type StageName = 'pnet' | 'rnet' | 'onet';
const STAGES: StageName[] = ['pnet', 'rnet', 'onet'];
const STAGE_TITLE: Record<StageName, string> = { pnet: 'P-Net', rnet: 'R-Net', onet: 'O-Net' };

interface Face {
  box: Box;
  score: number;
}

interface DemoResult {
  backend: string;
  threads: number;
  image: string;
  width: number;
  height: number;
  faces: Face[];
  stages: Record<StageName, { count: number; ms: number }>;
  totalMs: number;
  run: number;
  timings: { downloadMs: number; verifyMs: number; sessionMs: number; fromCache: boolean; runsMs: number[] };
}

interface BenchImage {
  key: string;
  label: string;
  file: string;
  png: Buffer;
  width: number;
  height: number;
  /** Where faces were pasted (group photo only). */
  pasted: Box[];
}

/** Warm runs stop once this much time has gone on one image (first run included), after at least minWarm. */
interface Budget {
  ms: number;
  minWarm: number;
}

/** One measured series: a first run and warm runs, end to end and per stage. */
interface Series {
  backend: string;
  threads: number | null;
  image: BenchImage;
  loadMs: number | null;
  firstMs: number | null;
  warm: number[];
  cascadeWarm: number[];
  stageWarm: Record<StageName, number[]>;
  /** Stage times of the first run. */
  stageFirst: Record<StageName, number>;
  counts: Record<StageName, number>;
  faces: Face[];
  notes: string[];
}

// ---- The images --------------------------------------------------------------------------------

function paste(target: RgbaImage, source: RgbaImage, x: number, y: number): void {
  for (let row = 0; row < source.height; row++) {
    const from = row * source.width * 4;
    target.data.set(source.data.subarray(from, from + source.width * 4), ((y + row) * target.width + x) * 4);
  }
}

function encodePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png);
}

/**
 * A 1920x1280 "group photo": the coffee sample stretched as background, with head-and-shoulder
 * crops of the astronaut and the cameraman pasted at ten sizes (faces from about 30 to 200 px
 * wide). No other free photo with several faces exists here, so this stands in for one.
 */
export function makeGroupPhoto(): { image: RgbaImage; pasted: Box[] } {
  const width = 1920;
  const height = 1280;
  const image = resizeBilinear(readSample('coffee'), width, height);
  const heads = {
    astronaut: { image: readSample('astronaut'), crop: { x1: 120, y1: 10, x2: 330, y2: 250 } },
    camera: { image: readSample('camera'), crop: { x1: 150, y1: 60, x2: 300, y2: 250 } },
  };
  const placements: [keyof typeof heads, number, number, number][] = [
    ['astronaut', 1.0, 60, 80],
    ['astronaut', 0.5, 340, 150],
    ['astronaut', 1.6, 520, 60],
    ['camera', 1.0, 940, 100],
    ['astronaut', 0.35, 1170, 150],
    ['camera', 0.6, 1300, 140],
    ['camera', 1.5, 80, 700],
    ['astronaut', 0.75, 400, 800],
    ['camera', 2.0, 650, 620],
    ['astronaut', 2.2, 1350, 640],
  ];
  const pasted: Box[] = [];
  for (const [name, scale, x, y] of placements) {
    const { image: source, crop } = heads[name];
    const w = Math.round((crop.x2 - crop.x1) * scale);
    const h = Math.round((crop.y2 - crop.y1) * scale);
    paste(image, cropResizeBilinear(source, crop, w, h), x, y);
    pasted.push({ x1: x, y1: y, x2: x + w, y2: y + h });
  }
  return { image, pasted };
}

function benchImages(): BenchImage[] {
  const astronaut = readFileSync(join(SAMPLES_DIR, 'astronaut.png'));
  const group = makeGroupPhoto();
  return [
    { key: 'astronaut', label: '512x512 (astronaut)', file: 'astronaut.png', png: astronaut, width: 512, height: 512, pasted: [] },
    {
      key: 'group',
      label: '1920x1280 (10 pasted faces)',
      file: 'group-1920x1280.png',
      png: encodePng(group.image),
      width: 1920,
      height: 1280,
      pasted: group.pasted,
    },
  ];
}

// ---- Ours: the demo page ----------------------------------------------------------------------

const DEMO = '[data-demo="face-detection"]';

/** Click Run and wait for the next result; the time is measured in the page. */
async function clickRun(page: Page): Promise<{ pageMs: number; result: DemoResult }> {
  return page.evaluate(async (selector) => {
    const root = document.querySelector(selector)!;
    const read = () => JSON.parse(root.getAttribute('data-result') ?? '{}') as { run?: number; error?: string };
    const before = read().run ?? 0;
    const button = root.querySelector('[data-run]') as HTMLButtonElement;
    if (button.disabled) throw new Error('The Run button is disabled.');
    const started = performance.now();
    await new Promise<void>((done, fail) => {
      const check = () => {
        const state = root.getAttribute('data-state');
        if (state === 'error') fail(new Error(read().error ?? 'demo error'));
        else if (state === 'done' && (read().run ?? 0) > before) done();
        else return false;
        return true;
      };
      const observer = new MutationObserver(() => {
        if (check()) observer.disconnect();
      });
      observer.observe(root, { attributes: true, attributeFilter: ['data-state', 'data-result'] });
      button.click();
    });
    return { pageMs: performance.now() - started, result: JSON.parse(root.getAttribute('data-result')!) };
  }, DEMO) as Promise<{ pageMs: number; result: DemoResult }>;
}

async function upload(page: Page, image: BenchImage): Promise<void> {
  await page.locator(`${DEMO} [data-file]`).setInputFiles({ name: image.file, mimeType: 'image/png', buffer: image.png });
  await page.waitForFunction(
    ({ selector, width }) => {
      const root = document.querySelector(selector)!;
      const preview = root.querySelector('[data-preview]') as HTMLCanvasElement | null;
      const button = root.querySelector('[data-run]') as HTMLButtonElement;
      return preview?.width === width && !button.disabled && root.querySelector('[data-status]')?.textContent === 'Image ready: press Run.';
    },
    { selector: DEMO, width: image.width },
    { timeout: 60_000 },
  );
}

async function measureOurs(
  context: BenchContext,
  label: string,
  url: string,
  images: BenchImage[],
  warmRuns: number,
  budget: Budget,
): Promise<Series[]> {
  const browserContext = await context.browser.newContext();
  const page = await browserContext.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  try {
    await page.goto(url);
    const out: Series[] = [];
    let loaded = false;
    for (const image of images) {
      await upload(page, image);
      const started = performance.now();
      const first = await clickRun(page);
      let loadMs: number | null = null;
      let firstMs = first.pageMs;
      if (!loaded) {
        const t = first.result.timings;
        loadMs = t.downloadMs + t.verifyMs + t.sessionMs;
        firstMs = Math.max(0, first.pageMs - loadMs);
        loaded = true;
      }
      const series: Series = {
        backend: first.result.backend,
        threads: first.result.backend === 'wasm' ? first.result.threads : null,
        image,
        loadMs,
        firstMs,
        warm: [],
        cascadeWarm: [],
        stageWarm: { pnet: [], rnet: [], onet: [] },
        stageFirst: { pnet: first.result.stages.pnet.ms, rnet: first.result.stages.rnet.ms, onet: first.result.stages.onet.ms },
        counts: { pnet: first.result.stages.pnet.count, rnet: first.result.stages.rnet.count, onet: first.result.stages.onet.count },
        faces: first.result.faces,
        notes: [],
      };
      context.log(
        `  ${label} ${image.label}: first ${firstMs.toFixed(0)} ms${loadMs === null ? '' : ` (+ load ${loadMs.toFixed(0)} ms)`}, ` +
          `${first.result.faces.length} faces, P-Net ${series.counts.pnet} / R-Net ${series.counts.rnet} / O-Net ${series.counts.onet}`,
      );
      for (let i = 0; i < warmRuns; i++) {
        if (i >= budget.minWarm && performance.now() - started - (loadMs ?? 0) > budget.ms) {
          series.notes.push(`${i} of ${warmRuns} warm runs: the ${(budget.ms / 1000).toFixed(0)} s time budget ran out`);
          break;
        }
        const { pageMs, result } = await clickRun(page);
        series.warm.push(pageMs);
        series.cascadeWarm.push(result.totalMs);
        for (const stage of STAGES) series.stageWarm[stage].push(result.stages[stage].ms);
      }
      context.log(`    warm (page) ${series.warm.map((ms) => ms.toFixed(0)).join(' ')} ms`);
      out.push(series);
    }
    if (errors.length > 0) throw new Error(`console errors on the demo page: ${errors.join(' | ')}`);
    return out;
  } finally {
    await browserContext.close();
  }
}

// ---- The peer: face-api.js on a bench-only page -----------------------------------------------

function mirrorDir(): string {
  return resolve(ROOT, process.env.R2P_MODEL_MIRROR ?? '../shared/models');
}

function faceApiBundle(): string | null {
  try {
    const require = createRequire(join(ROOT, 'package.json'));
    const path = join(require.resolve('face-api.js/package.json'), '..', 'dist', 'face-api.min.js');
    return existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** Serve the peer page, face-api.js's bundle, its weights (from the mirror) and the images. */
async function startPeerServer(bundle: string, weightsDir: string, imagesDir: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript',
    '.json': 'application/json',
    '.png': 'image/png',
  };
  const send = (response: import('node:http').ServerResponse, path: string) => {
    if (!existsSync(path) || !statSync(path).isFile()) {
      response.statusCode = 404;
      response.end('Not found');
      return;
    }
    const ext = path.slice(path.lastIndexOf('.'));
    response.setHeader('Content-Type', types[ext] ?? 'application/octet-stream');
    createReadStream(path).pipe(response);
  };
  const inside = (dir: string, name: string) => {
    const path = normalize(join(dir, decodeURIComponent(name)));
    return path.startsWith(dir) ? path : join(dir, '\0');
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/' || path === '/index.html') send(response, PEER_PAGE);
    else if (path === '/face-api.min.js') send(response, bundle);
    else if (path.startsWith('/weights/')) send(response, inside(weightsDir, path.slice('/weights/'.length)));
    else if (path.startsWith('/images/')) send(response, inside(imagesDir, path.slice('/images/'.length)));
    else send(response, '\0');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) };
}

interface PeerRun {
  ms: number;
  stats: { scales: number; stage1: number; stage2: number; stage3: number; total: number; stage2Inputs: number; stage3Inputs: number };
  faces: Face[];
}

async function measurePeer(
  context: BenchContext,
  images: BenchImage[],
  imagesDir: string,
  warmRuns: number,
  budget: Budget,
): Promise<{ series: Series[]; backend: string; tfjs: string } | { skipped: string }> {
  const bundle = faceApiBundle();
  if (!bundle) return { skipped: 'face-api.js is not installed (npm install --save-dev face-api.js@0.22.2).' };
  const weightsDir = join(mirrorDir(), 'peers', 'face-api-js');
  if (!existsSync(join(weightsDir, 'mtcnn_model-weights_manifest.json'))) {
    return { skipped: `face-api.js's MTCNN weights are not in ${weightsDir} (set R2P_MODEL_MIRROR).` };
  }
  const server = await startPeerServer(bundle, weightsDir, imagesDir);
  const browserContext = await context.browser.newContext();
  try {
    const page = await browserContext.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(server.url);
    const loaded = (await page.evaluate(() => (window as unknown as { peer: { load(b: string): Promise<unknown> } }).peer.load('cpu'))) as {
      backend: string;
      loadMs: number;
      tfjs: string;
    };
    context.log(`  peer: ${PEER_NAME}, TF.js ${loaded.tfjs} backend ${loaded.backend}, weights loaded in ${loaded.loadMs.toFixed(0)} ms`);
    const out: Series[] = [];
    for (const image of images) {
      await page.evaluate(
        (url) => (window as unknown as { peer: { image(u: string): Promise<unknown> } }).peer.image(url),
        `/images/${image.file}`,
      );
      const run = () =>
        page.evaluate(
          (options) => (window as unknown as { peer: { run(o: unknown): Promise<PeerRun> } }).peer.run(options),
          PEER_OPTIONS,
        ) as Promise<PeerRun>;
      const started = performance.now();
      const first = await run();
      const series: Series = {
        backend: PEER_NAME,
        threads: null,
        image,
        loadMs: out.length === 0 ? loaded.loadMs : null,
        firstMs: first.ms,
        warm: [],
        cascadeWarm: [],
        stageWarm: { pnet: [], rnet: [], onet: [] },
        stageFirst: { pnet: first.stats.stage1, rnet: first.stats.stage2, onet: first.stats.stage3 },
        counts: { pnet: first.stats.stage2Inputs, rnet: first.stats.stage3Inputs, onet: first.faces.length },
        faces: first.faces,
        notes: [`${first.stats.scales} pyramid scales`],
      };
      context.log(
        `  peer ${image.label}: first ${first.ms.toFixed(0)} ms, ${first.faces.length} faces, stage 2 in ${first.stats.stage2Inputs}, stage 3 in ${first.stats.stage3Inputs}, ${first.stats.scales} scales`,
      );
      for (let i = 0; i < warmRuns; i++) {
        if (i >= budget.minWarm && performance.now() - started > budget.ms) {
          series.notes.push(`${i} of ${warmRuns} warm runs: the ${(budget.ms / 1000).toFixed(0)} s time budget ran out`);
          break;
        }
        const result = await run();
        series.warm.push(result.ms);
        series.cascadeWarm.push(result.stats.total);
        series.stageWarm.pnet.push(result.stats.stage1);
        series.stageWarm.rnet.push(result.stats.stage2);
        series.stageWarm.onet.push(result.stats.stage3);
      }
      context.log(`    warm ${series.warm.map((ms) => ms.toFixed(0)).join(' ')} ms`);
      out.push(series);
    }
    if (errors.length > 0) throw new Error(`errors on the peer page: ${errors.join(' | ')}`);
    return { series: out, backend: loaded.backend, tfjs: loaded.tfjs };
  } finally {
    await browserContext.close();
    await server.close();
  }
}

// ---- Rows and findings -------------------------------------------------------------------------

function rowsOf(series: Series, peer: Series | undefined): BenchRow[] {
  const rows: BenchRow[] = [];
  const size = series.image.label;
  const end = stats(series.warm);
  const notes = [...series.notes];
  if (series.warm.length === 0) notes.push('no warm run: the first run is the figure');
  if (series.loadMs !== null) {
    notes.push(
      series.backend === PEER_NAME
        ? `weights loaded before the first run (${series.loadMs.toFixed(0)} ms)`
        : `first run excludes loading (${series.loadMs.toFixed(0)} ms: download, SHA-256, sessions)`,
    );
  }
  notes.push(`${series.faces.length} faces; P-Net ${series.counts.pnet}, R-Net ${series.counts.rnet}, O-Net ${series.counts.onet} boxes`);
  const endRow: BenchRow = {
    model: MODEL,
    backend: series.backend,
    threads: series.threads,
    metric: `end to end ${size}`,
    coldMs: series.firstMs,
    warmMedianMs: end.median,
    warmP95Ms: end.p95,
    runs: series.warm.length,
    notes: notes.join('; '),
  };
  const peerEnd = peer ? stats(peer.warm).median : null;
  // Ratios only for WASM: WebGPU here is SwiftShader, not a speed figure.
  const compare = series.backend === 'wasm';
  if (peer && peerEnd && end.median !== null && compare) endRow.ratio = { to: PEER_NAME, value: end.median / peerEnd };
  rows.push(endRow);
  for (const stage of STAGES) {
    const s = stats(series.stageWarm[stage]);
    const row: BenchRow = {
      model: MODEL,
      backend: series.backend,
      threads: series.threads,
      metric: `${STAGE_TITLE[stage]} ${size}`,
      coldMs: series.stageFirst[stage],
      warmMedianMs: s.median,
      warmP95Ms: s.p95,
      runs: series.stageWarm[stage].length,
    };
    const peerStage = peer ? stats(peer.stageWarm[stage]).median : null;
    if (peerStage && s.median !== null && compare) row.ratio = { to: PEER_NAME, value: s.median / peerStage };
    rows.push(row);
  }
  return rows;
}

/** Faces of `a` matched one to one with faces of `b` at IoU >= 0.5. */
function matchFaces(a: readonly Face[], b: readonly Face[]): { matched: number; worstIou: number } {
  const used = new Set<number>();
  let matched = 0;
  let worstIou = 1;
  for (const face of a) {
    let best = -1;
    let bestIou = 0.5;
    b.forEach((other, index) => {
      const overlap = iou(face.box, other.box);
      if (!used.has(index) && overlap >= bestIou) {
        best = index;
        bestIou = overlap;
      }
    });
    if (best >= 0) {
      used.add(best);
      matched++;
      worstIou = Math.min(worstIou, bestIou);
    }
  }
  return { matched, worstIou };
}

/** How many pasted heads hold a detected face (its centre inside the pasted crop). */
function pastedFound(image: BenchImage, faces: readonly Face[]): number {
  return image.pasted.filter((box) =>
    faces.some((face) => {
      const cx = (face.box.x1 + face.box.x2) / 2;
      const cy = (face.box.y1 + face.box.y2) / 2;
      return cx > box.x1 && cx < box.x2 && cy > box.y1 && cy < box.y2;
    }),
  ).length;
}

export default async function mtcnnBench(context: BenchContext): Promise<BenchSection> {
  const section: BenchSection = { id: 'mtcnn', title: 'Face detection (MTCNN cascade)', rows: [], notes: [] };
  const missing = MODEL_IDS.filter((id) => !isInstalled(id));
  if (missing.length > 0) {
    section.notes.push(`Not measured: ${missing.join(', ')} not installed.`);
    return section;
  }
  const quick = context.quick;
  const images = benchImages();
  const imagesDir = mkdtempSync(join(tmpdir(), 'r2p-bench-mtcnn-'));
  for (const image of images) writeFileSync(join(imagesDir, image.file), image.png);
  context.log(`  images in ${imagesDir}: ${images.map((image) => `${image.file} (${image.width}x${image.height})`).join(', ')}`);

  try {
    const wasmRuns = quick ? 3 : 10;
    const ours: { label: string; series: Series[] }[] = [];
    const configs: { label: string; url: string; runs: number; budget: Budget; images: BenchImage[] }[] = [
      {
        label: 'wasm threaded',
        url: `${context.baseUrl}/demo/mtcnn/?backend=wasm&repeat=1`,
        runs: wasmRuns,
        budget: { ms: 120_000, minWarm: 1 },
        images,
      },
      {
        label: 'wasm 1 thread',
        url: `${context.plainBaseUrl}/demo/mtcnn/?backend=wasm&threads=1&repeat=1`,
        runs: wasmRuns,
        budget: { ms: 120_000, minWarm: 1 },
        images,
      },
      // SwiftShader is software WebGPU: about a minute a run on 512x512 and several on 1920x1280
      // here, so few runs under a time budget (a first run over it gets no warm run), and the
      // big image only in a full run.
      {
        label: 'webgpu',
        url: `${context.baseUrl}/demo/mtcnn/?backend=webgpu&repeat=1`,
        runs: quick ? 0 : 2,
        budget: { ms: 240_000, minWarm: 0 },
        images: quick ? images.filter((image) => image.key === 'astronaut') : images,
      },
    ];
    for (const config of configs) {
      try {
        ours.push({
          label: config.label,
          series: await measureOurs(context, config.label, config.url, config.images, config.runs, config.budget),
        });
      } catch (error) {
        section.notes.push(`${config.label}: not measured (${(error as Error).message.split('\n')[0]}).`);
        context.log(`  ${config.label} failed: ${(error as Error).message}`);
      }
    }
    if (quick) section.notes.push('Quick run: WebGPU measured on 512x512 only, first run only.');

    const peer = await measurePeer(context, images, imagesDir, quick ? 3 : 10, { ms: quick ? 90_000 : 240_000, minWarm: 1 });
    const peerSeries = 'series' in peer ? peer.series : [];
    if ('skipped' in peer) section.notes.push(`Peer not measured: ${peer.skipped}`);

    for (const image of images) {
      const peerOne = peerSeries.find((series) => series.image.key === image.key);
      for (const { series } of ours) {
        const one = series.find((candidate) => candidate.image.key === image.key);
        if (one) section.rows.push(...rowsOf(one, peerOne));
      }
      if (peerOne) section.rows.push(...rowsOf(peerOne, undefined));
    }

    // Findings: speed against the peer, and whether both found the same faces.
    const threaded = ours.find((config) => config.label === 'wasm threaded')?.series ?? [];
    const single = ours.find((config) => config.label === 'wasm 1 thread')?.series ?? [];
    const webgpu = ours.find((config) => config.label === 'webgpu')?.series ?? [];
    for (const image of images) {
      const mine = threaded.find((series) => series.image.key === image.key);
      const mineSingle = single.find((series) => series.image.key === image.key);
      const theirs = peerSeries.find((series) => series.image.key === image.key);
      const gpu = webgpu.find((series) => series.image.key === image.key);
      if (image.pasted.length > 0) {
        const found = (series: Series | undefined) => (series ? `${pastedFound(image, series.faces)}/${image.pasted.length}` : 'n/a');
        section.notes.push(`${image.label}: pasted heads with a face found: ours (WASM) ${found(mine)}, peer ${found(theirs)}.`);
      }
      if (mine && gpu) {
        const match = matchFaces(mine.faces, gpu.faces);
        section.notes.push(
          `${image.label}: WASM ${mine.faces.length} faces, WebGPU ${gpu.faces.length}; ${match.matched} matched at IoU >= 0.5 (worst ${match.worstIou.toFixed(3)}).`,
        );
      }
      if (!mine || !theirs) continue;
      const ourMedian = stats(mine.warm).median;
      const peerMedian = stats(theirs.warm).median;
      const singleMedian = mineSingle ? stats(mineSingle.warm).median : null;
      const match = matchFaces(mine.faces, theirs.faces);
      const same = match.matched === mine.faces.length && match.matched === theirs.faces.length;
      if (ourMedian && peerMedian) {
        const speedup = peerMedian / ourMedian;
        section.notes.push(
          `${image.label}: ours (WASM, ${mine.threads} threads) ${ourMedian.toFixed(0)} ms end to end vs ${PEER_NAME} ${peerMedian.toFixed(0)} ms: ` +
            `${speedup.toFixed(1)}x faster${singleMedian ? ` (${(peerMedian / singleMedian).toFixed(1)}x on one WASM thread)` : ''}. ` +
            `Faces: ours ${mine.faces.length}, peer ${theirs.faces.length}, ${match.matched} matched at IoU >= 0.5${match.matched ? ` (worst ${match.worstIou.toFixed(3)})` : ''}. ` +
            `Target at least 2x faster with the same faces: ${speedup >= 2 && same ? 'met' : 'not met'}.`,
        );
      }
    }
    if (peerSeries.length > 0 && 'backend' in peer) {
      section.notes.push(
        `Peer: face-api.js 0.22.2 (TF.js core ${peer.tfjs}, backend "${peer.backend}"; face-api.js has no WASM backend) with the same weights and settings ` +
          `(min face 20, factor 0.709, thresholds 0.6/0.7/0.7, maxNumScales raised from its default 10 so it runs the whole pyramid; it still drops a last level whose shorter side is exactly 12 px, so 12 levels to our 13 at 1920x1280), in the same Chromium. ` +
          'Its stage times come from forwardWithStats (whole milliseconds).',
      );
    }
    section.notes.push(
      'End to end: in the page, from Run (ours: message to the inference worker, cascade, result back, boxes drawn) or the forward call (peer) to the faces; ' +
        "image decoding excluded. Stage times: the cascade's own, resampling and crops included. WebGPU runs on SwiftShader (software) here: a correctness path, not a speed figure.",
    );
    return section;
  } finally {
    rmSync(imagesDir, { recursive: true, force: true });
  }
}
