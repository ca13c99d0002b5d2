/**
 * The data modes in Chromium: MTCNN's training crops (mode=data) cut from a sample's detected
 * faces, every crop's IoU inside its kind's range; and the crop size switch.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { requireModels } from '../helpers/models.ts';
import { iouInRange, type CropKind } from '../../src/inference/math/mtcnn-training-crops.ts';
import { iou } from '../../src/inference/math/nms.ts';
import type { Box } from '../../src/inference/types.ts';

const baseUrl = inject('baseUrl');
const ready = requireModels('mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');

interface DataResult {
  backend: string;
  faces: { box: Box }[];
  cropSize: number;
  cropCounts: Record<CropKind, number>;
  crops: { box: Box; iou: number; kind: CropKind; size: number }[];
}

describe.runIf(ready)('MTCNN data mode', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const backend of ['wasm', 'webgpu'] as const) {
    it(`cuts labelled training crops from astronaut's face on ${backend}`, async () => {
      const context = await browser.newContext();
      const { page, problems } = await openPage(context, baseUrl);
      await page.goto(`${baseUrl}/demo/mtcnn/?mode=data&sample=astronaut&backend=${backend}&autorun=1`);
      const result = await demoResult<DataResult>(page);
      expect(result.backend).toBe(backend);
      expect(result.faces).toHaveLength(1);
      expect(result.cropSize).toBe(12);
      for (const kind of ['positive', 'part', 'negative', 'landmark'] as const) expect(result.cropCounts[kind], kind).toBeGreaterThan(0);
      for (const crop of result.crops) {
        expect(iouInRange(crop.kind, crop.iou), `${crop.kind} ${crop.iou}`).toBe(true);
        // The IoU is the crop's overlap with the detected face (2 decimals of box rounding aside).
        expect(Math.abs(crop.iou - iou(crop.box, result.faces[0]!.box))).toBeLessThan(0.01);
        expect(crop.size).toBe(12);
      }
      await expect(page.locator('[data-crop-grid] canvas').count()).resolves.toBe(result.crops.length);
      if (backend === 'wasm') {
        // Another net's size re-cuts the crops at 48 px.
        await page.locator('[data-crop-size]').selectOption('48');
        await expect
          .poll(async () => JSON.parse((await page.locator('[data-demo]').getAttribute('data-result')) ?? '{}').cropSize)
          .toBe(48);
      }
      expect(problems.consoleErrors).toEqual([]);
      await context.close();
    });
  }
});
