/**
 * FaceNet's triplets on the compare mode's faces (triplets=1): each face is an anchor with its
 * mirror image as the positive, every other face a negative labelled by the margin rule with
 * the demo's own distances.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { requireModels } from '../helpers/models.ts';
import { classifyNegative } from '../../src/inference/math/triplets.ts';

const baseUrl = inject('baseUrl');
const ready = requireModels('dlib-face-resnet-v1', 'mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');

interface TripletResult {
  distances: number[][];
  triplets: {
    margin: number;
    pairs: { anchor: string; positive: string; distance: number; negatives: { face: string; distance: number; kind: string }[] }[];
  };
}

describe.runIf(ready)('FaceNet triplets in compare mode', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('labels every negative of every anchor-positive pair by the margin rule (WASM)', async () => {
    const context = await browser.newContext();
    const { page, problems } = await openPage(context, baseUrl);
    await page.goto(`${baseUrl}/demo/facenet/?a=astronaut&b=camera&triplets=1&backend=wasm&autorun=1`);
    const result = await demoResult<TripletResult>(page);
    const { pairs, margin } = result.triplets;
    expect(margin).toBe(0.2);
    expect(pairs.map((pair) => [pair.anchor, pair.positive])).toEqual([
      ['A1', 'A1 mirrored'],
      ['B1', 'B1 mirrored'],
    ]);
    for (const pair of pairs) {
      expect(pair.distance).toBeGreaterThan(0);
      expect(pair.distance).toBeLessThan(0.6); // a face and its mirror image: the same person by the demo's own threshold
      expect(pair.negatives.map((n) => n.face)).toEqual(pair.anchor === 'A1' ? ['B1', 'B1 mirrored'] : ['A1', 'A1 mirrored']);
      for (const negative of pair.negatives) expect(negative.kind).toBe(classifyNegative(pair.distance, negative.distance, margin));
    }
    // The anchor-negative distance for A1 and B1 is the compare table's own number.
    expect(pairs[0]!.negatives[0]!.distance).toBeCloseTo(result.distances[0]![0]!, 5);
    await expect(page.locator('[data-triplets] li').count()).resolves.toBe(2);
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });
});
