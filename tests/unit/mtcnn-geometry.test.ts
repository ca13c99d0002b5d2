import { describe, expect, it } from 'vitest';
import { blankImage, cropResizeBilinear, pureImageOps } from '../../src/inference/math/image.ts';
import {
  calibrateBox,
  cellBox,
  clipBox,
  cropPadding,
  isUsableBox,
  mapLandmarks,
  pnetCandidates,
  pyramidLevelSize,
  pyramidScales,
  rgbaToNchw,
  snapBox,
  squareBox,
} from '../../src/inference/math/mtcnn.ts';
import { DEFAULT_DETECT_OPTIONS, detectFaces, MTCNN_MODELS, resolveDetectOptions } from '../../src/inference/tasks/detect-faces.ts';
import { overlapMin } from '../../src/inference/math/nms.ts';
import type { ModelRunner, RgbaImage, TensorData } from '../../src/inference/types.ts';

const LO = (0 - 127.5) * 0.0078125; // black after normalisation: -0.99609375
const HI = (255 - 127.5) * 0.0078125; // white: 0.99609375

describe('image pyramid', () => {
  it('starts at 12 / minFaceSize and stops when the short side drops under 12 px', () => {
    // m = 0.6, short side 80 -> 48, 24, 12 (kept: >= 12), 6 (stop).
    expect(pyramidScales(100, 80, 20, 0.5)).toEqual([0.6, 0.3, 0.15]);
  });

  it("gives the released code's ten levels for a 512x512 image at minsize 20, factor 0.709", () => {
    // 307.2 * 0.709^k >= 12  <=>  k <= 9.43
    const scales = pyramidScales(512, 512, 20, 0.709);
    expect(scales).toHaveLength(10);
    expect(scales[0]).toBe(0.6);
    expect(scales[9]).toBeCloseTo(0.6 * 0.709 ** 9, 12);
    expect(512 * scales[9]!).toBeGreaterThanOrEqual(12);
    expect(512 * scales[9]! * 0.709).toBeLessThan(12);
  });

  it('has no levels when the smallest face wanted is bigger than the image', () => {
    expect(pyramidScales(100, 80, 81, 0.709)).toEqual([]);
    expect(pyramidScales(1, 1, 12, 0.709)).toEqual([]);
    expect(pyramidScales(12, 12, 12, 0.709)).toEqual([1]);
    expect(pyramidScales(12, 12, 20, 0.709)).toEqual([]);
  });

  it('rounds level sizes up', () => {
    expect(pyramidLevelSize(512, 384, 0.6)).toEqual({ width: 308, height: 231 }); // 307.2, 230.4
    expect(pyramidLevelSize(12, 12, 1)).toEqual({ width: 12, height: 12 });
  });

  it('rejects a factor outside (0, 1)', () => {
    expect(() => pyramidScales(100, 100, 20, 1)).toThrow(RangeError);
    expect(() => pyramidScales(100, 100, 20, 0)).toThrow(RangeError);
  });
});

describe('P-Net cells to image boxes (stride 2, cell 12)', () => {
  it('maps cell (x, y) at scale s to [2x / s, (2x + 12) / s)', () => {
    expect(cellBox(0, 0, 1, 1)).toEqual({ x1: 0, y1: 0, x2: 12, y2: 12 });
    expect(cellBox(3, 5, 0.5, 0.5)).toEqual({ x1: 12, y1: 20, x2: 36, y2: 44 });
    const b = cellBox(1, 2, 0.6, 0.5); // separate x and y ratios
    expect(b.x1).toBeCloseTo(2 / 0.6, 12);
    expect(b.x2).toBeCloseTo(14 / 0.6, 12);
    expect(b.y1).toBe(8);
    expect(b.y2).toBe(32);
  });

  it('reads face probability and offsets from [1,2,h,w] and [1,4,h,w], thresholding with >=', () => {
    // h = 2, w = 3; channel 0 (background) is ignored.
    const prob: TensorData = {
      dims: [1, 2, 2, 3],
      data: Float32Array.from([...[1, 1, 1, 1, 1, 1], ...[0.1, 0.9, 0.2, 0.5, 0.25, 0.75]]),
    };
    const reg: TensorData = {
      dims: [1, 4, 2, 3],
      data: Float32Array.from([
        ...[0, 0.1, 0, 0.4, 0, 0.7], // dx1
        ...[0, 0.2, 0, 0.5, 0, 0.8], // dy1
        ...[0, -0.1, 0, -0.4, 0, -0.7], // dx2
        ...[0, -0.2, 0, -0.5, 0, -0.8], // dy2
      ]),
    };
    const found = pnetCandidates(prob, reg, 0.5, 0.5, 0.5);
    expect(found.map((c) => [c.x1, c.y1, c.x2, c.y2, c.score])).toEqual([
      [4, 0, 28, 24, Math.fround(0.9)], // cell (1, 0)
      [0, 4, 24, 28, 0.5], // cell (0, 1): exactly the threshold, kept
      [8, 4, 32, 28, 0.75], // cell (2, 1)
    ]);
    expect(found[0]!.reg.map((v) => Math.round(v * 10) / 10)).toEqual([0.1, 0.2, -0.1, -0.2]);
    expect(found[2]!.reg.map((v) => Math.round(v * 10) / 10)).toEqual([0.7, 0.8, -0.7, -0.8]);
  });

  it('rejects mismatched output shapes', () => {
    const prob: TensorData = { dims: [1, 2, 1, 1], data: new Float32Array(2) };
    const reg: TensorData = { dims: [1, 4, 2, 1], data: new Float32Array(8) };
    expect(() => pnetCandidates(prob, reg, 1, 1, 0.5)).toThrow(/P-Net output shapes/);
  });
});

describe('box calibration, squaring and snapping', () => {
  it('moves each edge by its offset times the box width or height', () => {
    // w = 20, h = 40
    expect(calibrateBox({ x1: 10, y1: 20, x2: 30, y2: 60 }, [0.1, -0.05, -0.2, 0.25])).toEqual({
      x1: 12,
      y1: 18,
      x2: 26,
      y2: 70,
    });
    expect(calibrateBox({ x1: 10, y1: 20, x2: 30, y2: 60 }, [0, 0, 0, 0])).toEqual({ x1: 10, y1: 20, x2: 30, y2: 60 });
  });

  it('squares about the centre with the longer side', () => {
    expect(squareBox({ x1: 10, y1: 20, x2: 30, y2: 60 })).toEqual({ x1: 0, y1: 20, x2: 40, y2: 60 }); // tall
    expect(squareBox({ x1: 0, y1: 10, x2: 50, y2: 20 })).toEqual({ x1: 0, y1: -10, x2: 50, y2: 40 }); // wide
    expect(squareBox({ x1: 3, y1: 0, x2: 12, y2: 12 })).toEqual({ x1: 1.5, y1: 0, x2: 13.5, y2: 12 });
  });

  it('snaps edges down to whole pixels', () => {
    expect(snapBox({ x1: 1.7, y1: -0.2, x2: 13.99, y2: 5 })).toEqual({ x1: 1, y1: -1, x2: 13, y2: 5 });
  });
});

describe('image edges', () => {
  it('splits a box touching the left and bottom borders into image part and padding', () => {
    // A face box running 10 px past the left edge and 5 px past the bottom of a 100x40 image.
    const p = cropPadding({ x1: -10, y1: 5, x2: 30, y2: 45 }, 100, 40);
    expect(p.source).toEqual({ x1: 0, y1: 5, x2: 30, y2: 40 });
    expect([p.left, p.top, p.right, p.bottom]).toEqual([10, 0, 0, 5]);
    const q = cropPadding({ x1: 90, y1: -3, x2: 110, y2: 17 }, 100, 40);
    expect(q.source).toEqual({ x1: 90, y1: 0, x2: 100, y2: 17 });
    expect([q.left, q.top, q.right, q.bottom]).toEqual([0, 3, 10, 0]);
  });

  it('clips boxes to the image', () => {
    expect(clipBox({ x1: -5, y1: 2, x2: 120, y2: 50 }, 100, 40)).toEqual({ x1: 0, y1: 2, x2: 100, y2: 40 });
    const outside = clipBox({ x1: 150, y1: 2, x2: 160, y2: 10 }, 100, 40);
    expect(outside.x2 - outside.x1).toBe(0);
  });

  it('drops boxes that are inverted, degenerate or wholly outside the image', () => {
    expect(isUsableBox({ x1: -10, y1: 5, x2: 30, y2: 45 }, 100, 40)).toBe(true);
    expect(isUsableBox({ x1: 10, y1: 5, x2: 5, y2: 45 }, 100, 40)).toBe(false);
    expect(isUsableBox({ x1: 10, y1: 5, x2: 10.5, y2: 45 }, 100, 40)).toBe(false);
    expect(isUsableBox({ x1: 100, y1: 5, x2: 120, y2: 25 }, 100, 40)).toBe(false);
    expect(isUsableBox({ x1: -20, y1: 5, x2: 0, y2: 25 }, 100, 40)).toBe(false);
    expect(isUsableBox({ x1: 0, y1: 0, x2: Number.NaN, y2: 25 }, 100, 40)).toBe(false);
  });

  it('zero-pads a crop of a face box running past the border (black = -0.99609375)', () => {
    // 8x8 white image; box (-8, 0)-(8, 16) to 4x4: each output pixel spans 4 image pixels.
    // Sample centres x = -6.5, -2.5, 1.5, 5.5 and y = 1.5, 5.5, 9.5, 13.5.
    const image = blankImage(8, 8);
    image.data.fill(255);
    const crop = cropResizeBilinear(image, { x1: -8, y1: 0, x2: 8, y2: 16 }, 4, 4);
    const t = rgbaToNchw([crop], 4, 4);
    const red = Array.from(t.data.subarray(0, 16));
    expect(red).toEqual([LO, LO, HI, HI, LO, LO, HI, HI, LO, LO, LO, LO, LO, LO, LO, LO]);
    expect(Array.from(t.data.subarray(16, 32))).toEqual(red); // green plane
  });
});

describe('landmarks', () => {
  it('maps x1..x5, y1..y5 fractions of the O-Net box to image pixels', () => {
    const box = { x1: 100, y1: 200, x2: 150, y2: 260 }; // w 50, h 60
    const lm = [0.2, 0.8, 0.5, 0.3, 0.7, 0.3, 0.3, 0.55, 0.8, 0.8];
    const expected = [
      [110, 218],
      [140, 218],
      [125, 233],
      [115, 248],
      [135, 248],
    ];
    const points = mapLandmarks(box, lm);
    points.forEach((p, i) => {
      expect(p[0]).toBeCloseTo(expected[i]![0]!, 10);
      expect(p[1]).toBeCloseTo(expected[i]![1]!, 10);
    });
    // The same values as row 1 of an [N, 10] batch.
    const batch = new Float32Array(20);
    batch.set(lm, 10);
    const fromBatch = mapLandmarks(box, batch, 10);
    expect(fromBatch[2]![0]).toBeCloseTo(125, 4);
    expect(fromBatch[2]![1]).toBeCloseTo(233, 4);
  });
});

describe('RGBA to normalised NCHW', () => {
  it('lays out [N, 3, H, W] planes of (v - 127.5) / 128, ignoring alpha', () => {
    const a = blankImage(2, 1);
    a.data.set([255, 0, 128, 7, 127, 191, 64, 0]);
    const b = blankImage(2, 1);
    b.data.set([0, 0, 0, 255, 255, 255, 255, 255]);
    const t = rgbaToNchw([a, b], 2, 1);
    expect(t.dims).toEqual([2, 3, 1, 2]);
    expect(Array.from(t.data)).toEqual([
      // image a: R plane, G plane, B plane
      0.99609375,
      -0.00390625,
      -0.99609375,
      0.49609375,
      0.00390625,
      -0.49609375,
      // image b
      LO,
      HI,
      LO,
      HI,
      LO,
      HI,
    ]);
  });

  it('fills a caller-provided buffer and checks its size and the image sizes', () => {
    const img = blankImage(3, 2);
    const out = new Float32Array(18);
    const t = rgbaToNchw([img], 3, 2, out);
    expect(t.data).toBe(out);
    expect(out[17]).toBe(LO);
    expect(() => rgbaToNchw([img], 3, 2, new Float32Array(17))).toThrow(RangeError);
    expect(() => rgbaToNchw([img], 2, 3)).toThrow(/expected 2x3/);
  });
});

// ---------------------------------------------------------------------------------------------
// The cascade with a fake runner: no models, hand-computed outcomes.

interface Call {
  model: string;
  dims: readonly number[];
}

/**
 * A runner that answers like the three networks' shapes: P-Net gives an h x w map from an
 * H x W input (h = floor((H - 12) / 2) + 1), every cell with the same face probability and
 * offsets; R-Net and O-Net answer each crop of the batch alike.
 */
function fakeRunner(answers: {
  pnet: { p: number; reg?: number[] };
  rnet?: { p: number; reg?: number[] };
  onet?: { p: number; reg?: number[]; landmarks?: number[] };
}): ModelRunner & { calls: Call[] } {
  const calls: Call[] = [];
  const fill = (n: number, per: readonly number[]) => {
    const data = new Float32Array(n * per.length);
    for (let i = 0; i < n; i++) data.set(per, i * per.length);
    return data;
  };
  return {
    calls,
    async run(model, feeds) {
      const input = feeds['input']!;
      calls.push({ model, dims: [...input.dims] });
      const n = input.dims[0]!;
      if (model === MTCNN_MODELS.pnet) {
        const h = Math.floor((input.dims[2]! - 12) / 2) + 1;
        const w = Math.floor((input.dims[3]! - 12) / 2) + 1;
        const plane = h * w;
        const prob = new Float32Array(2 * plane);
        prob.fill(1 - answers.pnet.p, 0, plane);
        prob.fill(answers.pnet.p, plane);
        const reg = new Float32Array(4 * plane);
        (answers.pnet.reg ?? [0, 0, 0, 0]).forEach((v, c) => reg.fill(v, c * plane, (c + 1) * plane));
        return { prob: { data: prob, dims: [1, 2, h, w] }, reg: { data: reg, dims: [1, 4, h, w] } };
      }
      const a = model === MTCNN_MODELS.rnet ? answers.rnet : answers.onet;
      if (!a) throw new Error(`unexpected ${model} call`);
      const out: Record<string, TensorData> = {
        prob: { data: fill(n, [1 - a.p, a.p]), dims: [n, 2] },
        reg: { data: fill(n, a.reg ?? [0, 0, 0, 0]), dims: [n, 4] },
      };
      if (model === MTCNN_MODELS.onet) {
        out['landmarks'] = { data: fill(n, (a as { landmarks?: number[] }).landmarks ?? new Array(10).fill(0.5)), dims: [n, 10] };
      }
      return out;
    },
  };
}

function grey(width: number, height: number): RgbaImage {
  const image = blankImage(width, height);
  image.data.fill(128);
  return image;
}

describe('detectFaces cascade (fake runner)', () => {
  it('finds nothing in a 1x1 image without running any network', async () => {
    const runner = fakeRunner({ pnet: { p: 1 } });
    const r = await detectFaces(grey(1, 1), runner, pureImageOps);
    expect(r.faces).toEqual([]);
    expect(r.width).toBe(1);
    expect(runner.calls).toEqual([]);
    expect([r.stages.pnet.count, r.stages.rnet.count, r.stages.onet.count]).toEqual([0, 0, 0]);
  });

  it('finds nothing in a 12x12 image at the default minimum face size (20 px)', async () => {
    const runner = fakeRunner({ pnet: { p: 1 } });
    const r = await detectFaces(grey(12, 12), runner, pureImageOps);
    expect(r.faces).toEqual([]);
    expect(runner.calls).toEqual([]);
  });

  it('runs P-Net once on a 12x12 image at minFaceSize 12 and stops when no cell passes', async () => {
    const runner = fakeRunner({ pnet: { p: 0.1 } });
    const r = await detectFaces(grey(12, 12), runner, pureImageOps, { minFaceSize: 12 });
    expect(runner.calls).toEqual([{ model: MTCNN_MODELS.pnet, dims: [1, 3, 12, 12] }]);
    expect(r.faces).toEqual([]);
    expect(r.stages.pnet).toMatchObject({ count: 0, boxes: [] });
    expect(r.stages.rnet).toEqual({ count: 0, ms: 0, boxes: [] });
  });

  it('skips every network when minFaceSize is larger than the image', async () => {
    const runner = fakeRunner({ pnet: { p: 1 } });
    const r = await detectFaces(grey(40, 30), runner, pureImageOps, { minFaceSize: 31 });
    expect(runner.calls).toEqual([]);
    expect(r.faces).toEqual([]);
  });

  it('runs P-Net once per pyramid level', async () => {
    // 40x40, minFaceSize 20, factor 0.5: scales 0.6 (24 px) and 0.3 (12 px).
    const runner = fakeRunner({ pnet: { p: 0.1 } });
    await detectFaces(grey(40, 40), runner, pureImageOps, { scaleFactor: 0.5 });
    expect(runner.calls).toEqual([
      { model: MTCNN_MODELS.pnet, dims: [1, 3, 24, 24] },
      { model: MTCNN_MODELS.pnet, dims: [1, 3, 12, 12] },
    ]);
  });

  it('carries one box through all three stages with hand-computed calibration and landmarks', async () => {
    // 12x12, minFaceSize 12: one level at scale 1, one P-Net cell covering (0,0)-(12,12).
    // P-Net offsets (0.25, 0, 0, 0): (3,0)-(12,12); squared: (1.5,0)-(13.5,12); snapped: (1,0)-(13,12).
    // R-Net offsets 0: same box. O-Net offsets (0, 0, 0.5, 0): x2 = 13 + 0.5 * 12 = 19.
    // Landmarks at 0.5 of the O-Net box (1,0)-(13,12): (7, 6).
    const ticks = [0, 10, 25, 45, 50];
    let t = 0;
    const now = () => ticks[Math.min(t++, ticks.length - 1)]!;
    const runner = fakeRunner({
      pnet: { p: 0.9, reg: [0.25, 0, 0, 0] },
      rnet: { p: 0.95 },
      onet: { p: 0.99, reg: [0, 0, 0.5, 0] },
    });
    const r = await detectFaces(grey(12, 12), runner, pureImageOps, { minFaceSize: 12 }, now);
    expect(runner.calls).toEqual([
      { model: MTCNN_MODELS.pnet, dims: [1, 3, 12, 12] },
      { model: MTCNN_MODELS.rnet, dims: [1, 3, 24, 24] },
      { model: MTCNN_MODELS.onet, dims: [1, 3, 48, 48] },
    ]);
    expect(r.stages.pnet.boxes).toEqual([{ x1: 1, y1: 0, x2: 13, y2: 12, score: Math.fround(0.9) }]);
    expect(r.stages.rnet.boxes).toEqual([{ x1: 1, y1: 0, x2: 13, y2: 12, score: Math.fround(0.95) }]);
    expect(r.faces).toHaveLength(1);
    expect(r.faces[0]!.box).toEqual({ x1: 1, y1: 0, x2: 19, y2: 12 });
    expect(r.faces[0]!.score).toBe(Math.fround(0.99));
    expect(r.faces[0]!.landmarks).toEqual(new Array(5).fill([7, 6]));
    expect([r.stages.pnet.ms, r.stages.rnet.ms, r.stages.onet.ms, r.totalMs]).toEqual([10, 15, 20, 50]);
  });

  it('batches every candidate of a stage into one run and drops those under the thresholds', async () => {
    // 40x40 at minFaceSize 12, factor 0.5: levels 40 (16x16 cells) and 20 (5x5 cells).
    // Every cell passes P-Net; NMS leaves a set of boxes that all go to R-Net in one batch.
    const runner = fakeRunner({ pnet: { p: 0.9 }, rnet: { p: 0.65 } });
    const r = await detectFaces(grey(40, 40), runner, pureImageOps, { minFaceSize: 12, scaleFactor: 0.5 });
    const rnetCalls = runner.calls.filter((c) => c.model === MTCNN_MODELS.rnet);
    expect(rnetCalls).toHaveLength(1);
    expect(rnetCalls[0]!.dims).toEqual([r.stages.pnet.count, 3, 24, 24]);
    expect(r.stages.pnet.count).toBeGreaterThan(1);
    // R-Net's 0.65 is under the default 0.7: nothing reaches O-Net.
    expect(runner.calls.some((c) => c.model === MTCNN_MODELS.onet)).toBe(false);
    expect(r.faces).toEqual([]);
  });

  it('maps the single P-Net cell of a 24x24 image at minFaceSize 24 to the whole image', async () => {
    // One level (scale 0.5, 12x12 input), one cell: (0,0)-(12,12) / 0.5 = the whole image.
    const runner = fakeRunner({ pnet: { p: 0.9 }, rnet: { p: 0.9 }, onet: { p: 0.9 } });
    const r = await detectFaces(grey(24, 24), runner, pureImageOps, { minFaceSize: 24 });
    expect(runner.calls[0]).toEqual({ model: MTCNN_MODELS.pnet, dims: [1, 3, 12, 12] });
    expect(r.faces).toHaveLength(1);
    expect(r.faces[0]!.box).toEqual({ x1: 0, y1: 0, x2: 24, y2: 24 });
  });

  it('leaves no two final faces overlapping by more than nmsMin of the smaller box', async () => {
    const runner = fakeRunner({ pnet: { p: 0.9 }, rnet: { p: 0.9 }, onet: { p: 0.9 } });
    const r = await detectFaces(grey(40, 40), runner, pureImageOps, { minFaceSize: 12, scaleFactor: 0.5 });
    const onetCalls = runner.calls.filter((c) => c.model === MTCNN_MODELS.onet);
    expect(onetCalls).toHaveLength(1);
    expect(onetCalls[0]!.dims[0]).toBe(r.stages.rnet.count);
    expect(r.faces.length).toBeGreaterThan(0);
    expect(r.faces.length).toBeLessThan(r.stages.rnet.count);
    for (let i = 0; i < r.faces.length; i++) {
      for (let j = i + 1; j < r.faces.length; j++) {
        expect(overlapMin(r.faces[i]!.box, r.faces[j]!.box)).toBeLessThanOrEqual(0.7);
      }
    }
  });
});

describe('detect options', () => {
  it('defaults to the released code: minsize 20, factor 0.709, thresholds 0.6 / 0.7 / 0.7', () => {
    expect(DEFAULT_DETECT_OPTIONS).toEqual({
      minFaceSize: 20,
      scaleFactor: 0.709,
      thresholds: [0.6, 0.7, 0.7],
      nmsPerScale: 0.5,
      nmsUnion: 0.7,
      nmsMin: 0.7,
    });
  });

  it('merges partial options and rejects invalid ones with clear messages', () => {
    expect(resolveDetectOptions({ minFaceSize: 40 }).minFaceSize).toBe(40);
    expect(resolveDetectOptions({ minFaceSize: 40 }).scaleFactor).toBe(0.709);
    expect(() => resolveDetectOptions({ minFaceSize: 11 })).toThrow(/minFaceSize must be .* >= 12/);
    expect(() => resolveDetectOptions({ minFaceSize: Number.NaN })).toThrow(/minFaceSize/);
    expect(() => resolveDetectOptions({ scaleFactor: 1 })).toThrow(/scaleFactor must be strictly between 0 and 1/);
    expect(() => resolveDetectOptions({ scaleFactor: 0 })).toThrow(/scaleFactor/);
    expect(() => resolveDetectOptions({ thresholds: [0.6, 1.2, 0.7] })).toThrow(/thresholds\[1\] must be in \[0, 1\]/);
    expect(() => resolveDetectOptions({ thresholds: [-0.1, 0.7, 0.7] })).toThrow(/thresholds\[0\]/);
    expect(() => resolveDetectOptions({ thresholds: [0.6, 0.7] as unknown as [number, number, number] })).toThrow(/three numbers/);
    expect(() => resolveDetectOptions({ nmsMin: 2 })).toThrow(/nmsMin must be in \[0, 1\]/);
  });

  it('validates before touching the image or the runner', async () => {
    const runner = fakeRunner({ pnet: { p: 1 } });
    await expect(detectFaces(grey(40, 40), runner, pureImageOps, { minFaceSize: 5 })).rejects.toThrow(/minFaceSize/);
    await expect(detectFaces({ width: 4, height: 4, data: new Uint8ClampedArray(10) }, runner, pureImageOps)).rejects.toThrow(
      /4x4 RGBA needs 64/,
    );
    expect(runner.calls).toEqual([]);
  });
});
