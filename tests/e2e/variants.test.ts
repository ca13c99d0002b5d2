/**
 * Production variants in the built site: the classifier demo loads its default variant (int8)
 * and says so in data-result, ?variant= picks another, an unknown kind is explained, a variant
 * whose bytes fail their pin falls back to the fp32 parent and says so, the face demo compares
 * its variants on one image pair, and the fp32 ResNet-50 (over 25 MiB) is served in parts.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { getModel } from '../../src/models/catalog.ts';
import { modelParts } from '../../src/models/parts.ts';
import { demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { requireModels } from '../helpers/models.ts';

const baseUrl = inject('baseUrl');
const classifierReady = requireModels(
  'resnet50-keras-imagenet',
  'resnet50-keras-imagenet-int8',
  'resnet50-keras-imagenet-fp16',
  'imagenet-labels',
);
const faceReady = requireModels('dlib-face-resnet-v1', 'dlib-face-resnet-v1-int8', 'mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');

interface Result {
  variant: string;
  modelId?: string;
  embedderId?: string;
  top5?: { index: number }[];
  verdicts?: { same: boolean }[];
}

describe('production variants in the demos', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium({ webgpu: false });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(path: string, corruptModel?: string) {
    const context = await browser.newContext();
    if (corruptModel) {
      await context.route(`**/models/${corruptModel}*`, (route) => route.fulfill({ status: 200, body: Buffer.alloc(1000, 7) }));
    }
    const { page, problems } = await openPage(context, baseUrl);
    await page.goto(`${baseUrl}${path}`);
    return { page, problems, context };
  }

  it.runIf(classifierReady)(
    'the classifier runs its default variant (int8) and names it in data-result',
    async () => {
      const { page, context } = await open('/demo/resnet-34/?sample=chelsea&backend=wasm&autorun=1&repeat=1');
      const result = await demoResult<Result>(page);
      expect(result.variant).toBe('int8');
      expect(result.modelId).toBe('resnet50-keras-imagenet-int8');
      expect(result.top5![0]!.index).toBe(285);
      await context.close();
    },
    300_000,
  );

  it.runIf(classifierReady)(
    '?variant=fp16 runs the fp16 file; an unknown kind is explained and the default runs',
    async () => {
      const fp16 = await open('/demo/resnet-34/?sample=chelsea&backend=wasm&autorun=1&repeat=1&variant=fp16');
      const result = await demoResult<Result>(fp16.page);
      expect([result.variant, result.modelId]).toEqual(['fp16', 'resnet50-keras-imagenet-fp16']);
      expect(result.top5![0]!.index).toBe(285);
      await fp16.context.close();

      const unknown = await open('/demo/resnet-34/?sample=coffee&backend=wasm&autorun=1&repeat=1&variant=int4');
      expect((await demoResult<Result>(unknown.page)).variant).toBe('int8');
      expect(await unknown.page.locator('[data-variant-note]').textContent()).toContain('Unknown variant');
      await unknown.context.close();
    },
    300_000,
  );

  it.runIf(classifierReady)(
    'a variant whose bytes fail the pin falls back to the fp32 parent, served in parts, and says so',
    async () => {
      const { page, context } = await open(
        '/demo/resnet-34/?sample=coffee&backend=wasm&autorun=1&repeat=1',
        getModel('resnet50-keras-imagenet-int8').file,
      );
      const partRequests: string[] = [];
      context.on('request', (request) => {
        if (request.url().includes('.part-')) partRequests.push(new URL(request.url()).pathname);
      });
      const result = await demoResult<Result>(page);
      expect([result.variant, result.modelId]).toEqual(['fp32', 'resnet50-keras-imagenet']);
      expect(result.top5![0]!.index).toBe(967);
      expect(await page.locator('[data-variant-note]').textContent()).toContain('int8 variant could not be used');
      // The build serves the fp32 file only in parts: the whole file is not there, every part is (the service worker sees each request again).
      const parent = getModel('resnet50-keras-imagenet');
      expect((await fetch(`${baseUrl}/models/${parent.file}`)).status).toBe(404);
      expect([...new Set(partRequests)].sort()).toEqual(modelParts(parent).map((part) => `/models/${part.file}`));
      await context.close();
    },
    600_000,
  );

  it.runIf(faceReady)(
    'the face demo compares its variants on one image pair',
    async () => {
      const { page, context } = await open('/demo/facenet/?a=astronaut&b=camera&backend=wasm&autorun=1&repeat=1');
      const first = await demoResult<Result>(page);
      expect(first.variant).toBe('int8');
      await page.locator('[data-compare-variants]').click();
      await page.locator('[data-demo][data-variant-comparison]').waitFor({ timeout: 300_000 });
      const comparison = JSON.parse((await page.locator('[data-demo]').getAttribute('data-variant-comparison'))!) as {
        kind: string;
        result: string;
      }[];
      expect(comparison.map((row) => row.kind)).toEqual(['fp32', 'fp16', 'int8', 'int8-qdq']);
      for (const row of comparison) expect(row.result, row.kind).toMatch(/^different \(/);
      expect(await page.locator('table.variant-compare tbody tr').count()).toBe(4);
      await context.close();
    },
    600_000,
  );
});
