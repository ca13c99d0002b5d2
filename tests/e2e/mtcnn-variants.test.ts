/**
 * MTCNN production variants on the stage page (/demo/mtcnn/), on WASM: ?variant=int8 runs the
 * int8 file of all three nets and says so in data-result; its faces match the fp32 run on the
 * same page within the catalog's measured bound; "compare variants on this image" shows every
 * installed kind side by side; and a variant net whose bytes fail their pin falls back to the
 * fp32 cascade and says so.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { getModel } from '../../src/models/catalog.ts';
import { demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { requireModels } from '../helpers/models.ts';

const baseUrl = inject('baseUrl');
const NETS = ['mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet'];
const ready = requireModels(...NETS, ...NETS.map((net) => `${net}-int8`));

interface Face {
  box: { x1: number; y1: number; x2: number; y2: number };
  landmarks: [number, number][];
}
interface Result {
  variant: string;
  nets: { pnet: string; rnet: string; onet: string };
  faces: Face[];
  run: number;
}

/** Largest box-corner and landmark displacement between two face lists of the same length, in order of x1. */
function largestShift(a: Face[], b: Face[]): { box: number; landmark: number } {
  const sorted = (faces: Face[]) => [...faces].sort((p, q) => p.box.x1 - q.box.x1);
  const [left, right] = [sorted(a), sorted(b)];
  let box = 0;
  let landmark = 0;
  left.forEach((face, i) => {
    const other = right[i]!;
    box = Math.max(
      box,
      Math.hypot(face.box.x1 - other.box.x1, face.box.y1 - other.box.y1),
      Math.hypot(face.box.x2 - other.box.x2, face.box.y2 - other.box.y2),
    );
    face.landmarks.forEach(
      ([x, y], k) => (landmark = Math.max(landmark, Math.hypot(x - other.landmarks[k]![0], y - other.landmarks[k]![1]))),
    );
  });
  return { box, landmark };
}

describe.runIf(ready)('MTCNN variants in the demo (WASM)', () => {
  let browser: Browser;
  const started = Date.now();
  beforeAll(async () => {
    browser = await launchChromium({ webgpu: false });
  });
  afterAll(async () => {
    await browser?.close();
    console.log(`[mtcnn-variants] file took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  async function nextResult(page: Page, after: number): Promise<Result> {
    await page.waitForFunction(
      (previous) => {
        const root = document.querySelector<HTMLElement>('[data-demo]');
        const result = JSON.parse(root?.dataset.result ?? '{}') as { run?: number; error?: string };
        return root?.dataset.state === 'error' || (root?.dataset.state === 'done' && (result.run ?? 0) > previous);
      },
      after,
      { timeout: 120_000 },
    );
    return demoResult<Result>(page);
  }

  it('?variant=int8 runs the three int8 nets, within the measured bound of fp32; compare lists every kind', async () => {
    const context = await browser.newContext();
    const { page } = await openPage(context, baseUrl);
    await page.goto(`${baseUrl}/demo/mtcnn/?variant=int8&sample=astronaut&backend=wasm&autorun=1&repeat=1`);
    const int8 = await demoResult<Result>(page);
    expect(int8.variant).toBe('int8');
    expect(int8.nets).toEqual({ pnet: 'mtcnn-pnet-int8', rnet: 'mtcnn-rnet-int8', onet: 'mtcnn-onet-int8' });
    expect(await page.locator('select[data-variant]').inputValue()).toBe('int8');

    // The same image through the fp32 nets, picked in the picker.
    await page.locator('select[data-variant]').selectOption('fp32');
    await page.locator('[data-run]').click();
    const fp32 = await nextResult(page, int8.run);
    expect(fp32.variant).toBe('fp32');
    expect(fp32.nets).toEqual({ pnet: 'mtcnn-pnet', rnet: 'mtcnn-rnet', onet: 'mtcnn-onet' });
    expect(fp32.faces.length).toBeGreaterThan(0);
    expect(int8.faces.length).toBe(fp32.faces.length);
    const measured = getModel('mtcnn-pnet-int8').variant!.accuracy;
    if (measured?.kind !== 'detection') throw new Error('mtcnn-pnet-int8 has no recorded detection accuracy');
    const shift = largestShift(fp32.faces, int8.faces);
    console.log(`[mtcnn-variants] int8 vs fp32 in Chromium: box ${shift.box.toFixed(2)} px, landmarks ${shift.landmark.toFixed(2)} px`);
    // Browser resampling (canvas) differs from the Node measurement's pure kernels: half a pixel of slack.
    expect(shift.box).toBeLessThanOrEqual(measured.maxBoxErrorPx + 0.5);
    expect(shift.landmark).toBeLessThanOrEqual(measured.maxLandmarkErrorPx + 0.5);

    await page.locator('[data-compare-variants]').click();
    await page.locator('[data-demo][data-variant-comparison]').waitFor({ timeout: 120_000 });
    const comparison = JSON.parse((await page.locator('[data-demo]').getAttribute('data-variant-comparison'))!) as {
      kind: string;
      id: string;
      result: string;
    }[];
    expect(comparison.map((row) => row.kind)).toEqual(['fp32', 'fp16', 'int8', 'int8-qdq']);
    for (const row of comparison) expect(row.result, row.kind).toMatch(new RegExp(`^${fp32.faces.length} faces?: \\(\\d+, \\d+\\)`));
    expect(await page.locator('table.variant-compare tbody tr').count()).toBe(4);
    await context.close();
  }, 240_000);

  it('a variant net whose bytes fail the pin falls back to the fp32 cascade and says so', async () => {
    const context = await browser.newContext();
    await context.route(`**/models/${getModel('mtcnn-rnet-int8').file}*`, (route) =>
      route.fulfill({ status: 200, body: Buffer.alloc(1000, 7) }),
    );
    const { page } = await openPage(context, baseUrl);
    await page.goto(`${baseUrl}/demo/mtcnn/?variant=int8&sample=astronaut&backend=wasm&autorun=1&repeat=1`);
    const result = await demoResult<Result>(page);
    expect(result.variant).toBe('fp32');
    expect(result.nets).toEqual({ pnet: 'mtcnn-pnet', rnet: 'mtcnn-rnet', onet: 'mtcnn-onet' });
    expect(result.faces.length).toBeGreaterThan(0);
    expect(await page.locator('[data-variant-note]').textContent()).toContain('int8 variant could not be used');
    await context.close();
  }, 120_000);
});
