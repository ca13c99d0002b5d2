import { describe, expect, it } from 'vitest';
import {
  applyAugmentation,
  CROP_SIZE,
  flipHorizontal,
  lightingShift,
  PCA_EIGENVALUES,
  PCA_EIGENVECTORS,
  sampleAugmentation,
  SHORTER_SIDE_RANGE,
} from '../../src/inference/math/augment.ts';
import { countByKind, iouInRange, kindForIou, sampleTrainingCrops, type CropKind } from '../../src/inference/math/mtcnn-training-crops.ts';
import { iou } from '../../src/inference/math/nms.ts';
import { seededRandom } from '../../src/inference/math/random.ts';
import { classifyNegative, classifyTriplets } from '../../src/inference/math/triplets.ts';
import type { RgbaImage } from '../../src/inference/types.ts';

/** An image whose red channel is the x coordinate and green the y coordinate (mod 256). */
function coordinateImage(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x % 256, y % 256, 128, 255], (y * width + x) * 4);
  return { width, height, data };
}

describe('ResNet training augmentation', () => {
  it('draws parameters inside the paper ranges, reproducibly', () => {
    const random = seededRandom(3);
    const sizes = new Set<number>();
    let flips = 0;
    for (let i = 0; i < 200; i++) {
      const p = sampleAugmentation(random, 640, 427);
      expect(p.shorterSide).toBeGreaterThanOrEqual(SHORTER_SIDE_RANGE[0]);
      expect(p.shorterSide).toBeLessThanOrEqual(SHORTER_SIDE_RANGE[1]);
      expect(p.resizedHeight).toBe(p.shorterSide); // landscape: height is the shorter side
      expect(p.cropX).toBeGreaterThanOrEqual(0);
      expect(p.cropX + CROP_SIZE).toBeLessThanOrEqual(p.resizedWidth);
      expect(p.cropY + CROP_SIZE).toBeLessThanOrEqual(p.resizedHeight);
      sizes.add(p.shorterSide);
      if (p.flip) flips++;
    }
    expect(sizes.size).toBeGreaterThan(50);
    expect(flips).toBeGreaterThan(60);
    expect(flips).toBeLessThan(140);
    expect(sampleAugmentation(seededRandom(9), 300, 500)).toEqual(sampleAugmentation(seededRandom(9), 300, 500));
  });

  it('computes the PCA lighting shift from the AlexNet eigen-decomposition', () => {
    const shift = lightingShift([0.1, 0, 0]);
    for (let c = 0; c < 3; c++) expect(shift[c]).toBeCloseTo(PCA_EIGENVECTORS[c]![0]! * 0.1 * PCA_EIGENVALUES[0] * 255, 9);
    expect(lightingShift([0, 0, 0])).toEqual([0, 0, 0]);
  });

  it('mirrors an image', () => {
    const image = coordinateImage(5, 2);
    const flipped = flipHorizontal(image);
    expect(Array.from(flipped.data.slice(0, 4))).toEqual([4, 0, 128, 255]);
    expect(Array.from(flipHorizontal(flipped).data)).toEqual(Array.from(image.data));
  });

  it('crops, flips and shifts colour as its parameters say', () => {
    const image = coordinateImage(256, 256);
    const base = {
      shorterSide: 256,
      resizedWidth: 256,
      resizedHeight: 256,
      cropX: 10,
      cropY: 20,
      lighting: [0, 0, 0] as [number, number, number],
    };
    const plain = applyAugmentation(image, { ...base, flip: false, rgbShift: [0, 0, 0] });
    expect(plain.width).toBe(224);
    const px = (img: RgbaImage, x: number, y: number) => Array.from(img.data.slice((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));
    expect(px(plain, 0, 0)).toEqual([10, 20, 128, 255]);
    const flipped = applyAugmentation(image, { ...base, flip: true, rgbShift: [0, 0, 0] });
    expect(px(flipped, 0, 0)).toEqual([10 + 223, 20, 128, 255]);
    const shifted = applyAugmentation(image, { ...base, flip: false, rgbShift: [5, -7, 200] });
    expect(px(shifted, 0, 0)).toEqual([15, 13, 255, 255]); // clamped at 255
  });
});

describe('MTCNN training crops', () => {
  const faces = [
    {
      box: { x1: 100, y1: 80, x2: 180, y2: 180 },
      landmarks: [
        [120, 115],
        [160, 115],
        [140, 135],
        [125, 160],
        [155, 160],
      ] as [number, number][],
    },
    { box: { x1: 300, y1: 200, x2: 350, y2: 262 } },
  ];

  it('labels the IoU bands as the paper does', () => {
    expect(kindForIou(0.9)).toBe('positive');
    expect(kindForIou(0.65)).toBe('positive');
    expect(kindForIou(0.5)).toBe('part');
    expect(kindForIou(0.35)).toBeNull();
    expect(kindForIou(0.1)).toBe('negative');
  });

  it('every crop has an IoU in its kind range, over many seeds and every net size (property)', () => {
    const seen = new Set<CropKind>();
    for (let seed = 1; seed <= 40; seed++) {
      for (const size of [12, 24, 48] as const) {
        const crops = sampleTrainingCrops({ width: 480, height: 360 }, faces, { seed, size });
        for (const crop of crops) {
          const best = Math.max(...faces.map((face) => iou(crop.box, face.box)));
          expect(crop.iou).toBeCloseTo(best, 12);
          expect(iouInRange(crop.kind, crop.iou), `${crop.kind} with IoU ${crop.iou}`).toBe(true);
          expect(crop.size).toBe(size);
          expect(crop.box.x2 - crop.box.x1).toBe(crop.box.y2 - crop.box.y1); // square
          if (crop.kind !== 'negative') {
            expect(crop.box.x1).toBeGreaterThanOrEqual(0);
            expect(crop.box.y2).toBeLessThanOrEqual(360);
          }
          if (crop.kind === 'landmark') {
            expect(crop.face).toBe(0); // only the first face has landmarks
            for (const [u, v] of crop.landmarks!) expect(u >= 0 && u <= 1 && v >= 0 && v <= 1).toBe(true);
          }
          seen.add(crop.kind);
        }
      }
    }
    expect([...seen].sort()).toEqual(['landmark', 'negative', 'part', 'positive']);
  });

  it('fills the requested counts and is reproducible', () => {
    const crops = sampleTrainingCrops({ width: 480, height: 360 }, faces, { seed: 5, negatives: 10, perFace: 3 });
    const counts = countByKind(crops);
    expect(counts.negative).toBe(10);
    expect(counts.positive).toBe(6);
    expect(counts.part).toBe(6);
    expect(counts.landmark).toBe(3);
    expect(sampleTrainingCrops({ width: 480, height: 360 }, faces, { seed: 5, negatives: 10, perFace: 3 })).toEqual(crops);
  });

  it('refuses an image smaller than 12 px', () => {
    expect(() => sampleTrainingCrops({ width: 8, height: 40 }, [])).toThrow(/smaller than the smallest/);
  });
});

describe('FaceNet triplets', () => {
  it('classifies negatives by the margin rule', () => {
    expect(classifyNegative(0.5, 0.4)).toBe('hard');
    expect(classifyNegative(0.5, 0.5)).toBe('hard');
    expect(classifyNegative(0.5, 0.6)).toBe('semi-hard');
    expect(classifyNegative(0.5, 0.7)).toBe('easy');
  });

  it('finds every anchor-positive pair and scores every negative on unit vectors', () => {
    const unit = (angle: number) => [Math.cos(angle), Math.sin(angle)];
    const items = [
      { identity: 'a', name: 'a1', embedding: unit(0) },
      { identity: 'a', name: 'a2', embedding: unit(0.3) },
      { identity: 'b', name: 'b1', embedding: unit(0.45) }, // closer to a2 than a1 is
      { identity: 'c', name: 'c1', embedding: [10, 0] }, // normalised to unit(0): hard for anchor a1
    ];
    const pairs = classifyTriplets(items);
    expect(pairs.map((pair) => [pair.anchor, pair.positive])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    const dap = 2 - 2 * Math.cos(0.3);
    expect(pairs[0]!.distance).toBeCloseTo(dap, 6); // float32 unit vectors
    const fromA1 = Object.fromEntries(pairs[0]!.negatives.map((n) => [items[n.index]!.name, n.kind]));
    // d(a1,b1) = 2 - 2cos(0.45) = 0.199 > dap = 0.0893 and < dap + 0.2: semi-hard; c1 coincides with a1: hard.
    expect(fromA1).toEqual({ b1: 'semi-hard', c1: 'hard' });
    const fromA2 = Object.fromEntries(pairs[1]!.negatives.map((n) => [items[n.index]!.name, n.kind]));
    expect(fromA2).toEqual({ b1: 'hard', c1: 'hard' });
    // With the demo's own (plain Euclidean) distance, c1 = [10, 0] is far from everything: easy.
    const euclid = (x: ArrayLike<number>, y: ArrayLike<number>) => Math.hypot(x[0]! - y[0]!, x[1]! - y[1]!);
    const own = classifyTriplets(items, 0.2, euclid);
    expect(own[0]!.negatives.find((n) => n.index === 3)!.kind).toBe('easy');
    expect(own[0]!.distance).toBeCloseTo(euclid(items[0]!.embedding, items[1]!.embedding), 12);
    expect(pairs[0]!.negatives.find((n) => n.kind === 'semi-hard')!.loss).toBeCloseTo(dap - (2 - 2 * Math.cos(0.45)) + 0.2, 6);
  });
});
