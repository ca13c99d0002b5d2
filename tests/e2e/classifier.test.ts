/**
 * The classifier demo in Chromium: WASM and WebGPU agree on chelsea and say which backend ran;
 * a text file renamed .png is refused without breaking the page; a browser without WebGPU
 * falls back to WASM and says so.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { demoReady, demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { requireModels } from '../helpers/models.ts';
import { defaultVariant } from '../../src/models/variants/choose.ts';

const baseUrl = inject('baseUrl');
const ready = requireModels('resnet50-keras-imagenet', 'imagenet-labels');

interface ClassifierResult {
  backend: string;
  fallbackReason: string | null;
  threads: number;
  modelId: string;
  top5: { index: number; label: string; probability: number }[];
  timings: { firstMs: number | null; sessionMs: number };
}

describe.runIf(ready)('classifier demo', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function run(
    query: string,
    target = browser,
  ): Promise<{ result: ClassifierResult; problems: Awaited<ReturnType<typeof openPage>>['problems'] }> {
    const context = await target.newContext();
    const { page, problems } = await openPage(context, baseUrl);
    await page.goto(`${baseUrl}/demo/resnet-34/?${query}`);
    const result = await demoResult<ClassifierResult>(page);
    await context.close();
    return { result, problems };
  }

  it('gives the same top-1 on WASM and WebGPU for chelsea, naming the backend', async () => {
    const wasm = await run('sample=chelsea&backend=wasm&autorun=1');
    const webgpu = await run('sample=chelsea&backend=webgpu&autorun=1&repeat=1');
    expect(wasm.result.backend).toBe('wasm');
    expect(webgpu.result.backend).toBe('webgpu');
    expect(wasm.result.modelId).toBe(defaultVariant('resnet50-keras-imagenet').id); // the default production variant
    const top = wasm.result.top5[0]!;
    expect(top.index).toBeGreaterThanOrEqual(281);
    expect(top.index).toBeLessThanOrEqual(285);
    expect(webgpu.result.top5[0]!.index).toBe(top.index);
    expect(Math.abs(webgpu.result.top5[0]!.probability - top.probability)).toBeLessThan(1e-3);
    expect(wasm.result.threads).toBeGreaterThanOrEqual(1);
    for (const { problems } of [wasm, webgpu]) {
      expect(problems.consoleErrors).toEqual([]);
      expect(problems.foreignRequests).toEqual([]);
    }
  });

  it('refuses a text file renamed .png and stays usable', async () => {
    const fake = join(tmpdir(), 'r2p-not-an-image.png');
    writeFileSync(fake, 'This is plain text, not a PNG.\n');
    const context = await browser.newContext();
    const { page } = await openPage(context, baseUrl);
    await page.goto(`${baseUrl}/demo/resnet-34/?backend=wasm`);
    await demoReady(page);
    await page.locator('[data-file]').setInputFiles(fake);
    const error = page.locator('[data-error]');
    await expect.poll(() => error.textContent()).toMatch(/"r2p-not-an-image.png" is not an image/);
    // The page still works: pick a sample and run.
    await page.locator('[data-sample="coffee"]').click();
    await page.locator('[data-run]').click();
    const result = await demoResult<ClassifierResult>(page);
    expect(result.top5[0]!.index).toBe(967);
    await expect(error.isHidden()).resolves.toBe(true);
    await context.close();
  });

  it('falls back to WASM in a browser without WebGPU, and says so', async () => {
    const noGpu = await launchChromium({ webgpu: false });
    try {
      const { result } = await run('sample=coffee&autorun=1&repeat=1', noGpu);
      expect(result.backend).toBe('wasm');
      expect(result.fallbackReason).toMatch(/WebGPU/);
      expect(result.top5[0]!.index).toBe(967);
    } finally {
      await noGpu.close();
    }
  });
});
