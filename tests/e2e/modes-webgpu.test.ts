/**
 * The issue-16 modes on WebGPU (here SwiftShader, a software adapter 10-100x slower than WASM),
 * with the smallest inputs that still exercise them, each beside the same run on WASM:
 *   - teach mode: 2 classes x 1 photo, 1 augmented copy each (so 2 copies are held out), one test image;
 *   - triplets: two photos with one face each (two anchors, each with its mirror image as positive
 *     and the other face and its mirror as negatives).
 * Both backends run the same float32 network on the same pixels, so the results must agree: same
 * labels and kinds, and numbers within tolerances justified next to each assertion.
 * (MTCNN's data mode runs on both backends in training-data.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { requireModels } from '../helpers/models.ts';
import { classifyNegative } from '../../src/inference/math/triplets.ts';

const baseUrl = inject('baseUrl');
const teachReady = requireModels('resnet50-keras-imagenet-features', 'imagenet-labels');
const tripletsReady = requireModels('dlib-face-resnet-v1', 'mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');

interface TeachResult {
  backend: string;
  classes: { name: string; examples: number }[];
  examples: { total: number; train: number; heldOut: number };
  trainMs: number;
  trainAccuracy: number | null;
  heldOutAccuracy: number | null;
  loss: { initial: number; final: number };
  prediction: { label: string; probability: number };
  probabilities: { label: string; probability: number }[];
  baseline: { method: string; prediction: string; heldOutAccuracy: number | null };
  confusion: number[][];
  imagenetTop5: { index: number; label: string; probability: number }[];
}

interface TripletResult {
  backend: string;
  distances: number[][];
  triplets: {
    margin: number;
    pairs: { anchor: string; positive: string; distance: number; negatives: { face: string; distance: number; kind: string }[] }[];
  };
}

async function run<T>(browser: Browser, path: string): Promise<{ result: T; seconds: number; consoleErrors: string[] }> {
  const context = await browser.newContext();
  try {
    const { page, problems } = await openPage(context, baseUrl);
    const started = Date.now();
    await page.goto(`${baseUrl}${path}`);
    const result = await demoResult<T>(page, '[data-demo]', 540_000);
    const seconds = (Date.now() - started) / 1000;
    return { result, seconds, consoleErrors: problems.consoleErrors };
  } finally {
    await context.close();
  }
}

describe('issue-16 modes on WebGPU and WASM', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.runIf(teachReady)('teach mode trains and classifies on WebGPU as it does on WASM', async () => {
    const link = '/demo/resnet-34/?mode=teach&classes=cat:chelsea,cup:coffee&augment=1&test=chelsea&autorun=1';
    const wasm = await run<TeachResult>(browser, `${link}&backend=wasm`);
    const gpu = await run<TeachResult>(browser, `${link}&backend=webgpu`);
    console.log(`[modes-webgpu] teach: wasm ${wasm.seconds.toFixed(1)} s, webgpu ${gpu.seconds.toFixed(1)} s`);
    for (const { result, consoleErrors } of [wasm, gpu]) {
      expect(consoleErrors).toEqual([]);
      expect(result.classes).toEqual([
        { name: 'cat', examples: 1 },
        { name: 'cup', examples: 1 },
      ]);
      // 2 photos x (1 + 1 copy); a one-photo class trains on its photo, so only the copies are held out.
      expect(result.examples).toEqual({ total: 4, train: 2, heldOut: 2 });
      expect(result.trainMs).toBeGreaterThan(0);
      expect(result.trainAccuracy).toBe(1);
      expect(result.heldOutAccuracy).toBe(1);
      expect(result.confusion).toEqual([
        [1, 0],
        [0, 1],
      ]);
      expect(result.loss.final).toBeLessThan(result.loss.initial);
      expect(result.prediction.label).toBe('cat');
      expect(result.prediction.probability).toBeGreaterThan(0.5);
      expect(result.probabilities.reduce((sum, item) => sum + item.probability, 0)).toBeCloseTo(1, 5);
      expect(result.baseline).toMatchObject({ method: 'nearest-centroid', prediction: 'cat', heldOutAccuracy: 1 });
      expect(result.imagenetTop5[0]!.label).toMatch(/cat/);
    }
    expect(wasm.result.backend).toBe('wasm');
    expect(gpu.result.backend).toBe('webgpu');
    // The same float32 ResNet-50 on the same pixels: the ImageNet top-5 is the same classes in the same
    // order, and each probability agrees to 0.01 (the two providers sum in different orders, which moves
    // float32 logits by about 1e-4 relative; 0.01 is two orders of magnitude above that and still far
    // below the gaps between the top-5 classes that a real mismatch would show).
    expect(gpu.result.imagenetTop5.map((item) => item.index)).toEqual(wasm.result.imagenetTop5.map((item) => item.index));
    gpu.result.imagenetTop5.forEach((item, i) =>
      expect(Math.abs(item.probability - wasm.result.imagenetTop5[i]!.probability)).toBeLessThan(0.01),
    );
    // The head is trained by the same deterministic gradient descent (same seed, same split) on
    // features that differ only by that rounding; the L2-regularised softmax loss is smooth, so the
    // head and its probabilities move by the same order: 0.02 leaves room for 300 steps of drift.
    expect(Math.abs(gpu.result.prediction.probability - wasm.result.prediction.probability)).toBeLessThan(0.02);
    expect(Math.abs(gpu.result.loss.final - wasm.result.loss.final)).toBeLessThan(0.02);
  });

  it.runIf(tripletsReady)('triplets label the same negatives on WebGPU as on WASM', async () => {
    const link = '/demo/facenet/?a=astronaut&b=camera&triplets=1&autorun=1';
    const wasm = await run<TripletResult>(browser, `${link}&backend=wasm`);
    const gpu = await run<TripletResult>(browser, `${link}&backend=webgpu`);
    console.log(`[modes-webgpu] triplets: wasm ${wasm.seconds.toFixed(1)} s, webgpu ${gpu.seconds.toFixed(1)} s`);
    for (const { result, consoleErrors } of [wasm, gpu]) {
      expect(consoleErrors).toEqual([]);
      const { pairs, margin } = result.triplets;
      expect(margin).toBe(0.2);
      expect(pairs.map((pair) => [pair.anchor, pair.positive])).toEqual([
        ['A1', 'A1 mirrored'],
        ['B1', 'B1 mirrored'],
      ]);
      for (const pair of pairs) {
        expect(pair.distance).toBeGreaterThan(0);
        expect(pair.distance).toBeLessThan(0.6);
        expect(pair.negatives.map((n) => n.face)).toEqual(pair.anchor === 'A1' ? ['B1', 'B1 mirrored'] : ['A1', 'A1 mirrored']);
        for (const negative of pair.negatives) expect(negative.kind).toBe(classifyNegative(pair.distance, negative.distance, margin));
      }
      expect(pairs[0]!.negatives[0]!.distance).toBeCloseTo(result.distances[0]![0]!, 5);
    }
    expect(wasm.result.backend).toBe('wasm');
    expect(gpu.result.backend).toBe('webgpu');
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
