/**
 * Classifier benchmark: the ResNet demo in Chromium on WASM (one thread, and several threads
 * with cross-origin isolation) and WebGPU, against native onnxruntime-node on the same images
 * and the same preprocessing code, in the same run.
 */
import { readFileSync } from 'node:fs';
import { classify, parseLabels } from '../../src/inference/tasks/classify.ts';
import { getModel } from '../../src/models/catalog.ts';
import { readSample } from '../../tests/helpers/images.ts';
import { createNodeRunner, isInstalled, modelPath } from '../../tests/helpers/models.ts';
import { demoResult } from '../../tests/helpers/browser.ts';
import { stats, type BenchContext, type BenchRow, type BenchSection } from './types.ts';

interface DemoTimings {
  sessionMs: number;
  firstMs: number | null;
  runsMs: number[];
}

const MODEL = 'resnet50-keras-imagenet';

async function browserRuns(
  context: BenchContext,
  baseUrl: string,
  query: string,
  loads: number,
): Promise<{ backend: string; threads: number; sessions: number[]; firsts: number[]; warm: number[] }> {
  const sessions: number[] = [];
  const firsts: number[] = [];
  const warm: number[] = [];
  let backend = '';
  let threads = 0;
  for (let load = 0; load < loads; load++) {
    // A fresh context per load: a new worker, so session creation and first inference are cold.
    const page = await (await context.browser.newContext()).newPage();
    await page.goto(`${baseUrl}/demo/resnet-34/?sample=chelsea&autorun=1&${query}`);
    const result = await demoResult<{ backend: string; threads: number; timings: DemoTimings }>(page, '[data-demo]', 900_000);
    await page.context().close();
    backend = result.backend;
    threads = result.threads;
    sessions.push(result.timings.sessionMs);
    if (result.timings.firstMs !== null) firsts.push(result.timings.firstMs);
    warm.push(...result.timings.runsMs.slice(1));
    context.log(
      `  ${query}: load ${load + 1}/${loads}, session ${result.timings.sessionMs.toFixed(0)} ms, first ${result.timings.firstMs?.toFixed(0)} ms, warm ${result.timings.runsMs
        .slice(1)
        .map((ms) => ms.toFixed(0))
        .join(' ')}`,
    );
  }
  return { backend, threads, sessions, firsts, warm };
}

function row(
  model: string,
  backend: string,
  threads: number | null,
  sessions: number[],
  firsts: number[],
  warm: number[],
  notes?: string,
): BenchRow {
  const warmStats = stats(warm);
  const session = stats(sessions);
  const first = stats(firsts);
  return {
    model,
    backend,
    threads,
    metric: 'inference, 224x224 (chelsea)',
    coldMs: first.median,
    warmMedianMs: warmStats.median,
    warmP95Ms: warmStats.p95,
    runs: warm.length,
    session: { ...session, samples: sessions.length },
    first: { ...first, samples: firsts.length },
    notes,
  };
}

export default async function classifierBench(context: BenchContext): Promise<BenchSection> {
  const notes: string[] = [];
  if (!isInstalled(MODEL) || !isInstalled('imagenet-labels')) {
    return { id: 'classifier', title: 'Image classification (ResNet)', rows: [], notes: [`Not measured: ${MODEL} is not installed.`] };
  }
  const loads = context.quick ? 1 : 3;
  const repeat = context.quick ? 3 : 10;

  // Native reference: same preprocessing and task code on onnxruntime-node.
  const labels = parseLabels(readFileSync(modelPath('imagenet-labels'), 'utf8'));
  const entry = getModel(MODEL);
  const image = readSample('chelsea');
  const nativeSessions: number[] = [];
  const nativeFirsts: number[] = [];
  const nativeWarm: number[] = [];
  for (let load = 0; load < loads; load++) {
    const runner = createNodeRunner();
    let started = performance.now();
    await runner.session(MODEL);
    nativeSessions.push(performance.now() - started);
    for (let i = 0; i < repeat + 1; i++) {
      started = performance.now();
      await classify(image, entry, labels, runner);
      (i === 0 ? nativeFirsts : nativeWarm).push(performance.now() - started);
    }
  }
  const native = row(MODEL, 'native', null, nativeSessions, nativeFirsts, nativeWarm, 'onnxruntime-node, default threads');
  context.log(`  native: warm median ${native.warmMedianMs?.toFixed(1)} ms`);

  const configs: { label: string; base: string; query: string; loads: number }[] = [
    { label: 'wasm 1 thread', base: context.plainBaseUrl, query: `backend=wasm&threads=1&repeat=${repeat + 1}`, loads },
    { label: 'wasm threaded', base: context.baseUrl, query: `backend=wasm&repeat=${repeat + 1}`, loads },
    { label: 'webgpu', base: context.baseUrl, query: `backend=webgpu&repeat=${context.quick ? 2 : 3}`, loads: 1 },
  ];
  const rows: BenchRow[] = [native];
  for (const config of configs) {
    const measured = await browserRuns(context, config.base, config.query, config.loads);
    const browserRow = row(
      MODEL,
      measured.backend,
      measured.backend === 'wasm' ? measured.threads : null,
      measured.sessions,
      measured.firsts,
      measured.warm,
    );
    if (browserRow.warmMedianMs !== null && native.warmMedianMs) {
      browserRow.ratio = { to: 'native', value: browserRow.warmMedianMs / native.warmMedianMs };
    }
    if (measured.backend === 'webgpu')
      browserRow.notes = 'WebGPU through SwiftShader (software): a correctness path here, not a speed figure.';
    rows.push(browserRow);
  }
  const threaded = rows.find((candidate) => candidate.backend === 'wasm' && (candidate.threads ?? 1) > 1);
  if (threaded?.ratio) {
    notes.push(
      `Target: warm multi-threaded WASM within 2x of native. Measured ${threaded.ratio.value.toFixed(1)}x (${threaded.threads} threads): ${threaded.ratio.value <= 2 ? 'met' : 'not met'}.`,
    );
  }
  return { id: 'classifier', title: 'Image classification (ResNet-50 stand-in, 224x224)', rows, notes };
}
