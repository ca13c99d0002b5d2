/**
 * The MTCNN face-detection demo in Chromium, through its deep link: WASM and WebGPU find the
 * same single face on the astronaut with boxes within 1 px (WebGPU with a 60 px minimum face,
 * so a smaller pyramid: SwiftShader runs P-Net's largest levels for minutes), the result names
 * the backend that ran, the cascade's counts never grow from stage to stage, the stage switch draws each stage's
 * boxes, and a changed setting re-runs on the same image. Webcam mode, fed the astronaut by
 * Chromium's fake camera, detects frame after frame and shows the frame rate. No console errors,
 * no request leaves the site. WebGPU runs through SwiftShader here (slow), so it runs once
 * forced; auto mode must not pick that software adapter. One page switches WASM -> WebGPU ->
 * WASM, loading the WebGPU build of onnxruntime-web only when WebGPU runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../src/build/find-chromium.ts';
import type { RgbaImage } from '../../src/inference/types.ts';
import { demoResult, launchChromium, openPage, requireChromium, type PageProblems } from '../helpers/browser.ts';
import { readSample } from '../helpers/images.ts';
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
/** The minimum face size of the WebGPU run (see switchingPage). */
const WEBGPU_MIN_FACE = 60;

/** MODELS.md reference box for the astronaut (a plain cascade; ours may differ by a few px). */
const REFERENCE = { x1: 181, y1: 62, x2: 266, y2: 173 };

describe.runIf(ready)('MTCNN face-detection demo', () => {
  let browser: Browser;

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

  /**
   * One page, service workers blocked, run once for the file and shared by the WebGPU, comparison
   * and switching tests (whichever comes first starts it): WASM with the defaults (run 1), WASM
   * with a 60 px minimum face (run 2), WebGPU with the same setting (run 3), WASM again (run 4).
   * Forced WebGPU runs on SwiftShader here, where MTCNN's default pyramid (P-Net on a 307 px level
   * and down) takes minutes; a 60 px minimum face starts the pyramid at 102 px, about a ninth of
   * the P-Net work, and still runs every stage. The default pyramid on WebGPU is run by
   * training-data.test.ts and demo-faults.test.ts.
   */
  let switching: Promise<SwitchingRuns> | null = null;
  interface SwitchingRuns {
    first: FaceResult;
    runtimeAfterFirst: string[];
    wasm: FaceResult;
    webgpu: FaceResult;
    webgpuViews: Record<StageName, [string | null, number]>;
    webgpuProblems: PageProblems;
    runtimeAfterWebgpu: string[];
    back: FaceResult;
    problems: PageProblems;
  }
  function switchingPage(): Promise<SwitchingRuns> {
    switching ??= (async () => {
      const context = await browser.newContext({ serviceWorkers: 'block' });
      try {
        const { page, problems } = await openPage(context, baseUrl);
        const runtime: string[] = [];
        context.on('request', (request) => {
          const { pathname } = new URL(request.url());
          if (pathname.startsWith('/ort/')) runtime.push(pathname);
        });
        const root = page.locator('[data-demo="face-detection"]');
        const runNumber = async (run: number): Promise<FaceResult> => {
          await page.waitForFunction(
            (run) => {
              const element = document.querySelector('[data-demo="face-detection"]')!;
              return element.getAttribute('data-state') === 'done' && JSON.parse(element.getAttribute('data-result') ?? '{}').run === run;
            },
            run,
            { timeout: 540_000 },
          );
          return JSON.parse((await root.getAttribute('data-result')) ?? '{}');
        };
        await page.goto(`${baseUrl}/demo/mtcnn/?sample=astronaut&backend=wasm&autorun=1`);
        const first = await runNumber(1);
        const runtimeAfterFirst = [...runtime];

        // A changed setting re-runs on the same image (still WASM). Leaving the field commits it
        // (its change event), so no later click commits it again and starts a run of its own.
        const minFace = root.locator('[data-option="minFaceSize"]');
        await minFace.fill(String(WEBGPU_MIN_FACE));
        await minFace.blur();
        const wasm = await runNumber(2);

        await root.locator('input[name$="-backend"][value="webgpu"]').check();
        await root.locator('[data-run]').click();
        const webgpu = await runNumber(3);
        const runtimeAfterWebgpu = [...runtime];
        const webgpuViews = await stageViews(page);
        const webgpuProblems = structuredClone(problems);

        await root.locator('input[name$="-backend"][value="wasm"]').check();
        await root.locator('[data-run]').click();
        const back = await runNumber(4);
        return { first, runtimeAfterFirst, wasm, webgpu, webgpuViews, webgpuProblems, runtimeAfterWebgpu, back, problems };
      } finally {
        await context.close();
      }
    })();
    return switching;
  }

  function checkResult(result: FaceResult, backend: string, minFaceSize = 20): void {
    expect(result.backend).toBe(backend);
    expect(result.fallbackReason).toBeNull();
    expect(result.task).toBe('face-detection');
    expect(result.image).toBe('astronaut');
    expect([result.width, result.height]).toEqual([512, 512]);
    // The released code's defaults (the WebGPU run sets a larger minimum face).
    expect(result.options.minFaceSize).toBe(minFaceSize);
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

  it("finds the astronaut's face on WASM, draws every stage and re-runs on a changed setting", async () => {
    const { page, problems, result, close } = await open('sample=astronaut&backend=wasm&autorun=1');
    try {
      checkResult(result, 'wasm');
      // One inference per Run (repeat defaults to 1).
      expect(result.timings.runsMs.length).toBe(1);

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
          return (
            root.getAttribute('data-state') === 'done' &&
            (JSON.parse(root.getAttribute('data-result') ?? '{}') as { run?: number }).run === 2
          );
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
    // Run 3 of the switching page: one WebGPU run (minutes on SwiftShader) serves the WebGPU tests.
    const { webgpu, webgpuViews, webgpuProblems } = await switchingPage();
    checkResult(webgpu, 'webgpu', WEBGPU_MIN_FACE);
    for (const stage of STAGES) expect(webgpuViews[stage]).toEqual([stage, webgpu.stages[stage].count]);
    expect(webgpuProblems.consoleErrors).toEqual([]);
    expect(webgpuProblems.foreignRequests).toEqual([]);
    expect(webgpuProblems.failedResponses).toEqual([]);
  });

  it('gives WASM and WebGPU boxes within 1 px of each other', async () => {
    // Same page, same image, same settings: run 2 (WASM) against run 3 (WebGPU).
    const { wasm, webgpu } = await switchingPage();
    checkResult(wasm, 'wasm', WEBGPU_MIN_FACE);
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

  it('in auto mode never picks the software WebGPU adapter: runs on WASM and says why', async () => {
    // This Chromium exposes only SwiftShader (isFallbackAdapter, architecture "swiftshader").
    const { result, close } = await open('sample=astronaut&autorun=1');
    try {
      expect(result.backend).toBe('wasm');
      expect(result.fallbackReason).toMatch(/software WebGPU adapter.*using WASM$/);
      expect(result.faces).toHaveLength(1);
    } finally {
      await close();
    }
  });

  it('switches WASM -> WebGPU -> WASM in one page, loading each onnxruntime build only when its backend runs', async () => {
    const { first, runtimeAfterFirst, webgpu, runtimeAfterWebgpu, back, problems } = await switchingPage();
    expect(first.backend).toBe('wasm');
    // The plain WASM build only: no WebGPU runtime on the WASM path.
    expect([...new Set(runtimeAfterFirst)].sort()).toEqual(['/ort/ort-wasm-simd-threaded.mjs', '/ort/ort-wasm-simd-threaded.wasm']);
    expect(webgpu.backend).toBe('webgpu');
    expect(webgpu.faces).toHaveLength(1);
    expect(runtimeAfterWebgpu.filter((path) => /jspi/.test(path)).length).toBeGreaterThan(0);
    expect(back.backend).toBe('wasm');
    expect(back.faces).toHaveLength(1);
    expect(problems.consoleErrors).toEqual([]);
  });
});

/** One video frame as a YUV4MPEG2 file (4:2:0), which Chromium's fake camera plays in a loop. */
function toY4m(image: RgbaImage): Buffer {
  const { width: w, height: h, data } = image;
  const luma = Buffer.alloc(w * h);
  const u = Buffer.alloc((w / 2) * (h / 2));
  const v = Buffer.alloc((w / 2) * (h / 2));
  for (let i = 0; i < w * h; i++) luma[i] = Math.round(0.299 * data[4 * i]! + 0.587 * data[4 * i + 1]! + 0.114 * data[4 * i + 2]!);
  for (let y = 0; y < h / 2; y++) {
    for (let x = 0; x < w / 2; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const k = ((2 * y + dy) * w + 2 * x + dx) * 4;
        r += data[k]! / 4;
        g += data[k + 1]! / 4;
        b += data[k + 2]! / 4;
      }
      const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value)));
      u[y * (w / 2) + x] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      v[y * (w / 2) + x] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\nFRAME\n`), luma, u, v]);
}

describe.runIf(ready)('MTCNN demo, webcam mode', () => {
  it('detects continuously on a (fake) camera, shows the frame rate, and stops cleanly', async () => {
    const executablePath = requireChromium();
    if (!executablePath) throw new Error('Chromium is not available.');
    const dir = mkdtempSync(join(tmpdir(), 'r2p-webcam-'));
    const video = join(dir, 'astronaut.y4m');
    writeFileSync(video, toY4m(readSample('astronaut')));
    const browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [
        ...CHROMIUM_ARGS.filter((arg) => arg !== '--enable-unsafe-webgpu'),
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ],
    });
    try {
      const context = await browser.newContext();
      await context.grantPermissions(['camera'], { origin: baseUrl });
      const { page, problems } = await openPage(context, baseUrl);
      await page.goto(`${baseUrl}/demo/mtcnn/?backend=wasm`);
      const root = page.locator('[data-demo="face-detection"]');
      await root.locator('[data-webcam-toggle]').click();
      // Three frames processed one after another, each drawn with its face.
      await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-fps]')?.dataset.frames ?? 0) >= 3, null, {
        timeout: 300_000,
      });
      expect(await root.getAttribute('data-state')).toBe('running');
      expect(Number(await root.locator('[data-fps]').getAttribute('data-fps'))).toBeGreaterThan(0);
      await expect(root.locator('[data-fps]').textContent()).resolves.toMatch(/frames per second/);
      expect(await root.locator('canvas[data-overlay]').getAttribute('data-stage-shown')).toBe('onet');
      expect(Number(await root.locator('canvas[data-overlay]').getAttribute('data-drawn'))).toBe(1);
      // Run is off while the camera streams (frames are dropped, never queued behind a Run).
      expect(await root.locator('[data-run]').isDisabled()).toBe(true);

      await root.locator('[data-webcam-toggle]').click();
      const result = await demoResult<FaceResult & { webcam?: boolean }>(page, '[data-demo="face-detection"]', 30_000);
      expect(result.webcam).toBe(true);
      expect(result.image).toBe('webcam');
      expect(result.backend).toBe('wasm');
      expect(result.faces).toHaveLength(1);
      expect(result.faces[0]!.score).toBeGreaterThan(0.99);
      await expect(root.locator('[data-run]').isDisabled()).resolves.toBe(false);
      expect(problems.consoleErrors).toEqual([]);
      expect(problems.foreignRequests).toEqual([]);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
