/**
 * The MTCNN face-detection demo in Chromium, through its deep link: WASM and WebGPU find the
 * same single face on the astronaut with boxes within 1 px, the result names the backend that
 * ran, the cascade's counts never grow from stage to stage, the stage switch draws each stage's
 * boxes, and a changed setting re-runs on the same image. No console errors, no request leaves
 * the site. WebGPU runs through SwiftShader here (slow), so it runs once (repeat=1).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { demoResult, launchChromium, openPage, type PageProblems } from '../helpers/browser.ts';
import { requireModels } from '../helpers/models.ts';

const baseUrl = inject('baseUrl');
const ready = requireModels('mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');

type StageName = 'pnet' | 'rnet' | 'onet';
interface Face {
  box: { x1: number; y1: number; x2: number; y2: number };
  score: number;
  landmarks: [number, number][];
}
interface FaceResult {
  backend: string;
  fallbackReason: string | null;
  task: string;
  image: string;
  width: number;
  height: number;
  options: { minFaceSize: number; thresholds: number[] };
  faces: Face[];
  stages: Record<StageName, { count: number; ms: number }>;
  totalMs: number;
  shownStage: string;
  drawn: number;
  run: number;
  timings: { runsMs: number[] };
}

const STAGES: StageName[] = ['pnet', 'rnet', 'onet'];

/** MODELS.md reference box for the astronaut (a plain cascade; ours may differ by a few px). */
const REFERENCE = { x1: 181, y1: 62, x2: 266, y2: 173 };

describe.runIf(ready)('MTCNN face-detection demo', () => {
  let browser: Browser;
  const results: Partial<Record<'wasm' | 'webgpu', FaceResult>> = {};

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** The stage each radio draws: { stage: [data-stage-shown, data-drawn] }. */
  async function stageViews(page: Page): Promise<Record<StageName, [string | null, number]>> {
    const root = page.locator('[data-demo="face-detection"]');
    const overlay = root.locator('canvas[data-overlay]');
    const views = {} as Record<StageName, [string | null, number]>;
    for (const stage of STAGES) {
      await root.locator(`input[data-stage-radio][value="${stage}"]`).check();
      views[stage] = [await overlay.getAttribute('data-stage-shown'), Number(await overlay.getAttribute('data-drawn'))];
    }
    return views;
  }

  async function open(query: string): Promise<{ page: Page; problems: PageProblems; result: FaceResult; close(): Promise<void> }> {
    const context = await browser.newContext();
    const { page, problems } = await openPage(context, baseUrl);
    await page.goto(`${baseUrl}/demo/mtcnn/?${query}`);
    const result = await demoResult<FaceResult>(page, '[data-demo="face-detection"]');
    return { page, problems, result, close: () => context.close() };
  }

  function checkResult(result: FaceResult, backend: string): void {
    expect(result.backend).toBe(backend);
    expect(result.fallbackReason).toBeNull();
    expect(result.task).toBe('face-detection');
    expect(result.image).toBe('astronaut');
    expect([result.width, result.height]).toEqual([512, 512]);
    // The released code's defaults.
    expect(result.options.minFaceSize).toBe(20);
    expect(result.options.thresholds).toEqual([0.6, 0.7, 0.7]);
    expect(result.faces).toHaveLength(1);
    const face = result.faces[0]!;
    expect(face.score).toBeGreaterThan(0.99);
    expect(face.landmarks).toHaveLength(5);
    for (const key of ['x1', 'y1', 'x2', 'y2'] as const) expect(Math.abs(face.box[key] - REFERENCE[key])).toBeLessThan(6);
    // Landmarks sit inside the box: eyes above the nose, the nose above the mouth corners.
    const [leftEye, rightEye, nose, leftMouth, rightMouth] = face.landmarks as [number, number][];
    for (const [x, y] of face.landmarks) {
      expect(x).toBeGreaterThan(face.box.x1);
      expect(x).toBeLessThan(face.box.x2);
      expect(y).toBeGreaterThan(face.box.y1);
      expect(y).toBeLessThan(face.box.y2);
    }
    expect(leftEye![0]).toBeLessThan(rightEye![0]);
    expect(Math.max(leftEye![1], rightEye![1])).toBeLessThan(nose![1]);
    expect(nose![1]).toBeLessThan(Math.min(leftMouth![1], rightMouth![1]));
    // The cascade only ever removes candidates, and every stage reports a time.
    const { pnet, rnet, onet } = result.stages;
    expect(pnet.count).toBeGreaterThanOrEqual(rnet.count);
    expect(rnet.count).toBeGreaterThanOrEqual(onet.count);
    expect(onet.count).toBe(result.faces.length);
    for (const stage of STAGES) expect(result.stages[stage].ms).toBeGreaterThan(0);
    expect(result.shownStage).toBe('onet');
    expect(result.drawn).toBe(1);
  }

  it('finds the astronaut\'s face on WASM, draws every stage and re-runs on a changed setting', async () => {
    const { page, problems, result, close } = await open('sample=astronaut&backend=wasm&autorun=1');
    try {
      checkResult(result, 'wasm');
      results.wasm = result;
      expect(result.timings.runsMs.length).toBe(3);

      // The stage switch draws each stage's boxes: as many as that stage counted.
      const views = await stageViews(page);
      for (const stage of STAGES) expect(views[stage]).toEqual([stage, result.stages[stage].count]);
      // The text list names the face with its confidence.
      const list = page.locator('[data-demo="face-detection"] [data-faces] li');
      await expect(list.count()).resolves.toBe(1);
      await expect(list.first().textContent()).resolves.toMatch(/99\.\d% confidence, box \(\d+, \d+\) to \(\d+, \d+\)/);

      // A stricter O-Net threshold (keyboard on the slider) re-runs on the same image and drops the face.
      const slider = page.locator('[data-demo="face-detection"] [data-option="threshold-2"]');
      await slider.focus();
      await page.keyboard.press('End');
      await page.waitForFunction(
        () => {
          const root = document.querySelector('[data-demo="face-detection"]')!;
          return root.getAttribute('data-state') === 'done' && (JSON.parse(root.getAttribute('data-result') ?? '{}') as { run?: number }).run === 2;
        },
        null,
        { timeout: 120_000 },
      );
      const strict = await demoResult<FaceResult>(page, '[data-demo="face-detection"]');
      expect(strict.options.thresholds).toEqual([0.6, 0.7, 1]);
      expect(strict.image).toBe('astronaut');
      expect(strict.faces).toHaveLength(0);
      expect(strict.stages.rnet.count).toBe(result.stages.rnet.count);
      await expect(page.locator('[data-demo="face-detection"] [data-faces]').textContent()).resolves.toMatch(/No face found/);

      expect(problems.consoleErrors).toEqual([]);
      expect(problems.foreignRequests).toEqual([]);
      expect(problems.failedResponses).toEqual([]);
    } finally {
      await close();
    }
  });

  it('finds the same face on WebGPU, naming the backend', async () => {
    const { page, problems, result, close } = await open('sample=astronaut&backend=webgpu&autorun=1&repeat=1');
    try {
      checkResult(result, 'webgpu');
      results.webgpu = result;
      const views = await stageViews(page);
      for (const stage of STAGES) expect(views[stage]).toEqual([stage, result.stages[stage].count]);
      expect(problems.consoleErrors).toEqual([]);
      expect(problems.foreignRequests).toEqual([]);
      expect(problems.failedResponses).toEqual([]);
    } finally {
      await close();
    }
  });

  it('gives WASM and WebGPU boxes within 1 px of each other', () => {
    const { wasm, webgpu } = results;
    if (!wasm || !webgpu) throw new Error('Both backend runs must pass first.');
    expect(webgpu.faces).toHaveLength(wasm.faces.length);
    const a = wasm.faces[0]!;
    const b = webgpu.faces[0]!;
    for (const key of ['x1', 'y1', 'x2', 'y2'] as const) expect(Math.abs(a.box[key] - b.box[key])).toBeLessThanOrEqual(1);
    a.landmarks.forEach(([x, y], index) => {
      const [u, v] = b.landmarks[index]!;
      expect(Math.hypot(x - u, y - v)).toBeLessThanOrEqual(1);
    });
    expect(Math.abs(a.score - b.score)).toBeLessThan(1e-3);
    for (const stage of STAGES) expect(webgpu.stages[stage].count).toBe(wasm.stages[stage].count);
  });
});
