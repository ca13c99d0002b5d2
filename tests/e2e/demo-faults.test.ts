/**
 * Faults in the demos themselves, each reproduced in Chromium against the built site:
 * - a result belongs to the input it was computed from: replacing the image while a run is in
 *   flight never shows the old image's result under the new image's name (classifier, MTCNN);
 * - every failed autorun input of the face demo ends in data-state="error" with the message
 *   shown, and so does a refused upload;
 * - threads: without cross-origin isolation a threads=64 request reports the one thread ORT
 *   really runs, and says why;
 * - the stage QR code encodes the short demo address and neither throws nor widens the page on
 *   a very long address;
 * - a model= naming a model that is not installed keeps its notice through an autorun;
 * - status lines end with one full stop.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startStaticServer } from '../../scripts/static-server.ts';
import { MODEL_CATALOG } from '../../src/models/catalog.ts';
import { demoReady, demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { isInstalled, requireModels } from '../helpers/models.ts';

const baseUrl = inject('baseUrl');
const distDir = inject('distDir');
const classifierReady = requireModels('resnet50-keras-imagenet', 'imagenet-labels');
const mtcnnReady = requireModels('mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');
const faceReady = requireModels('dlib-face-resnet-v1', 'mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');

interface Result {
  image?: string;
  top5?: { index: number }[];
  faces?: { box: Record<string, number> }[];
  threads?: number;
  threadsNote?: string | null;
  crossOriginIsolated?: boolean;
  error?: string;
}

const readResult = async (page: Page, selector = '[data-demo]') =>
  JSON.parse((await page.locator(selector).first().getAttribute('data-result')) ?? '{}') as Result;

/**
 * Press Run on the current image and, the moment the run starts inferring, pick another sample
 * (in the page, so no round trip lets the run finish first).
 */
async function replaceImageDuringRun(page: Page, replacement: string): Promise<void> {
  await page.locator('[data-demo] [data-run]:not([disabled])').waitFor();
  await page.evaluate((replacement) => {
    const root = document.querySelector<HTMLElement>('[data-demo]')!;
    const observer = new MutationObserver(() => {
      if (root.dataset.state !== 'running') return;
      observer.disconnect();
      root.querySelector<HTMLButtonElement>(`[data-sample="${replacement}"]`)!.click();
    });
    observer.observe(root, { attributes: true, attributeFilter: ['data-state'] });
  }, replacement);
  await page.locator('[data-demo] [data-run]').click();
}

/** Wait until the demo is done and its result names the sample now selected (or time out). */
async function settledOn(page: Page, sample: string, timeout = 90_000): Promise<Result> {
  await page.waitForFunction(
    (sample) => {
      const root = document.querySelector<HTMLElement>('[data-demo]')!;
      const pressed = root.querySelector('[data-sample][aria-pressed="true"]')?.getAttribute('data-sample');
      const result = JSON.parse(root.dataset.result ?? '{}') as { image?: string };
      return root.dataset.state === 'done' && pressed === sample && result.image === sample;
    },
    sample,
    { timeout },
  );
  return readResult(page);
}

describe('a result belongs to its input', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.runIf(classifierReady)("classifier: an image replaced mid-run never gets the old image's top-5", async () => {
    const context = await browser.newContext();
    try {
      const { page } = await openPage(context, baseUrl);
      await page.goto(`${baseUrl}/demo/resnet-34/?sample=chelsea&backend=wasm`);
      await replaceImageDuringRun(page, 'coffee');
      const result = await settledOn(page, 'coffee');
      // Espresso (967), not chelsea's cat classes (281-285).
      expect(result.top5?.[0]?.index).toBe(967);
      await expect(page.locator('[data-top5] li').first().textContent()).resolves.toMatch(/espresso/i);
    } finally {
      await context.close();
    }
  });

  it.runIf(mtcnnReady)('MTCNN: the faces shown are those of the image shown', async () => {
    const context = await browser.newContext();
    try {
      const { page } = await openPage(context, baseUrl);
      await page.goto(`${baseUrl}/demo/mtcnn/?sample=camera&backend=wasm&autorun=1`);
      const reference = await demoResult<Result>(page);
      await page.goto(`${baseUrl}/demo/mtcnn/?sample=astronaut&backend=wasm`);
      await replaceImageDuringRun(page, 'camera');
      const result = await settledOn(page, 'camera');
      expect(result.faces).toEqual(reference.faces);
      expect(await page.locator('[data-faces] li').count()).toBe(reference.faces!.length);
    } finally {
      await context.close();
    }
  });
});

describe.runIf(faceReady)('face demo: every failed input ends in error, with the message shown', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function expectError(page: Page, message: RegExp): Promise<void> {
    const root = page.locator('[data-demo="face-embedding"]');
    await root.and(page.locator('[data-state="error"]')).waitFor({ timeout: 30_000 });
    const box = root.locator('[data-error]');
    await expect(box.isVisible()).resolves.toBe(true);
    await expect(box.textContent()).resolves.toMatch(message);
    expect((await readResult(page)).error).toMatch(message);
  }

  for (const query of ['a=nope&b=camera', 'a=astronaut&b=nope', 'sample=nope', 'mode=identify&sample=nope']) {
    it(`?${query}&autorun=1 ends in error`, async () => {
      const context = await browser.newContext();
      try {
        const { page } = await openPage(context, baseUrl);
        await page.goto(`${baseUrl}/demo/facenet/?${query}&backend=wasm&autorun=1`);
        await expectError(page, /no sample called "nope"/);
      } finally {
        await context.close();
      }
    });
  }

  it('a refused upload sets data-state="error"', async () => {
    const fake = join(tmpdir(), 'r2p-faults-not-an-image.png');
    writeFileSync(fake, 'plain text, not a PNG\n');
    const context = await browser.newContext();
    try {
      const { page } = await openPage(context, baseUrl);
      await page.goto(`${baseUrl}/demo/facenet/?backend=wasm`);
      await demoReady(page);
      await page.locator('[data-image-input$="-a"] [data-file]').setInputFiles(fake);
      await expectError(page, /"r2p-faults-not-an-image.png" is not an image/);
    } finally {
      await context.close();
    }
  });
});

describe.runIf(mtcnnReady)('threads without cross-origin isolation', () => {
  it('threads=64 reports the one thread that runs, and says why', async () => {
    const server = await startStaticServer(distDir, { isolated: false });
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const { page } = await openPage(context, server.url);
      await page.goto(`${server.url}/demo/mtcnn/?sample=astronaut&backend=wasm&autorun=1&threads=64`);
      const result = await demoResult<Result>(page);
      expect(result.crossOriginIsolated).toBe(false);
      expect(result.threads).toBe(1);
      expect(result.threadsNote).toMatch(/64 threads requested.*not cross-origin isolated/);
      await expect(page.locator('[data-status]').textContent()).resolves.toMatch(/WASM \(1 thread\).*64 threads requested/);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

describe('stage page details', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const bytes of [3_000, 8_000]) {
    it(`the QR code encodes the short demo address on a ${bytes}-byte URL, without widening the page`, async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      try {
        const { page, problems } = await openPage(context, baseUrl);
        await page.goto(`${baseUrl}/demo/mtcnn/?backend=wasm&note=${'x'.repeat(bytes)}`);
        // The worker's SVG for this origin replaces the built one.
        await page.locator(`svg[data-qr][data-qr-text="${baseUrl}/demo/mtcnn/"]`).waitFor({ timeout: 30_000 });
        await expect(page.locator('[data-qr]').count()).resolves.toBe(1);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
        expect(problems.consoleErrors).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  const missing = MODEL_CATALOG.find((entry) => entry.task === 'image-classification' && !isInstalled(entry.id));
  it.runIf(classifierReady && missing)('model=<not installed>&autorun=1 keeps the "not available, using X" notice', async () => {
    const context = await browser.newContext();
    try {
      const { page } = await openPage(context, baseUrl);
      await page.goto(`${baseUrl}/demo/resnet-34/?model=${missing!.id}&sample=chelsea&backend=wasm&autorun=1`);
      await demoResult(page);
      const text = (await page.locator('[data-demo]').innerText()).replace(/\s+/g, ' ');
      expect(text).toContain(`Model "${missing!.id}" is not available in this demo; using resnet50-keras-imagenet.`);
    } finally {
      await context.close();
    }
  });

  it.runIf(mtcnnReady)('a status line with a fallback reason ends with one full stop', async () => {
    const noGpu = await launchChromium({ webgpu: false });
    try {
      const context = await noGpu.newContext();
      const { page } = await openPage(context, baseUrl);
      await page.goto(`${baseUrl}/demo/mtcnn/?sample=astronaut&autorun=1`);
      const result = await demoResult<Result & { fallbackReason: string | null }>(page);
      expect(result.fallbackReason).toMatch(/WebGPU/);
      const status = (await page.locator('[data-status]').textContent()) ?? '';
      expect(status).toMatch(/using WASM\.$/);
      expect(status).not.toMatch(/\.\./);
    } finally {
      await noGpu.close();
    }
  });
});

describe.runIf(mtcnnReady)('a slow run shows its progress and offers a way out', () => {
  it('elapsed time, the stage running, and "Switch to WASM" that finishes the run on WASM', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const { page } = await openPage(context, baseUrl);
      // Forced WebGPU runs on the software adapter here: minutes for MTCNN's pyramid.
      await page.goto(`${baseUrl}/demo/mtcnn/?sample=astronaut&backend=webgpu&autorun=1`);
      const root = page.locator('[data-demo]');
      await root.locator('[data-elapsed]:not([hidden])').waitFor({ timeout: 60_000 });
      await expect(root.locator('[data-elapsed]').textContent()).resolves.toMatch(/^\d+ s$/);
      await root.locator('[data-switch-wasm]:not([hidden])').waitFor();
      await root.locator('[data-status]', { hasText: /P-Net|R-Net|O-Net|Creating|Starting/ }).waitFor({ timeout: 60_000 });
      await root.locator('[data-switch-wasm]').click();
      const result = await demoResult<Result & { backend: string }>(page);
      expect(result.backend).toBe('wasm');
      expect(result.faces).toHaveLength(1);
      await expect(root.locator('[data-elapsed]').isHidden()).resolves.toBe(true);
    } finally {
      await browser.close();
    }
  });
});
