/**
 * 2-D similarity transforms (rotation + uniform scale + translation) and affine warping.
 *
 * Face alignment maps a detector's five landmarks onto an embedder's template with the
 * least-squares similarity transform (Umeyama 1991; in 2-D it has a closed form), then fills a
 * square chip by inverse-mapping every chip pixel into the image with bilinear sampling.
 *
 * Conventions. A matrix is a row-major 2x3 affine [a, b, c, d, e, f]:
 *   x' = a x + b y + c,   y' = d x + e y + f.
 * Coordinates are continuous image coordinates: pixel (i, j) covers [i, i + 1) x [j, j + 1) and
 * its centre is (i + 0.5, j + 0.5), the same half-pixel convention as math/image.ts, the
 * detector's boxes and landmarks, and canvas. Pure: no browser or Node API.
 */
import type { Point, RgbaImage } from '../types.ts';

/** Row-major 2x3 affine matrix [a, b, c, d, e, f]: x' = a x + b y + c, y' = d x + e y + f. */
export type AffineMatrix = readonly [number, number, number, number, number, number];

/** The identity transform. */
export const IDENTITY: AffineMatrix = [1, 0, 0, 0, 1, 0];

/**
 * The similarity transform that scales by `scale`, rotates by `angle` radians (positive turns
 * +x towards +y, i.e. clockwise on screen where y points down) about the origin, then translates
 * by (tx, ty).
 */
export function similarityMatrix(scale: number, angle: number, tx: number, ty: number): AffineMatrix {
  const c = scale * Math.cos(angle);
  const s = scale * Math.sin(angle);
  return [c, -s, tx, s, c, ty];
}

/** Rotate by `angle` and scale by `scale` about `centre` (which stays fixed). */
export function similarityAbout(centre: Point, scale: number, angle: number): AffineMatrix {
  const c = scale * Math.cos(angle);
  const s = scale * Math.sin(angle);
  const [cx, cy] = centre;
  return [c, -s, cx - (c * cx - s * cy), s, c, cy - (s * cx + c * cy)];
}

/** Scale, rotation angle (radians) and translation of a similarity matrix. */
export function decomposeSimilarity(m: AffineMatrix): { scale: number; angle: number; tx: number; ty: number } {
  return { scale: Math.hypot(m[0], m[3]), angle: Math.atan2(m[3], m[0]), tx: m[2], ty: m[5] };
}

/**
 * Least-squares similarity transform mapping `source` points onto `destination` points
 * (Umeyama / orthogonal Procrustes with uniform scale, no reflection). With centred points
 * p_i (source) and q_i (destination), the optimum is
 *   s cos(theta) = sum(p . q) / sum|p|^2,   s sin(theta) = sum(p x q) / sum|p|^2,
 * and the translation maps the source centroid onto the destination centroid.
 * Throws on mismatched or too few points, and when the source points all coincide.
 */
export function estimateSimilarity(source: readonly Point[], destination: readonly Point[]): AffineMatrix {
  const n = source.length;
  if (n !== destination.length) {
    throw new RangeError(`estimateSimilarity needs as many destination points as source points, got ${n} and ${destination.length}.`);
  }
  if (n < 2) throw new RangeError(`estimateSimilarity needs at least 2 point pairs, got ${n}.`);
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    const p = source[i]!;
    const q = destination[i]!;
    sx += p[0];
    sy += p[1];
    dx += q[0];
    dy += q[1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let dot = 0;
  let cross = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    const p = source[i]!;
    const q = destination[i]!;
    const px = p[0] - sx;
    const py = p[1] - sy;
    const qx = q[0] - dx;
    const qy = q[1] - dy;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    variance += px * px + py * py;
  }
  if (!(variance > 0) || !Number.isFinite(variance)) {
    throw new RangeError('estimateSimilarity: the source points coincide (or are not finite), so no transform is defined.');
  }
  const a = dot / variance;
  const b = cross / variance;
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}

/** Inverse of an affine matrix; throws when it is singular. */
export function invertAffine(m: AffineMatrix): AffineMatrix {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0 || !Number.isFinite(det)) throw new RangeError('invertAffine: the matrix is singular.');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** The transform that applies `first`, then `second`. */
export function composeAffine(second: AffineMatrix, first: AffineMatrix): AffineMatrix {
  const [a2, b2, c2, d2, e2, f2] = second;
  const [a1, b1, c1, d1, e1, f1] = first;
  return [a2 * a1 + b2 * d1, a2 * b1 + b2 * e1, a2 * c1 + b2 * f1 + c2, d2 * a1 + e2 * d1, d2 * b1 + e2 * e1, d2 * c1 + e2 * f1 + f2];
}

/** Apply an affine matrix to one point. */
export function applyAffine(m: AffineMatrix, point: Point): [number, number] {
  const [x, y] = point;
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** Apply an affine matrix to many points. */
export function applyAffineToPoints(m: AffineMatrix, points: readonly Point[]): [number, number][] {
  return points.map((point) => applyAffine(m, point));
}

/**
 * Warp `image` by `matrix` (which maps source coordinates to output coordinates, as OpenCV's
 * warpAffine does) into a new width x height image. Each output pixel centre is mapped back into
 * the source and sampled bilinearly; neighbours outside the source are black, so the region the
 * source does not cover is black (alpha 255), with a one-pixel antialiased rim.
 */
export function warpAffine(image: RgbaImage, matrix: AffineMatrix, width: number, height: number): RgbaImage {
  if (!(width >= 1 && height >= 1) || !Number.isInteger(width) || !Number.isInteger(height)) {
    throw new RangeError(`warpAffine output size must be positive whole pixels, got ${width}x${height}.`);
  }
  const out = new Uint8ClampedArray(width * height * 4);
  const src = image.data;
  const w = image.width;
  const h = image.height;
  const stride = w * 4;
  const [a, b, c, d, e, f] = invertAffine(matrix);
  // Source position (in pixel-index units, centre of pixel (0,0) at 0) of output pixel (x, y):
  // inv((x + 0.5, y + 0.5)) - 0.5. Step by (a, d) along a row and (b, e) down a column.
  const ox = a * 0.5 + b * 0.5 + c - 0.5;
  const oy = d * 0.5 + e * 0.5 + f - 0.5;
  const maxX = w - 1;
  const maxY = h - 1;
  let o = 0;
  for (let y = 0; y < height; y++) {
    let fx = ox + b * y;
    let fy = oy + e * y;
    for (let x = 0; x < width; x++, fx += a, fy += d, o += 4) {
      // Entirely outside: stay black.
      if (fx <= -1 || fy <= -1 || fx >= w || fy >= h) {
        out[o + 3] = 255;
        continue;
      }
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const wx = fx - x0;
      const wy = fy - y0;
      const w00 = (1 - wx) * (1 - wy);
      const w10 = wx * (1 - wy);
      const w01 = (1 - wx) * wy;
      const w11 = wx * wy;
      if (x0 >= 0 && y0 >= 0 && x0 < maxX && y0 < maxY) {
        // Interior fast path: all four neighbours exist.
        const i00 = y0 * stride + x0 * 4;
        const i01 = i00 + stride;
        out[o] = src[i00]! * w00 + src[i00 + 4]! * w10 + src[i01]! * w01 + src[i01 + 4]! * w11;
        out[o + 1] = src[i00 + 1]! * w00 + src[i00 + 5]! * w10 + src[i01 + 1]! * w01 + src[i01 + 5]! * w11;
        out[o + 2] = src[i00 + 2]! * w00 + src[i00 + 6]! * w10 + src[i01 + 2]! * w01 + src[i01 + 6]! * w11;
      } else {
        // Border: a neighbour outside the image contributes black.
        const inX0 = x0 >= 0 && x0 <= maxX;
        const inX1 = x0 + 1 >= 0 && x0 + 1 <= maxX;
        const inY0 = y0 >= 0 && y0 <= maxY;
        const inY1 = y0 + 1 >= 0 && y0 + 1 <= maxY;
        let r = 0;
        let g = 0;
        let bl = 0;
        if (inY0) {
          const row = y0 * stride;
          if (inX0) {
            const i = row + x0 * 4;
            r += src[i]! * w00;
            g += src[i + 1]! * w00;
            bl += src[i + 2]! * w00;
          }
          if (inX1) {
            const i = row + x0 * 4 + 4;
            r += src[i]! * w10;
            g += src[i + 1]! * w10;
            bl += src[i + 2]! * w10;
          }
        }
        if (inY1) {
          const row = (y0 + 1) * stride;
          if (inX0) {
            const i = row + x0 * 4;
            r += src[i]! * w01;
            g += src[i + 1]! * w01;
            bl += src[i + 2]! * w01;
          }
          if (inX1) {
            const i = row + x0 * 4 + 4;
            r += src[i]! * w11;
            g += src[i + 1]! * w11;
            bl += src[i + 2]! * w11;
          }
        }
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = bl;
      }
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out };
}
