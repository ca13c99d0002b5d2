/**
 * Production variants: for each model family (the fp32 parent and its fp16, int8 and int8-QDQ
 * variants that are installed), the file size, session creation, first and warm inference on
 * onnxruntime-web's plain WASM build in Chromium (one thread) and on onnxruntime-node (one
 * thread), the ratio to fp32, and the accuracy delta against fp32 measured on the sample images
 * and their transformed copies (src/models/variants/measure.ts).
 *
 * The browser side is a bare page that imports onnxruntime-web's WASM build from /ort/ and
 * fetches each model from /models/: it measures the engine on each file, independent of the
 * demo code, with the same input tensor per family (a real preprocessed sample where the
 * family takes one).
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { flattenAlpha } from '../../src/inference/math/image.ts';
import { imagesToTensor, resizeAndCrop } from '../../src/inference/math/preprocess.ts';
import type { TensorData } from '../../src/inference/types.ts';
import { MODEL_CATALOG, type ModelEntry, type VariantAccuracy } from '../../src/models/catalog.ts';
import { defaultCandidacy, defaultVariant, variantFamily, variantKind, withinBounds } from '../../src/models/variants/choose.ts';
import { megabytes } from '../../src/models/variants/describe.ts';
import { measureVariantAccuracy } from '../../src/models/variants/measure.ts';
import { alignedChips, chipTensor, createFileRunner, evaluationSet, readSampleImages } from '../../src/models/variants/node-tools.ts';
import { stats, type BenchContext, type BenchSection, type VariantRow } from './types.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCHMARKS_FILE = join(ROOT, 'src', 'data', 'benchmarks.json');

/**
 * --families=mtcnn-pnet,mtcnn-rnet,...: measure only these parents' families (the ResNet family
 * alone takes many minutes); the other families keep the rows and notes already published.
 */
function familiesArgument(): string[] | null {
  const value = process.argv.find((arg) => arg.startsWith('--families='))?.slice('--families='.length);
  return value ? value.split(',').filter(Boolean) : null;
}

/** The published variants section's rows and notes of the families not measured this time. */
function keptFromPublished(measured: readonly string[]): { rows: VariantRow[]; notes: string[] } {
  if (!existsSync(BENCHMARKS_FILE)) return { rows: [], notes: [] };
  const published = JSON.parse(readFileSync(BENCHMARKS_FILE, 'utf8')) as { sections: BenchSection[] };
  const section = published.sections.find((candidate) => candidate.id === 'variants');
  if (!section) return { rows: [], notes: [] };
  const rows = (section.rows as VariantRow[]).filter((row) => !measured.includes(row.parent));
  const notes = section.notes.filter((note) => !measured.some((parent) => note.startsWith(`${parent}:`)));
  return { rows, notes };
}
const MODELS_DIR = join(ROOT, 'public', 'models');
const ORT_DIST = join(ROOT, 'node_modules', 'onnxruntime-web', 'dist');
const SAMPLES_DIR = join(ROOT, 'public', 'samples');

/** Deterministic values in [-1, 1) for inputs whose content does not change the work done. */
function filler(dims: number[]): TensorData {
  const length = dims.reduce((a, b) => a * b, 1);
  let state = 12345;
  const data = Float32Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state / 2 ** 31) * 2 - 1;
  });
  return { data, dims };
}

/** The input every member of a family is timed on, and what it is. */
async function familyInput(parent: ModelEntry): Promise<{ tensor: TensorData; what: string }> {
  const samples = readSampleImages(SAMPLES_DIR);
  if (parent.task === 'image-classification') {
    const chelsea = samples.find((sample) => sample.name === 'chelsea')!.image;
    const pre = parent.preprocessing!;
    return { tensor: imagesToTensor([resizeAndCrop(flattenAlpha(chelsea), pre)], pre), what: 'chelsea, 1x3x224x224' };
  }
  if (parent.task === 'face-embedding') {
    const detector = createFileRunner(MODELS_DIR);
    const [chip] = await alignedChips(
      samples.filter((sample) => sample.name === 'astronaut'),
      parent,
      detector,
    );
    await detector.release();
    return { tensor: chipTensor(chip!.image, parent), what: 'aligned astronaut face, 1x3x150x150' };
  }
  const dims: Record<string, number[]> = { 'mtcnn-pnet': [1, 3, 256, 256], 'mtcnn-rnet': [16, 3, 24, 24], 'mtcnn-onet': [4, 3, 48, 48] };
  const shape = dims[parent.id] ?? [1, 3, 48, 48];
  return { tensor: filler(shape), what: `${shape.join('x')} (fixed values; latency does not depend on them)` };
}

/** Serve /ort/ from onnxruntime-web's dist and /models/ from public/models; / is a blank page. */
async function startBenchServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const [base, prefix] = path.startsWith('/ort/')
      ? [ORT_DIST, '/ort/']
      : path.startsWith('/models/')
        ? [MODELS_DIR, '/models/']
        : [null, ''];
    if (!base) {
      response.setHeader('Content-Type', 'text/html');
      response.end('<!doctype html><title>variants bench</title>');
      return;
    }
    const file = normalize(join(base, path.slice(prefix.length)));
    if (!file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) {
      response.statusCode = 404;
      response.end('not found');
      return;
    }
    const types: Record<string, string> = { mjs: 'text/javascript', wasm: 'application/wasm' };
    response.setHeader('Content-Type', types[file.split('.').pop()!] ?? 'application/octet-stream');
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface Timed {
  sessions: number[];
  firsts: number[];
  warm: number[];
}

/** Session creation, first and warm runs in Chromium on WASM (one thread), one fresh page per load. */
async function wasmTimes(
  context: BenchContext,
  baseUrl: string,
  entry: ModelEntry,
  input: TensorData,
  loads: number,
  runs: number,
): Promise<Timed> {
  const timed: Timed = { sessions: [], firsts: [], warm: [] };
  for (let load = 0; load < loads; load++) {
    const browserContext = await context.browser.newContext();
    const page = await browserContext.newPage();
    await page.goto(`${baseUrl}/`);
    const result = await page.evaluate(
      async ({ modelUrl, inputName, dims, values, runs }) => {
        const ortWeb = await import('/ort/ort.wasm.min.mjs' as string);
        ortWeb.env.wasm.numThreads = 1;
        ortWeb.env.wasm.wasmPaths = '/ort/';
        const bytes = new Uint8Array(await (await fetch(modelUrl)).arrayBuffer());
        let started = performance.now();
        const session = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
        const sessionMs = performance.now() - started;
        const tensor = new ortWeb.Tensor('float32', Float32Array.from(values), dims);
        const times: number[] = [];
        for (let i = 0; i < runs + 1; i++) {
          started = performance.now();
          await session.run({ [inputName]: tensor });
          times.push(performance.now() - started);
        }
        await session.release();
        return { sessionMs, times };
      },
      { modelUrl: `/models/${entry.file}`, inputName: entry.inputs[0]!.name, dims: [...input.dims], values: Array.from(input.data), runs },
    );
    await browserContext.close();
    timed.sessions.push(result.sessionMs);
    timed.firsts.push(result.times[0]!);
    timed.warm.push(...result.times.slice(1));
  }
  return timed;
}

/** The same on onnxruntime-node, one intra-op thread. */
async function nativeTimes(entry: ModelEntry, input: TensorData, loads: number, runs: number): Promise<Timed> {
  const timed: Timed = { sessions: [], firsts: [], warm: [] };
  const tensor = new ort.Tensor('float32', input.data, input.dims);
  for (let load = 0; load < loads; load++) {
    let started = performance.now();
    const session = await ort.InferenceSession.create(join(MODELS_DIR, entry.file), { intraOpNumThreads: 1 });
    timed.sessions.push(performance.now() - started);
    for (let i = 0; i < runs + 1; i++) {
      started = performance.now();
      await session.run({ [entry.inputs[0]!.name]: tensor });
      (i === 0 ? timed.firsts : timed.warm).push(performance.now() - started);
    }
    await session.release();
  }
  return timed;
}

const installed = (entry: ModelEntry) =>
  existsSync(join(MODELS_DIR, entry.file)) && (entry.bytes === null || statSync(join(MODELS_DIR, entry.file)).size === entry.bytes);

export default async function variantsBench(context: BenchContext): Promise<BenchSection> {
  const families = familiesArgument();
  const parents = MODEL_CATALOG.filter(
    (entry) =>
      !entry.variant && MODEL_CATALOG.some((variant) => variant.variant?.parent === entry.id) && (!families || families.includes(entry.id)),
  );
  const loads = context.quick ? 1 : 2;
  const runs = context.quick ? 3 : 6;
  const images = evaluationSet(readSampleImages(SAMPLES_DIR));
  const server = await startBenchServer();
  // MTCNN's three nets of one kind run as one cascade: measure it once per kind, not once per net.
  const cascadeAccuracy = new Map<string, Promise<VariantAccuracy>>();
  const accuracyOf = (entry: ModelEntry): Promise<VariantAccuracy> => {
    if (entry.task !== 'face-detection') return measureVariantAccuracy(entry, images, MODELS_DIR);
    const kind = variantKind(entry);
    if (!cascadeAccuracy.has(kind)) cascadeAccuracy.set(kind, measureVariantAccuracy(entry, images, MODELS_DIR));
    return cascadeAccuracy.get(kind)!;
  };
  const kept = families ? keptFromPublished(parents.map((parent) => parent.id)) : { rows: [], notes: [] };
  const rows: VariantRow[] = [...kept.rows];
  const notes: string[] = families
    ? [
        ...kept.notes.filter((note) => !note.startsWith('Target:')),
        `${parents.map((parent) => parent.id).join(', ')}: re-measured on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (load average ${loadavg()[0]!.toFixed(1)} at the start); the other families' rows are the earlier run's.`,
      ]
    : [
        'Timings vary with the load on the machine: compare the ratios within a family, not the absolute times across runs.',
        'WASM: onnxruntime-web plain build (ort-wasm-simd-threaded.wasm), one thread, in Chromium; native: onnxruntime-node, one intra-op thread. Session creation excludes the download.',
      ];
  try {
    for (const parent of parents) {
      const family = variantFamily(parent.id).filter(installed);
      if (!family.some((entry) => entry.id === parent.id)) {
        notes.push(`${parent.id}: not installed, its variants not measured.`);
        continue;
      }
      const { tensor, what } = await familyInput(parent);
      const familyRows: VariantRow[] = [];
      for (const entry of family) {
        context.log(`  ${entry.id}: accuracy and timings ...`);
        const accuracy = entry.variant ? await accuracyOf(entry) : null;
        for (const [backend, timed] of [
          ['wasm', await wasmTimes(context, server.url, entry, tensor, loads, runs)],
          ['native', await nativeTimes(entry, tensor, loads, runs)],
        ] as const) {
          const warm = stats(timed.warm);
          const session = stats(timed.sessions);
          const first = stats(timed.firsts);
          familyRows.push({
            model: entry.id,
            backend,
            threads: 1,
            metric: `inference, ${what}`,
            coldMs: first.median,
            warmMedianMs: warm.median,
            warmP95Ms: warm.p95,
            runs: timed.warm.length,
            session: { ...session, samples: timed.sessions.length },
            first: { ...first, samples: timed.firsts.length },
            parent: parent.id,
            variant: variantKind(entry),
            bytes: entry.bytes ?? statSync(join(MODELS_DIR, entry.file)).size,
            accuracy,
            sessionRatio: null,
            ratio: null,
          });
        }
      }
      for (const row of familyRows) {
        const reference = familyRows.find((candidate) => candidate.variant === 'fp32' && candidate.backend === row.backend);
        if (reference?.warmMedianMs && row.warmMedianMs !== null)
          row.ratio = { to: 'fp32', value: row.warmMedianMs / reference.warmMedianMs };
        if (reference?.session?.median && row.session?.median) row.sessionRatio = row.session.median / reference.session.median;
        if (row.backend === 'wasm' && row.variant !== 'fp32' && row.ratio)
          context.log(`  wasm warm ratio ${row.model}: ${row.ratio.value.toFixed(3)}`);
      }
      rows.push(...familyRows);
      const chosen = defaultVariant(parent.id);
      const qdq = familyRows.find((row) => row.variant === 'int8-qdq' && row.backend === 'wasm');
      const qdqVerdict = !qdq?.ratio
        ? ''
        : qdq.ratio.value >= 1
          ? 'not faster than fp32: not a default candidate'
          : withinBounds(qdq.accuracy)
            ? 'faster than fp32: a default candidate'
            : 'faster than fp32, but its accuracy is outside the default bounds';
      notes.push(
        `${parent.id}: default ${variantKind(chosen)} (${megabytes(chosen.bytes!)}, ${defaultCandidacy(chosen).reason})${
          qdq?.ratio ? `; int8-qdq warm WASM ${qdq.ratio.value.toFixed(2)}x fp32, ${qdqVerdict}` : ''
        }.`,
      );
    }
  } finally {
    await server.close();
  }
  const target = (parentId: string, limit: number) => {
    const chosen = defaultVariant(parentId);
    return `${(chosen.bytes! / 1e6).toFixed(1)} MB (${variantKind(chosen)}): ${chosen.bytes! <= limit ? 'met' : 'not met'}`;
  };
  notes.push(
    `Target: classifier default at most 30 MB with the same top-1 as fp32 on every test image: ${target('resnet50-keras-imagenet', 30e6)}.`,
  );
  notes.push(`Target: face descriptor default at most 7 MB, no verdict flipped: ${target('dlib-face-resnet-v1', 7e6)}.`);
  // Families in catalog order, whether measured now or kept from the published run.
  const order = MODEL_CATALOG.map((entry) => entry.id);
  rows.sort((a, b) => order.indexOf(a.parent) - order.indexOf(b.parent));
  return { id: 'variants', title: 'Production variants (fp32, fp16, int8, int8 QDQ)', rows, notes };
}
