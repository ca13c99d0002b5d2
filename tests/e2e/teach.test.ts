/**
 * The classifier demo's teach mode in Chromium: the deep link builds two classes from samples,
 * trains a head on the features file and reports the documented data-result; bad input (one
 * class, a class with no examples, a test image that cannot be loaded, an import that is not a
 * head) is refused with a clear message and nothing is lost; export, import and delete work.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { requireModels } from '../helpers/models.ts';

const baseUrl = inject('baseUrl');
const ready = requireModels('resnet50-keras-imagenet-features', 'imagenet-labels');

interface TeachResult {
  backend: string;
  modelId: string;
  classes: { name: string; examples: number }[];
  trainMs: number;
  trainAccuracy: number | null;
  heldOutAccuracy: number | null;
  prediction: { label: string; probability: number };
  baseline: { method: string; heldOutAccuracy: number | null; prediction: string };
  confusion: number[][];
  examples: { total: number; train: number; heldOut: number };
  augmentation: { copies: number; heldOutAccuracyWithout: number | null };
  imagenetTop5: { index: number; label: string; probability: number }[];
}

async function errorOf(page: Page): Promise<string> {
  const root = page.locator('[data-demo]').first();
  await root.and(page.locator('[data-state="error"]')).waitFor({ timeout: 120_000 });
  return (await page.locator('[data-error]').first().textContent()) ?? '';
}

describe.runIf(ready)('teach mode (transfer learning in the browser)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('trains on the deep link classes and classifies the test image on WASM; the head is kept, exported, re-imported and deleted', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const { page, problems } = await openPage(context, baseUrl);
    await page.goto(`${baseUrl}/demo/resnet-34/?mode=teach&classes=cat:chelsea,cup:coffee&augment=4&test=chelsea&backend=wasm&autorun=1`);
    const result = await demoResult<TeachResult>(page);
    expect(result.backend).toBe('wasm');
    expect(result.modelId).toBe('resnet50-keras-imagenet-features');
    expect(result.classes).toEqual([
      { name: 'cat', examples: 1 },
      { name: 'cup', examples: 1 },
    ]);
    expect(result.examples.total).toBe(10); // 2 images x (1 + 4 copies)
    expect(result.examples.heldOut).toBeGreaterThanOrEqual(2);
    expect(result.trainMs).toBeGreaterThan(0);
    expect(result.trainAccuracy).toBe(1);
    expect(result.heldOutAccuracy).toBe(1);
    expect(result.prediction.label).toBe('cat');
    expect(result.prediction.probability).toBeGreaterThan(0.5);
    expect(result.baseline.method).toBe('nearest-centroid');
    // Only copies are held out (one photo per class), so the photos alone can still train a head to compare with.
    expect(result.augmentation.copies).toBe(4);
    expect(result.augmentation.heldOutAccuracyWithout).toBeGreaterThanOrEqual(0);
    expect(result.augmentation.heldOutAccuracyWithout).toBeLessThanOrEqual(1);
    expect(result.baseline.prediction).toBe('cat');
    expect(result.confusion).toEqual([
      [result.examples.heldOut - result.confusion[1]!.reduce((a, b) => a + b, 0), 0],
      [0, result.confusion[1]![1]!],
    ]);
    expect(result.imagenetTop5[0]!.label).toMatch(/cat/);
    await expect(page.locator('[data-teach-augmented] canvas').count()).resolves.toBe(4);
    await expect(page.locator('[data-teach-kept]').textContent()).resolves.toMatch(/Head kept on this device: cat, cup/);

    // Export the head, then an import of something else is refused and the kept head stays.
    const download = page.waitForEvent('download');
    await page.locator('[data-teach-export]').click();
    const exported = await (await download).path();
    const notAHead = join(tmpdir(), 'r2p-not-a-head.json');
    writeFileSync(notAHead, JSON.stringify({ format: 'something-else', weights: [] }));
    await page.locator('[data-teach-import]').setInputFiles(notAHead);
    await expect
      .poll(() => page.locator('[data-error]').first().textContent())
      .toMatch(/Import refused: This JSON file is not a head exported by this demo/);
    await expect(page.locator('[data-teach-kept]').textContent()).resolves.toMatch(/cat, cup/);

    // Delete, then import the exported file back: the kept head returns.
    await page.locator('[data-teach-delete]').click();
    await expect.poll(() => page.locator('[data-teach-kept]').textContent()).toMatch(/No head kept/);
    await page.locator('[data-teach-import]').setInputFiles(exported);
    await expect.poll(() => page.locator('[data-teach-kept]').textContent()).toMatch(/Head kept on this device: cat, cup/);

    // A reload finds the head in IndexedDB; with no examples, Run classifies with it.
    await page.goto(`${baseUrl}/demo/resnet-34/?mode=teach&sample=coffee&backend=wasm`);
    await expect.poll(() => page.locator('[data-teach-kept]').textContent()).toMatch(/Head kept on this device: cat, cup/);
    await page.locator('[data-run]').click();
    const kept = await demoResult<TeachResult & { source: string }>(page);
    expect(kept.source).toBe('kept head');
    expect(kept.prediction.label).toBe('cup');
    expect(problems.consoleErrors).toEqual([]);
    expect(problems.foreignRequests).toEqual([]);
    await context.close();
  });

  it('opens from the button on a plain demo page, and closes again', async () => {
    const context = await browser.newContext();
    const { page, problems } = await openPage(context, baseUrl);
    await page.goto(`${baseUrl}/demo/resnet-34/?backend=wasm`);
    await expect(page.locator('[data-teach]').isHidden()).resolves.toBe(true);
    await page.locator('[data-teach-toggle]').click();
    await expect.poll(() => page.locator('[data-teach]').isVisible()).toBe(true);
    await expect(page.locator('[data-demo]').getAttribute('data-mode')).resolves.toBe('teach');
    await expect(page.locator('[data-teach-class]').count()).resolves.toBe(2);
    await page.locator('[data-teach-toggle]').click();
    await expect.poll(() => page.locator('[data-teach]').isHidden()).toBe(true);
    expect(problems.consoleErrors).toEqual([]);
    await context.close();
  });

  it('refuses one class, a class with no examples and a test image that cannot be loaded, keeping the classes', async () => {
    const context = await browser.newContext();
    const { page } = await openPage(context, baseUrl);
    await page.goto(`${baseUrl}/demo/resnet-34/?mode=teach&classes=cat:chelsea&test=coffee&backend=wasm&autorun=1`);
    expect(await errorOf(page)).toMatch(/at least 2 classes \(it has 1\)/);
    await expect(page.locator('[data-teach-class]').count()).resolves.toBe(1);

    await page.goto(`${baseUrl}/demo/resnet-34/?mode=teach&classes=cat:chelsea,cup:&test=coffee&backend=wasm&autorun=1`);
    expect(await errorOf(page)).toMatch(/Class "cup" has no examples/);
    await expect(page.locator('[data-teach-class]').count()).resolves.toBe(2);

    await page.goto(`${baseUrl}/demo/resnet-34/?mode=teach&classes=cat:chelsea,cup:coffee&test=no-such-image&backend=wasm&autorun=1`);
    expect(await errorOf(page)).toMatch(/test image "no-such-image" could not be loaded/);
    // Nothing lost: both classes keep their example, and an uploaded file that is not an image is refused too.
    await expect(page.locator('[data-teach-class] canvas').count()).resolves.toBe(2);
    const fake = join(tmpdir(), 'r2p-teach-not-an-image.png');
    writeFileSync(fake, 'plain text\n');
    await page.locator('[data-file]').setInputFiles(fake);
    await expect.poll(() => page.locator('[data-error]').first().textContent()).toMatch(/is not an image/);
    await expect(page.locator('[data-teach-class] canvas').count()).resolves.toBe(2);
    await context.close();
  });
});
