import { describe, expect, it } from 'vitest';
import {
  applyAffine,
  applyAffineToPoints,
  composeAffine,
  decomposeSimilarity,
  estimateSimilarity,
  IDENTITY,
  invertAffine,
  similarityAbout,
  similarityMatrix,
  warpAffine,
  type AffineMatrix,
} from '../../src/inference/math/similarity.ts';
import { blankImage } from '../../src/inference/math/image.ts';
import type { Point, RgbaImage } from '../../src/inference/types.ts';
import { DLIB_CHIP_TEMPLATE_150 } from '../../src/models/catalog.ts';

const FIVE: Point[] = [
  [204, 101],
  [247, 104],
  [225, 128],
  [203, 140],
  [245, 141],
];

function expectMatrixClose(actual: AffineMatrix, expected: AffineMatrix, tolerance = 1e-9): void {
  for (let i = 0; i < 6; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(tolerance);
}

/** A solid rectangle of `value` on black. */
function rectangleImage(w: number, h: number, x1: number, y1: number, x2: number, y2: number, value = 200): RgbaImage {
  const image = blankImage(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      const inside = x >= x1 && x < x2 && y >= y1 && y < y2;
      image.data[o] = image.data[o + 1] = image.data[o + 2] = inside ? value : 0;
      image.data[o + 3] = 255;
    }
  }
  return image;
}

function red(image: RgbaImage, x: number, y: number): number {
  return image.data[(y * image.width + x) * 4]!;
}

describe('estimateSimilarity', () => {
  it('recovers a known rotation, scale and translation within 1e-6', () => {
    const truth = similarityMatrix(1.37, (23 * Math.PI) / 180, -41.5, 12.25);
    const moved = applyAffineToPoints(truth, FIVE);
    const found = estimateSimilarity(FIVE, moved);
    expectMatrixClose(found, truth, 1e-6);
    const parts = decomposeSimilarity(found);
    expect(parts.scale).toBeCloseTo(1.37, 9);
    expect(parts.angle).toBeCloseTo((23 * Math.PI) / 180, 9);
    expect(parts.tx).toBeCloseTo(-41.5, 6);
    expect(parts.ty).toBeCloseTo(12.25, 6);
  });

  it('recovers negative angles, shrinking and large rotations', () => {
    for (const [scale, degrees] of [
      [0.31, -75],
      [2.5, 170],
      [1, -179],
    ] as const) {
      const truth = similarityMatrix(scale, (degrees * Math.PI) / 180, 7, -3);
      expectMatrixClose(estimateSimilarity(FIVE, applyAffineToPoints(truth, FIVE)), truth, 1e-6);
    }
  });

  it('maps points exactly when an exact similarity exists (two points always fit)', () => {
    const source: Point[] = [
      [10, 20],
      [40, 25],
    ];
    const destination: Point[] = [
      [50, 50],
      [100, 50],
    ];
    const m = estimateSimilarity(source, destination);
    const mapped = applyAffineToPoints(m, source);
    for (let i = 0; i < 2; i++) {
      expect(mapped[i]![0]).toBeCloseTo(destination[i]![0], 10);
      expect(mapped[i]![1]).toBeCloseTo(destination[i]![1], 10);
    }
  });

  it('is the least-squares fit for noisy points (residual no worse than the true transform)', () => {
    const truth = similarityMatrix(0.9, 0.2, 5, 6);
    const noise = [0.4, -0.3, 0.2, 0.5, -0.6, 0.1, -0.2, -0.4, 0.3, 0.0];
    const noisy = applyAffineToPoints(truth, FIVE).map(([x, y], i) => [x + noise[2 * i]!, y + noise[2 * i + 1]!] as Point);
    const fit = estimateSimilarity(FIVE, noisy);
    const residual = (m: AffineMatrix) =>
      applyAffineToPoints(m, FIVE).reduce((sum, [x, y], i) => sum + (x - noisy[i]![0]) ** 2 + (y - noisy[i]![1]) ** 2, 0);
    expect(residual(fit)).toBeLessThanOrEqual(residual(truth));
    // And nudging any of the four similarity parameters (a, b, tx, ty) only makes it worse.
    const [a, , c, b, , f] = fit;
    for (const [da, db, dc, df] of [
      [1e-3, 0, 0, 0],
      [-1e-3, 0, 0, 0],
      [0, 1e-3, 0, 0],
      [0, -1e-3, 0, 0],
      [0, 0, 1e-2, 0],
      [0, 0, 0, -1e-2],
    ] as const) {
      const nudged: AffineMatrix = [a + da, -(b + db), c + dc, b + db, a + da, f + df];
      expect(residual(nudged)).toBeGreaterThan(residual(fit));
    }
  });

  it('maps MTCNN landmarks onto the dlib template with a plausible scale and small tilt', () => {
    const m = estimateSimilarity(FIVE, DLIB_CHIP_TEMPLATE_150.template);
    const { scale, angle } = decomposeSimilarity(m);
    expect(scale).toBeGreaterThan(0.8);
    expect(scale).toBeLessThan(1.6);
    expect(Math.abs(angle)).toBeLessThan(0.2);
    const [lx, ly] = applyAffine(m, FIVE[0]!);
    expect(Math.abs(lx - 47.55)).toBeLessThan(5);
    expect(Math.abs(ly - 46.6)).toBeLessThan(5);
  });

  it('rejects mismatched, too few or coincident points', () => {
    expect(() => estimateSimilarity(FIVE, FIVE.slice(1))).toThrow(/as many/);
    expect(() => estimateSimilarity([[1, 1]], [[2, 2]])).toThrow(/at least 2/);
    expect(() =>
      estimateSimilarity(
        [
          [3, 3],
          [3, 3],
        ],
        [
          [0, 0],
          [1, 1],
        ],
      ),
    ).toThrow(/coincide/);
  });
});

describe('affine helpers', () => {
  it('inverts, composes and rotates about a fixed centre', () => {
    const m = similarityMatrix(1.8, -0.7, 13, -4);
    expectMatrixClose(composeAffine(invertAffine(m), m), IDENTITY, 1e-12);
    expectMatrixClose(composeAffine(m, invertAffine(m)), IDENTITY, 1e-12);
    const p: Point = [17, -9];
    const back = applyAffine(invertAffine(m), applyAffine(m, p));
    expect(back[0]).toBeCloseTo(17, 12);
    expect(back[1]).toBeCloseTo(-9, 12);
    const about = similarityAbout([100, 50], 0.5, 1.1);
    const fixed = applyAffine(about, [100, 50]);
    expect(fixed[0]).toBeCloseTo(100, 12);
    expect(fixed[1]).toBeCloseTo(50, 12);
    expect(() => invertAffine([1, 2, 0, 2, 4, 0])).toThrow(/singular/);
  });

  it('rotates +x towards +y for a positive angle', () => {
    const [x, y] = applyAffine(similarityMatrix(1, Math.PI / 2, 0, 0), [1, 0]);
    expect(x).toBeCloseTo(0, 12);
    expect(y).toBeCloseTo(1, 12);
  });
});

describe('warpAffine', () => {
  it('with the identity reproduces the image exactly', () => {
    const image = blankImage(9, 7);
    for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 37) % 256;
    for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
    const out = warpAffine(image, IDENTITY, 9, 7);
    expect(Array.from(out.data)).toEqual(Array.from(image.data));
  });

  it('translates by whole pixels exactly and fills uncovered pixels with black', () => {
    const image = rectangleImage(20, 20, 4, 5, 10, 8);
    const out = warpAffine(image, similarityMatrix(1, 0, 3, 2), 20, 20);
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 20; x++) {
        const inside = x >= 7 && x < 13 && y >= 7 && y < 10;
        expect(red(out, x, y)).toBe(inside ? 200 : 0);
        expect(out.data[(y * 20 + x) * 4 + 3]).toBe(255);
      }
    }
  });

  it('rotates a rectangle by 90 degrees about its centre into the expected place', () => {
    // A 10x4 bar centred on (20, 20) in a 40x40 image; rotated 90 degrees it is 4 wide and 10 tall.
    const image = rectangleImage(40, 40, 15, 18, 25, 22);
    const out = warpAffine(image, similarityAbout([20, 20], 1, Math.PI / 2), 40, 40);
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 40; x++) {
        const inside = x >= 18 && x < 22 && y >= 15 && y < 25;
        expect(red(out, x, y)).toBe(inside ? 200 : 0);
      }
    }
  });

  it('scales and shifts a checkerboard so every square lands where expected', () => {
    // 16x16 checkerboard of 4x4 squares (values 16 / 240), scaled by 1.5 and shifted by (5, 3):
    // source square (i, j) covers output [5 + 6i, 11 + 6i) x [3 + 6j, 9 + 6j).
    const image = blankImage(16, 16);
    const square = (x: number, y: number) => ((Math.floor(x / 4) + Math.floor(y / 4)) % 2 ? 240 : 16);
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++) {
        const o = (y * 16 + x) * 4;
        image.data[o] = image.data[o + 1] = image.data[o + 2] = square(x, y);
        image.data[o + 3] = 255;
      }
    const out = warpAffine(image, similarityMatrix(1.5, 0, 5, 3), 40, 40);
    let exact = 0;
    for (let y = 0; y < 40; y++)
      for (let x = 0; x < 40; x++) {
        // Source position of this output pixel centre, in pixel-index units.
        const fx = (x + 0.5 - 5) / 1.5 - 0.5;
        const fy = (y + 0.5 - 3) / 1.5 - 0.5;
        const x0 = Math.floor(fx);
        const y0 = Math.floor(fy);
        const v = red(out, x, y);
        if (fx <= -1 || fy <= -1 || fx >= 16 || fy >= 16) {
          expect(v).toBe(0);
        } else if (x0 >= 0 && y0 >= 0 && x0 + 1 < 16 && y0 + 1 < 16 && x0 >> 2 === (x0 + 1) >> 2 && y0 >> 2 === (y0 + 1) >> 2) {
          // All four neighbours in one square: exactly that square's value.
          expect(v).toBe(square(x0, y0));
          exact++;
        } else {
          // Edges between squares or at the border: a blend, never outside the range.
          expect(v).toBeLessThanOrEqual(240);
        }
      }
    expect(exact).toBeGreaterThan(200);
    // Spot checks in output coordinates: centre of square (0,0) and of square (1,0).
    expect(red(out, 8, 6)).toBe(16);
    expect(red(out, 14, 6)).toBe(240);
    expect(red(out, 2, 2)).toBe(0);
  });

  it('maps a landmark to its template position (warped dot lands on the template)', () => {
    // A bright 3x3 dot at an image point; warping with the face transform puts it at the mapped point.
    const image = blankImage(300, 300);
    for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
    const [px, py] = [204, 101];
    for (let y = py - 1; y <= py + 1; y++) for (let x = px - 1; x <= px + 1; x++) image.data[(y * 300 + x) * 4] = 255;
    const m = estimateSimilarity(FIVE, DLIB_CHIP_TEMPLATE_150.template);
    const out = warpAffine(image, m, 150, 150);
    // Intensity-weighted centroid of the red channel in the chip.
    let sum = 0;
    let cx = 0;
    let cy = 0;
    for (let y = 0; y < 150; y++)
      for (let x = 0; x < 150; x++) {
        const v = red(out, x, y);
        sum += v;
        cx += v * (x + 0.5);
        cy += v * (y + 0.5);
      }
    // The dot covers pixel (204, 101) whose centre is (204.5, 101.5) in continuous coordinates.
    const [ex, ey] = applyAffine(m, [px + 0.5, py + 0.5]);
    expect(Math.abs(cx / sum - ex)).toBeLessThan(0.05);
    expect(Math.abs(cy / sum - ey)).toBeLessThan(0.05);
  });

  it('rejects a zero-size output', () => {
    expect(() => warpAffine(blankImage(2, 2), IDENTITY, 0, 3)).toThrow(/positive whole pixels/);
  });
});
