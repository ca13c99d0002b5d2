/**
 * MTCNN's data mode with faces drawn by the reader (WASM): the drawn= deep link (bad entries
 * refused with a sentence, good ones kept), the detected+drawn and drawn-only toggle, drawing by
 * mouse drag, by keyboard and by touch (a 390x844 touch screen), and deleting a drawn face. The
 * crops are cut again against the faces listed in data-result.trainingFaces, and every crop's IoU
 * is its overlap with the nearest of those faces, inside its kind's range.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { demoResult, launchChromium, openPage } from '../helpers/browser.ts';
import { requireModels } from '../helpers/models.ts';
import { iouInRange, type CropKind } from '../../src/inference/math/mtcnn-training-crops.ts';
import { iou } from '../../src/inference/math/nms.ts';
import type { Box } from '../../src/inference/types.ts';

const baseUrl = inject('baseUrl');
const ready = requireModels('mtcnn-pnet', 'mtcnn-rnet', 'mtcnn-onet');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations inside the data panel, as "rule: first node" lines. */
async function panelViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the site's Content-Security-Policy refuses an injected <script>.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type Violation = { id: string; impact: string | null; nodes: { html: string }[] };
    const axe = (window as unknown as { axe: { run(context: unknown): Promise<{ violations: Violation[] }> } }).axe;
    const { violations } = await axe.run({ include: [['[data-training-crops]']] });
    return violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => `${violation.id}: ${violation.nodes[0]?.html.slice(0, 160) ?? ''}`);
  });
}

interface DataResult {
  run: number;
  faces: { box: Box }[];
  faceSource: 'detected+drawn' | 'drawn';
  trainingFaces: { box: Box; source: 'detected' | 'drawn' }[];
  drawnProblems: string[];
  cropCounts: Record<CropKind, number>;
  crops: { box: Box; iou: number; kind: CropKind; size: number }[];
}

/** Every crop's IoU is its overlap with the nearest training face, and lies in its kind's range. */
function expectCropsAgainst(result: DataResult): void {
  expect(result.crops.length).toBeGreaterThan(0);
  for (const crop of result.crops) {
    expect(iouInRange(crop.kind, crop.iou), `${crop.kind} ${crop.iou}`).toBe(true);
    const nearest = Math.max(0, ...result.trainingFaces.map((face) => iou(crop.box, face.box)));
    expect(Math.abs(crop.iou - nearest)).toBeLessThan(0.01);
  }
}

async function currentResult(page: Page): Promise<DataResult> {
  return JSON.parse((await page.locator('[data-demo]').getAttribute('data-result')) ?? '{}') as DataResult;
}

/** The next result after run `after` (drawing re-cuts the crops and publishes a new run number). */
async function nextResult(page: Page, after: number): Promise<DataResult> {
  await expect.poll(async () => (await currentResult(page)).run ?? 0, { timeout: 30_000 }).toBeGreaterThan(after);
  return currentResult(page);
}

/** A point of the image (pixels) on the page, through the drawing canvas's shown size. */
async function pagePoint(page: Page, x: number, y: number): Promise<{ x: number; y: number }> {
  await page.locator('[data-draw-canvas]').scrollIntoViewIfNeeded();
  const rect = await page.locator('[data-draw-canvas]').boundingBox();
  if (!rect) throw new Error('The drawing canvas is not shown.');
  const size = await page.locator('[data-draw-canvas]').evaluate((canvas: HTMLCanvasElement) => ({ w: canvas.width, h: canvas.height }));
  return { x: rect.x + (x * rect.width) / size.w, y: rect.y + (y * rect.height) / size.h };
}

describe.runIf(ready)('MTCNN data mode with drawn faces (WASM)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('takes drawn faces from the link, refuses bad entries, toggles drawn-only, draws by mouse and keyboard, deletes', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const { page, problems } = await openPage(context, baseUrl);
    await page.goto(
      `${baseUrl}/demo/mtcnn/?mode=data&sample=astronaut&drawn=380,330,90,90;abc;600,0,40,40;10,10,0,30&backend=wasm&autorun=1`,
    );
    let result = await demoResult<DataResult>(page);
    expect(result.faces).toHaveLength(1);
    expect(result.faceSource).toBe('detected+drawn');
    expect(result.trainingFaces).toEqual([
      { box: result.faces[0]!.box, source: 'detected' },
      { box: { x1: 380, y1: 330, x2: 470, y2: 420 }, source: 'drawn' },
    ]);
    expect(result.drawnProblems).toEqual([
      'Link entry "abc" is not x,y,w,h (four numbers in image pixels).',
      'Link entry "10,10,0,30" has zero width: a face box needs a width and a height.',
      'Link box 2 was not added: The box lies outside the 512 by 512 px image.',
    ]);
    await expect(page.locator('[data-drawn-note]').textContent()).resolves.toContain('"abc" is not x,y,w,h');
    await expect(page.locator('[data-drawn-list] [data-drawn-delete]').count()).resolves.toBe(1);
    expectCropsAgainst(result);
    // Crops were cut around the drawn face too: some positive or part crop overlaps it most.
    const drawnBox = result.trainingFaces[1]!.box;
    expect(result.crops.some((crop) => crop.kind !== 'negative' && iou(crop.box, drawnBox) > iou(crop.box, result.faces[0]!.box))).toBe(
      true,
    );

    // Drawn only: the detected face no longer counts (its area may now give negatives), no new detection runs.
    await page.locator('input[data-face-source][value="drawn"]').check();
    result = await nextResult(page, result.run);
    expect(result.faceSource).toBe('drawn');
    expect(result.trainingFaces).toEqual([{ box: drawnBox, source: 'drawn' }]);
    expect(result.cropCounts.landmark).toBe(0); // a drawn face has no landmarks
    expect(new URL(page.url()).searchParams.get('faces')).toBe('drawn');
    expectCropsAgainst(result);
    await page.locator('input[data-face-source][value="detected+drawn"]').check();
    result = await nextResult(page, result.run);

    // Mouse drag from (40, 300) to (140, 420) in image pixels adds a second drawn face.
    const from = await pagePoint(page, 40, 300);
    const to = await pagePoint(page, 140, 420);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 3 });
    await page.mouse.move(to.x, to.y, { steps: 3 });
    await page.mouse.up();
    result = await nextResult(page, result.run);
    const dragged = result.trainingFaces.filter((face) => face.source === 'drawn')[1]!.box;
    // Within 2 px of the drag (the page maps CSS pixels to image pixels).
    for (const [got, want] of [
      [dragged.x1, 40],
      [dragged.y1, 300],
      [dragged.x2, 140],
      [dragged.y2, 420],
    ] as const)
      expect(Math.abs(got - want)).toBeLessThan(2);
    expect(result.drawnProblems).toEqual([]);
    expectCropsAgainst(result);
    expect(new URL(page.url()).searchParams.get('drawn')?.split(';')).toHaveLength(2);

    // Keyboard: focus the photo, Enter places the centred draft (128 px square on 512 x 512), arrows move it, Shift+arrow resizes, Enter adds.
    await page.locator('[data-draw-canvas]').focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('[data-draw-draft]').textContent()).resolves.toMatch(/Box at \(192, 192\), 128 by 128 px/);
    await page.keyboard.press('ArrowLeft'); // 2 x 1% of 512 = 10 px
    await page.keyboard.press('Shift+ArrowDown');
    await expect(page.locator('[data-draw-draft]').textContent()).resolves.toMatch(/Box at \(182, 192\), 128 by 138 px/);
    await page.keyboard.press('Enter');
    result = await nextResult(page, result.run);
    expect(result.trainingFaces.filter((face) => face.source === 'drawn').map((face) => face.box)[2]).toEqual({
      x1: 182,
      y1: 192,
      x2: 310,
      y2: 330,
    });
    expectCropsAgainst(result);

    // A drag too small to be a face is refused with a sentence; the three drawn faces stay.
    const a = await pagePoint(page, 300, 20);
    const b = await pagePoint(page, 306, 60);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 2 });
    await page.mouse.up();
    await expect
      .poll(() => page.locator('[data-drawn-note]').textContent())
      .toMatch(/not added: The box is [\d.]+ by [\d.]+ px inside the image; a face needs at least 12 px a side/);
    await expect(page.locator('[data-drawn-list] [data-drawn-delete]').count()).resolves.toBe(3);

    // Delete the first drawn face (from the link): two remain, and the crops follow.
    await page.locator('[data-drawn-delete="0"]').click();
    result = await nextResult(page, result.run);
    expect(result.trainingFaces.filter((face) => face.source === 'drawn')).toHaveLength(2);
    expect(result.trainingFaces.some((face) => face.box.x1 === 380)).toBe(false);
    expectCropsAgainst(result);
    await expect(page.locator('[data-drawn-list] [data-drawn-delete]').count()).resolves.toBe(2);
    expect(await panelViolations(page)).toEqual([]);
    expect(problems.consoleErrors, problems.consoleErrors.join(' | ')).toEqual([]);
    await context.close();
  });

  it('draws a face with a finger on a 390x844 touch screen (dark theme)', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
      colorScheme: 'dark',
    });
    const { page, problems } = await openPage(context, baseUrl);
    await page.goto(`${baseUrl}/demo/mtcnn/?mode=data&sample=astronaut&backend=wasm&autorun=1`);
    let result = await demoResult<DataResult>(page);
    expect(result.trainingFaces.map((face) => face.source)).toEqual(['detected']);
    const from = await pagePoint(page, 60, 320);
    const to = await pagePoint(page, 180, 440);
    // Real touch input (Chromium turns it into pointer events of type "touch").
    const cdp = await context.newCDPSession(page);
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', points: { x: number; y: number }[]) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points });
    await touch('touchStart', [from]);
    for (let i = 1; i <= 4; i++)
      await touch('touchMove', [{ x: from.x + ((to.x - from.x) * i) / 4, y: from.y + ((to.y - from.y) * i) / 4 }]);
    await touch('touchEnd', []);
    result = await nextResult(page, result.run);
    const drawn = result.trainingFaces.filter((face) => face.source === 'drawn');
    expect(drawn).toHaveLength(1);
    // A 390 px wide screen shows the 512 px photo at about 0.65x: within 3 image px of the finger.
    expect(Math.abs(drawn[0]!.box.x1 - 60)).toBeLessThan(3);
    expect(Math.abs(drawn[0]!.box.y2 - 440)).toBeLessThan(3);
    expectCropsAgainst(result);
    expect(await panelViolations(page)).toEqual([]);
    expect(problems.consoleErrors, problems.consoleErrors.join(' | ')).toEqual([]);
    await context.close();
  });
});
