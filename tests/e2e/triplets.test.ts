/**
 * FaceNet's triplets on the compare mode's faces (triplets=1): each face is an anchor with its
 * mirror image as the positive, every other face a negative labelled by the margin rule with
 * the demo's own distances.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { expectMirrorTriplets, type TripletsFields } from '../helpers/face-results.ts';
import { requireModels } from '../helpers/models.ts';

const baseUrl = inject('baseUrl');
const ready = requireModels('dlib-face-resnet-v1', 'mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');

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
    const result = await demoResult<TripletsFields>(page);
    expectMirrorTriplets(result);
    await expect(page.locator('[data-triplets] li').count()).resolves.toBe(2);
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });
});
