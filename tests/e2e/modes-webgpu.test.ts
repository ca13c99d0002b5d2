/**
 * The issue-16 modes on WebGPU (here SwiftShader, a software adapter 10-100x slower than WASM),
 * each beside the same run on WASM, with the smallest inputs that still exercise them:
 *   - teach mode: the full deep link (2 classes x 1 photo + 1 augmented copy, a test image) needs
 *     five ResNet-50 inferences, and one costs about 33 s cold and 15 s warm on SwiftShader
 *     (src/data/benchmarks.json), so the whole mode does not fit in the suite's WebGPU budget. The
 *     closest real thing: train the head on WASM, then classify ONE image with that kept head on
 *     WebGPU (the features model's session, its pooled-features and logits outputs, and the head
 *     on WebGPU features) and compare with the same kept-head run on WASM;
 *   - triplets: two photos with one face each (two anchors, each with its mirror image as the
 *     positive, the other face and its mirror as negatives), uploaded as small crops of the
 *     samples so the cascade's pyramid stays small (P-Net's cost grows with the pixels). The
 *     same run is the compare mode's WebGPU test (verdict, distance, page text): one SwiftShader
 *     run for both, while facenet.test.ts asserts compare on the full samples on WASM.
 * Both backends run the same float32 networks on the same pixels, so the results must agree:
 * same labels and kinds, numbers within tolerances justified next to each assertion.
 * (MTCNN's data mode runs on both backends in training-data.test.ts.)
 * Cost, measured on 2 shared cores (load average 3-10): the WebGPU kept-head run 62-129 s (nearly
 * all of it ResNet-50's first inference on SwiftShader), the WebGPU triplets 92-105 s.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { demoReady, demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { readSample } from '../helpers/images.ts';
import { requireModels } from '../helpers/models.ts';
import { expectDifferentPeople, expectMirrorTriplets, type CompareResultFields, type TripletsFields } from '../helpers/face-results.ts';
import { defaultVariant } from '../../src/models/variants/choose.ts';

const baseUrl = inject('baseUrl');
const teachReady = requireModels('resnet50-keras-imagenet-features', 'imagenet-labels');
const tripletsReady = requireModels('dlib-face-resnet-v1', 'mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');

interface TeachResult {
  backend: string;
  timings: Record<string, unknown>;
  source?: string;
  classes: { name: string; examples: number }[];
  heldOutAccuracy: number | null;
  prediction: { label: string; probability: number };
  probabilities: { label: string; probability: number }[];
  imagenetTop5: { index: number; label: string; probability: number }[];
}

interface TripletResult extends CompareResultFields, TripletsFields {
  backend: string;
  images: (CompareResultFields['images'][number] & { width: number; height: number })[];
  timings: Record<string, unknown>;
}

/** A PNG file of a rectangle of a sample, in a fresh temporary folder. */
function cropFile(sample: string, x: number, y: number, width: number, height: number): string {
  const image = readSample(sample);
  const png = new PNG({ width, height });
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * 4;
    png.data.set(image.data.subarray(from, from + width * 4), row * width * 4);
  }
  const path = join(mkdtempSync(join(tmpdir(), 'r2p-modes-')), `${sample}-face.png`);
  writeFileSync(path, PNG.sync.write(png));
  return path;
}

/** Seconds from `started` to the demo's result. */
async function timed<T>(page: Page, started: number): Promise<{ result: T; seconds: number }> {
  const result = await demoResult<T>(page, '[data-demo]', 540_000);
  return { result, seconds: (Date.now() - started) / 1000 };
}

describe('issue-16 modes on WebGPU and WASM', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.runIf(teachReady)('a head taught on WASM classifies on WebGPU features as it does on WASM', async () => {
    const context: BrowserContext = await browser.newContext();
    try {
      const { page, problems } = await openPage(context, baseUrl);
      // Teach on WASM (no augmented copies: three inferences); the head is kept in this context's IndexedDB.
      await page.goto(`${baseUrl}/demo/resnet-34/?mode=teach&classes=cat:chelsea,cup:coffee&augment=0&test=chelsea&backend=wasm&autorun=1`);
      const taught = await demoResult<TeachResult>(page);
      expect(taught.prediction.label).toBe('cat');

      // The kept head on one image, on each backend (no examples: Run classifies with the kept head).
      const keptRun = async (backend: 'wasm' | 'webgpu') => {
        await page.goto(`${baseUrl}/demo/resnet-34/?mode=teach&sample=chelsea&backend=${backend}`);
        await expect.poll(() => page.locator('[data-teach-kept]').textContent()).toMatch(/Head kept on this device: cat, cup/);
        const started = Date.now();
        await page.locator('[data-run]').click();
        return timed<TeachResult>(page, started);
      };
      const wasm = await keptRun('wasm');
      const gpu = await keptRun('webgpu');
      console.log(
        `[modes-webgpu] teach, kept head on one image: wasm ${wasm.seconds.toFixed(1)} s, webgpu ${gpu.seconds.toFixed(1)} s; ` +
          `|p(cat) difference| ${Math.abs(gpu.result.prediction.probability - wasm.result.prediction.probability).toExponential(2)}, ` +
          `max |top-5 difference| ${Math.max(...gpu.result.imagenetTop5.map((item, i) => Math.abs(item.probability - wasm.result.imagenetTop5[i]!.probability))).toExponential(2)}`,
      );
      expect(wasm.result.backend).toBe('wasm');
      expect(gpu.result.backend).toBe('webgpu');
      for (const { result } of [wasm, gpu]) {
        expect(result.source).toBe('kept head');
        expect(result.classes.map((item) => item.name)).toEqual(['cat', 'cup']);
        expect(result.prediction.label).toBe('cat');
        expect(result.prediction.probability).toBeGreaterThan(0.5);
        expect(result.probabilities.reduce((sum, item) => sum + item.probability, 0)).toBeCloseTo(1, 5);
        expect(result.imagenetTop5[0]!.label).toMatch(/cat/);
      }
      // The same float32 ResNet-50 on the same pixels: the ImageNet top-5 is the same classes in
      // the same order and each probability agrees to 1e-3 (classifier.test.ts holds the top-1 of
      // the plain classifier to the same bound; the providers differ only in summation order).
      expect(gpu.result.imagenetTop5.map((item) => item.index)).toEqual(wasm.result.imagenetTop5.map((item) => item.index));
      gpu.result.imagenetTop5.forEach((item, i) =>
        expect(Math.abs(item.probability - wasm.result.imagenetTop5[i]!.probability)).toBeLessThan(1e-3),
      );
      // The head is one linear map and a softmax on the 2048 pooled features, so its logit gap
      // ln(p(cat) / p(cup)) is linear in them: a feature error of about 1e-5 relative (the top-5
      // above differ by about 1e-6) moves the gap by the same relative order. p(cat) itself is
      // saturated (float32 rounds it to 1), so the gap is what can tell the backends apart (about
      // 62 here, agreeing to 1e-7 relative; past about 87, p(cup) would underflow float32 and the
      // finiteness check below says so). 1e-3 relative still catches features from another layer.
      const gap = (result: TeachResult) => {
        const [cat, cup] = ['cat', 'cup'].map((label) => result.probabilities.find((item) => item.label === label)!.probability);
        return Math.log(cat! / cup!);
      };
      console.log(
        `[modes-webgpu] teach: logit gap wasm ${gap(wasm.result)}, webgpu ${gap(gpu.result)}; webgpu timings ${JSON.stringify(gpu.result.timings)}`,
      );
      expect(Number.isFinite(gap(wasm.result))).toBe(true);
      expect(gap(wasm.result)).toBeGreaterThan(0);
      expect(Math.abs(gap(gpu.result) - gap(wasm.result))).toBeLessThan(1e-3 * Math.abs(gap(wasm.result)));
      expect(Math.abs(gpu.result.prediction.probability - wasm.result.prediction.probability)).toBeLessThan(1e-3);
      expect(problems.consoleErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it.runIf(tripletsReady)('triplets label the same negatives on WebGPU as on WASM', async () => {
    // The faces of astronaut (about 181,62-266,173) and camera (about 197,116-255,197) with a margin,
    // both 128 x 128: the same pyramid shapes for both images (and their mirrors), so WebGPU
    // compiles P-Net's kernels once per level instead of once per level and image.
    const faceA = cropFile('astronaut', 160, 52, 128, 128);
    const faceB = cropFile('camera', 162, 92, 128, 128);
    const compare = async (backend: 'wasm' | 'webgpu') => {
      const context = await browser.newContext();
      try {
        const { page, problems } = await openPage(context, baseUrl);
        await page.goto(`${baseUrl}/demo/facenet/?triplets=1&backend=${backend}`);
        // Files chosen before the demo's script listens would be lost: wait for its ready mark.
        await demoReady(page);
        const started = Date.now();
        // The page preselects two samples, so choosing A already runs A against the sample in B, and
        // that run may finish before B is chosen: the result wanted is the one on both 128 px crops.
        await page.locator('[data-image-input$="-a"] [data-file]').setInputFiles(faceA);
        await page.locator('[data-image-input$="-b"] [data-file]').setInputFiles(faceB);
        await page.waitForFunction(
          () => {
            const root = document.querySelector<HTMLElement>('[data-demo]')!;
            if (root.dataset.state === 'error') return true;
            if (root.dataset.state !== 'done') return false;
            const { images } = JSON.parse(root.dataset.result ?? '{}') as { images?: { width: number; height: number }[] };
            return images?.length === 2 && images.every((image) => image.width === 128 && image.height === 128);
          },
          undefined,
          { timeout: 540_000, polling: 250 },
        );
        const measured = await timed<TripletResult>(page, started);
        expect(measured.result.images.map((image) => [image.width, image.height])).toEqual([
          [128, 128],
          [128, 128],
        ]);
        const text = (await page.locator('[data-demo]').innerText()).replace(/\s+/g, ' ');
        return { ...measured, problems, text };
      } finally {
        await context.close();
      }
    };
    const wasm = await compare('wasm');
    const gpu = await compare('webgpu');
    const differences = gpu.result.triplets.pairs.flatMap((pair, p) => [
      Math.abs(pair.distance - (wasm.result.triplets.pairs[p]?.distance ?? Infinity)),
      ...pair.negatives.map((negative, n) =>
        Math.abs(negative.distance - (wasm.result.triplets.pairs[p]?.negatives[n]?.distance ?? Infinity)),
      ),
    ]);
    console.log(
      `[modes-webgpu] triplets: wasm ${wasm.seconds.toFixed(1)} s, webgpu ${gpu.seconds.toFixed(1)} s; max |distance difference| ${Math.max(...differences).toExponential(2)}; webgpu timings ${JSON.stringify(gpu.result.timings)}`,
    );
    for (const { result, problems, text } of [wasm, gpu]) {
      expect(problems.consoleErrors).toEqual([]);
      expect(problems.foreignRequests).toEqual([]);
      expect(problems.failedResponses).toEqual([]);
      // The compare mode itself (facenet.test.ts asserts it on the full samples on WASM; this is its WebGPU run).
      expectDifferentPeople(result, text, defaultVariant('dlib-face-resnet-v1').id);
      expectMirrorTriplets(result);
    }
    expect(wasm.result.backend).toBe('wasm');
    expect(gpu.result.backend).toBe('webgpu');
    // The compare distance itself: the same float32 networks on the same pixels agree to 1e-3.
    expect(Math.abs(gpu.result.distances[0]![0]! - wasm.result.distances[0]![0]!)).toBeLessThan(1e-3);
    // Same detector and embedder in float32 on the same pixels: distances between unit-length
    // 128-d descriptors agree to 0.005 (rounding moves them by about 1e-5; a box off by a pixel
    // would move them by about 0.01-0.03, which this tolerance is meant to catch).
    gpu.result.triplets.pairs.forEach((pair, p) => {
      const reference = wasm.result.triplets.pairs[p]!;
      expect(Math.abs(pair.distance - reference.distance)).toBeLessThan(0.005);
      pair.negatives.forEach((negative, n) => {
        expect(negative.kind).toBe(reference.negatives[n]!.kind);
        expect(Math.abs(negative.distance - reference.negatives[n]!.distance)).toBeLessThan(0.005);
      });
    });
  });
});
