/**
 * Teach-mode benchmark: the classifier demo's transfer learning in Chromium on WASM, through
 * its deep link. Two classes of 20 examples each (one sample image plus 19 augmented copies):
 * pooled-feature extraction per image (the ResNet-50 stand-in's features file, one image per
 * run) and the time to train the linear softmax head in the worker.
 */
import { demoResult } from '../../tests/helpers/browser.ts';
import { isInstalled } from '../../tests/helpers/models.ts';
import type { BenchContext, BenchSection } from './types.ts';

const FEATURES = 'resnet50-keras-imagenet-features';

interface TeachBenchResult {
  backend: string;
  threads: number;
  trainMs: number;
  steps: number;
  featureMsPerImage: number | null;
  examples: { total: number; train: number; heldOut: number };
  heldOutAccuracy: number | null;
  timings: { sessionMs: number };
}

export default async function teachBench(context: BenchContext): Promise<BenchSection> {
  const section: BenchSection = { id: 'teach', title: 'Teach mode: features and head training (WASM)', rows: [], notes: [] };
  if (!isInstalled(FEATURES)) {
    section.notes.push(`Not measured: ${FEATURES} is not installed (npm run models derives it).`);
    return section;
  }
  const loads = context.quick ? 1 : 2;
  for (let load = 0; load < loads; load++) {
    const page = await (await context.browser.newContext()).newPage();
    await page.goto(
      `${context.baseUrl}/demo/resnet-34/?mode=teach&classes=chelsea:chelsea,coffee:coffee&augment=19&test=chelsea&backend=wasm&threads=1&autorun=1`,
    );
    const result = await demoResult<TeachBenchResult>(page, '[data-demo]', 900_000);
    await page.context().close();
    context.log(
      `  load ${load + 1}/${loads}: ${result.examples.total} images, ${result.featureMsPerImage?.toFixed(0)} ms per image, head ${result.trainMs.toFixed(0)} ms on ${result.examples.train}`,
    );
    section.rows.push(
      {
        model: FEATURES,
        backend: result.backend,
        threads: result.threads,
        metric: `pooled features per 224x224 image (mean over ${result.examples.total})`,
        coldMs: result.timings.sessionMs,
        warmMedianMs: result.featureMsPerImage,
        warmP95Ms: null,
        runs: result.examples.total,
        notes: 'coldMs is session creation',
      },
      {
        model: 'linear softmax head',
        backend: result.backend,
        threads: null,
        metric: `train 2 classes x 20 examples (${result.examples.train} in the training split), ${result.steps} full-batch Adam steps`,
        coldMs: null,
        warmMedianMs: result.trainMs,
        warmP95Ms: null,
        runs: 1,
        notes: `held-out accuracy ${result.heldOutAccuracy}`,
      },
    );
  }
  section.notes.push(
    'Measured on a shared 2-core machine under load (three other engineers running builds and tests): treat as upper bounds.',
    'Each example costs one ResNet-50 inference; the head trains on 2048-d features in JavaScript in the worker.',
  );
  return section;
}
