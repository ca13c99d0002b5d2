import { describe, expect, it } from 'vitest';
import {
  compareEmbeddings,
  distanceAt,
  distanceMatrix,
  euclideanDistance,
  l2Normalise,
  nearestIdentity,
  squaredDistance,
  UNKNOWN,
  verdict,
} from '../../src/inference/math/embedding.ts';
import { alignFaces, embedChips, embedFaces } from '../../src/inference/tasks/embed-faces.ts';
import { blankImage } from '../../src/inference/math/image.ts';
import { applyAffine, estimateSimilarity, warpAffine } from '../../src/inference/math/similarity.ts';
import { getModel } from '../../src/models/catalog.ts';
import type { ModelRunner, Point, TensorData } from '../../src/inference/types.ts';

const DLIB = getModel('dlib-face-resnet-v1');
const FACENET = getModel('facenet512');

describe('vector maths', () => {
  it('L2-normalises to unit length and leaves zero vectors at zero', () => {
    const v = l2Normalise([3, 4]);
    expect(Array.from(v)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(l2Normalise([0, 0, 0]))).toEqual([0, 0, 0]);
    const long = l2Normalise(Float32Array.from({ length: 512 }, (_, i) => Math.sin(i)));
    expect(Math.hypot(...long)).toBeCloseTo(1, 6);
  });

  it('computes Euclidean distances and rejects mixed lengths', () => {
    expect(euclideanDistance([0, 0], [3, 4])).toBe(5);
    expect(squaredDistance([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(() => euclideanDistance([1, 2], [1, 2, 3])).toThrow(/different lengths/);
  });

  it('builds the every-face-of-A by every-face-of-B matrix', () => {
    const a = [
      [0, 0],
      [1, 0],
    ];
    const b = [
      [0, 0],
      [0, 1],
      [3, 4],
    ];
    const m = distanceMatrix(a, b);
    expect(m.rows).toBe(2);
    expect(m.cols).toBe(3);
    expect(Array.from(m.data)).toEqual([0, 1, 5, 1, Math.SQRT2, Math.hypot(2, 4)]);
    expect(distanceAt(m, 1, 2)).toBeCloseTo(Math.hypot(2, 4), 12);
    expect(() => distanceAt(m, 2, 0)).toThrow(/outside/);
    expect(distanceMatrix([], b).data.length).toBe(0);
  });
});

describe('verdicts', () => {
  it("uses the catalog's threshold strictly: same person only below it", () => {
    const rule = DLIB.verification!;
    expect(rule.threshold).toBe(0.6);
    expect(verdict(0.59, rule)).toMatchObject({ same: true, threshold: 0.6 });
    expect(verdict(0.6, rule).same).toBe(false);
    expect(verdict(0.8, rule).same).toBe(false);
    expect(verdict(0.5, rule).margin).toBeCloseTo(0.1, 12);
  });

  it('normalises before comparing when the rule says so (FaceNet) and not otherwise (dlib)', () => {
    const a = [10, 0];
    const b = [0, 0.1];
    // Unit vectors at 90 degrees: sqrt(2) ~ 1.414 > 1.04.
    expect(compareEmbeddings(a, b, FACENET.verification!).distance).toBeCloseTo(Math.SQRT2, 6);
    expect(compareEmbeddings(a, [5, 0], FACENET.verification!).same).toBe(true);
    // Raw dlib distance: 10.0005, far over 0.6.
    expect(compareEmbeddings(a, b, DLIB.verification!).distance).toBeCloseTo(Math.hypot(10, 0.1), 9);
  });
});

describe('nearest identity', () => {
  const gallery = [
    {
      name: 'Ada',
      embeddings: [
        [0, 0],
        [0.2, 0],
      ],
    },
    { name: 'Grace', embeddings: [[1, 1]] },
  ];

  it('returns the closest identity using its nearest embedding', () => {
    const match = nearestIdentity([0.3, 0], gallery, 0.6);
    expect(match).toMatchObject({ name: 'Ada', known: true, nearest: 'Ada', index: 0 });
    expect(match.distance).toBeCloseTo(0.1, 12);
    expect(nearestIdentity([0.9, 1.1], gallery, 0.6)).toMatchObject({ name: 'Grace', known: true, index: 1 });
  });

  it('says "unknown" when even the nearest is not below the threshold', () => {
    const match = nearestIdentity([5, 5], gallery, 0.6);
    expect(match).toMatchObject({ name: UNKNOWN, known: false, nearest: 'Grace', index: 1 });
    expect(match.distance).toBeCloseTo(Math.hypot(4, 4), 12);
    // Exactly at the threshold is not a match.
    expect(nearestIdentity([0.6, 0], [{ name: 'Ada', embeddings: [[0, 0]] }], 0.6).known).toBe(false);
  });

  it('handles an empty gallery', () => {
    expect(nearestIdentity([1, 2], [], 0.6)).toEqual({
      name: UNKNOWN,
      known: false,
      nearest: null,
      index: -1,
      distance: Infinity,
      threshold: 0.6,
    });
  });
});

/** A runner that records its calls and returns a descriptor derived from each chip's mean. */
function fakeRunner(outputName: string, dim: number) {
  const calls: { modelId: string; feeds: Record<string, TensorData> }[] = [];
  const runner: ModelRunner = {
    async run(modelId, feeds) {
      calls.push({ modelId, feeds });
      const tensor = Object.values(feeds)[0]!;
      const n = tensor.dims[0]!;
      const per = tensor.data.length / n;
      const data = new Float32Array(n * dim);
      for (let i = 0; i < n; i++) {
        let mean = 0;
        for (let k = 0; k < per; k++) mean += tensor.data[i * per + k]!;
        mean /= per;
        for (let d = 0; d < dim; d++) data[i * dim + d] = mean + d;
      }
      return { [outputName]: { data, dims: [n, dim] } };
    },
  };
  return { runner, calls };
}

const LANDMARKS: Point[] = [
  [204, 101],
  [247, 104],
  [225, 128],
  [203, 140],
  [245, 141],
];

function gradientImage(w: number, h: number) {
  const image = blankImage(w, h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      image.data[o] = x % 256;
      image.data[o + 1] = y % 256;
      image.data[o + 2] = 77;
      image.data[o + 3] = 255;
    }
  return image;
}

describe('embed-faces with a fake runner', () => {
  it('aligns each face so its landmarks land on the template', () => {
    const image = gradientImage(400, 300);
    const { chips, matrices } = alignFaces(image, [{ landmarks: LANDMARKS }], DLIB);
    expect(chips).toHaveLength(1);
    expect(chips[0]!.width).toBe(150);
    expect(chips[0]!.height).toBe(150);
    const mapped = LANDMARKS.map((p) => applyAffine(matrices[0]!, p));
    const error =
      mapped.reduce((s, [x, y], i) => s + Math.hypot(x - DLIB.alignment!.template[i]![0], y - DLIB.alignment!.template[i]![1]), 0) / 5;
    // A similarity cannot fit five points exactly; the mean residual is a few chip pixels.
    expect(error).toBeLessThan(6);
    // It is exactly the least-squares transform, and the chip is exactly that warp.
    expect(matrices[0]).toEqual(estimateSimilarity(LANDMARKS, DLIB.alignment!.template));
    expect(chips[0]).toEqual(warpAffine(image, matrices[0]!, 150, 150));
    // The eyes end up level within a few pixels.
    const [le, re] = mapped;
    expect(Math.abs(le![1] - re![1])).toBeLessThan(3);
    expect(() => alignFaces(image, [{ landmarks: LANDMARKS.slice(0, 4) }], DLIB)).toThrow(/4 landmarks/);
  });

  it('builds one NCHW batch and makes one run for several faces', async () => {
    const { runner, calls } = fakeRunner('descriptor', 128);
    const chip = blankImage(150, 150);
    for (let i = 0; i < chip.data.length; i += 4) chip.data.set([10, 20, 30, 255], i);
    const chip2 = blankImage(150, 150);
    for (let i = 0; i < chip2.data.length; i += 4) chip2.data.set([100, 100, 100, 255], i);
    const embeddings = await embedChips([chip, chip2, chip], runner, DLIB);
    expect(calls).toHaveLength(1);
    const feed = calls[0]!.feeds['input']!;
    expect(calls[0]!.modelId).toBe('dlib-face-resnet-v1');
    expect(feed.dims).toEqual([3, 3, 150, 150]);
    // NCHW: first plane of face 0 is all R = 10, then G = 20, then B = 30; face 1 is 100s.
    expect(feed.data[0]).toBe(10);
    expect(feed.data[150 * 150]).toBe(20);
    expect(feed.data[2 * 150 * 150 + 5]).toBe(30);
    expect(feed.data[3 * 150 * 150]).toBe(100);
    expect(embeddings).toHaveLength(3);
    expect(embeddings[0]!.length).toBe(128);
    expect(embeddings[0]![0]).toBeCloseTo(20, 5);
    expect(embeddings[1]![0]).toBeCloseTo(100, 5);
    // Not normalised for dlib.
    expect(embeddings[1]![127]).toBeCloseTo(227, 4);
  });

  it('builds NHWC with (v*scale - mean)/std and L2-normalises for FaceNet', async () => {
    const { runner, calls } = fakeRunner('embedding', 512);
    const chip = blankImage(160, 160);
    for (let i = 0; i < chip.data.length; i += 4) chip.data.set([255, 127.5, 0, 255], i);
    chip.data[1] = 128; // Uint8ClampedArray rounds 127.5 to 128
    const embeddings = await embedChips([chip], runner, FACENET);
    const feed = calls[0]!.feeds['input']!;
    expect(feed.dims).toEqual([1, 160, 160, 3]);
    expect(feed.data[0]).toBeCloseTo((255 - 127.5) / 128, 6);
    expect(feed.data[1]).toBeCloseTo((128 - 127.5) / 128, 6);
    expect(feed.data[2]).toBeCloseTo(-127.5 / 128, 6);
    expect(Math.hypot(...embeddings[0]!)).toBeCloseTo(1, 5);
  });

  it('rejects chips of the wrong size', async () => {
    const { runner } = fakeRunner('descriptor', 128);
    await expect(embedChips([blankImage(100, 100)], runner, DLIB)).rejects.toThrow(/100x100/);
  });

  it('does nothing for zero faces and times both stages', async () => {
    const { runner, calls } = fakeRunner('descriptor', 128);
    let t = 0;
    const empty = await embedFaces(gradientImage(50, 50), [], runner, DLIB, () => (t += 5));
    expect(calls).toHaveLength(0);
    expect(empty.chips).toEqual([]);
    expect(empty.embeddings).toEqual([]);
    const two = await embedFaces(
      gradientImage(400, 300),
      [{ landmarks: LANDMARKS }, { landmarks: LANDMARKS }],
      runner,
      DLIB,
      () => (t += 5),
    );
    expect(calls).toHaveLength(1);
    expect(two.embeddings).toHaveLength(2);
    expect(two.timings).toEqual({ alignMs: 5, embedMs: 5 });
    // The two identical faces embed identically (the runner sees identical chips).
    expect(euclideanDistance(two.embeddings[0]!, two.embeddings[1]!)).toBe(0);
  });
});
