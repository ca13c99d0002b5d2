/**
 * Pure geometry and tensor packing for the MTCNN cascade (Zhang, Zhang, Li and Qiao 2016):
 * the image pyramid, P-Net output cells back to image boxes, box calibration with the
 * networks' regression offsets, squaring, edge padding, landmark mapping, and RGBA images to
 * the normalised NCHW float tensor the three networks take. No I/O, no model calls.
 *
 * Coordinates are continuous image pixels: pixel (i, j) covers [i, i + 1) x [j, j + 1) and a
 * box's far edges are exclusive, so its width is x2 - x1. The released code (kpzhang93's
 * MATLAB, davidsandberg/facenet detect_face.py, TropComplique/mtcnn-pytorch) uses inclusive
 * integer indices, widths x2 - x1 + 1, and rounds boxes to whole pixels between stages; here
 * boxes stay fractional and the crops are resampled at sub-pixel positions instead.
 */
import type { Box, Point, RgbaImage, TensorData } from '../types.ts';

/** Side of the smallest window P-Net classifies (its receptive field), in pyramid pixels. */
export const PNET_CELL = 12;
/** Step between neighbouring P-Net output cells, in pyramid pixels (one 2x2 max-pool). */
export const PNET_STRIDE = 2;
/** Input normalisation of all three networks: (v - 127.5) * 0.0078125, i.e. (v - 127.5) / 128. */
export const MTCNN_MEAN = 127.5;
export const MTCNN_SCALE = 0.0078125;
/** Crop sizes of the second and third stage. */
export const RNET_SIZE = 24;
export const ONET_SIZE = 48;

/** Regression offsets (dx1, dy1, dx2, dy2), as fractions of the box width and height. */
export type Regression = readonly [number, number, number, number];

/** A box with a face score and the regression offsets the network predicted for it. */
export interface Candidate extends Box {
  score: number;
  reg: Regression;
}

/**
 * The scales of the image pyramid. Scale m = 12 / minFaceSize maps the smallest face wanted
 * onto P-Net's 12 px window; each further level multiplies by `factor` while the shorter
 * side, scaled, is still at least 12 px (the released code's `while minl >= 12`). An image
 * whose shorter side is below minFaceSize gets no scales at all.
 */
export function pyramidScales(width: number, height: number, minFaceSize: number, factor: number): number[] {
  if (!(minFaceSize > 0) || !(factor > 0 && factor < 1)) {
    throw new RangeError(`pyramidScales needs minFaceSize > 0 and 0 < factor < 1, got ${minFaceSize} and ${factor}.`);
  }
  const scales: number[] = [];
  const m = PNET_CELL / minFaceSize;
  let minSide = Math.min(width, height) * m;
  let scale = m;
  while (minSide >= PNET_CELL) {
    scales.push(scale);
    minSide *= factor;
    scale *= factor;
  }
  return scales;
}

/** Size of the pyramid level at `scale`: each side rounded up, as in the released code. */
export function pyramidLevelSize(width: number, height: number, scale: number): { width: number; height: number } {
  return { width: Math.ceil(width * scale), height: Math.ceil(height * scale) };
}

/**
 * The image box that P-Net output cell (x, y) looks at. The cell covers pyramid pixels
 * [2x, 2x + 12) x [2y, 2y + 12); dividing by the level's scale gives image pixels. `scaleX`
 * and `scaleY` are the level's true ratios (levelWidth / width, levelHeight / height), which
 * differ slightly from the nominal scale because level sizes are rounded up. (The released
 * code's fix((2*i + 1) / s) .. fix((2*i + 12) / s) on 1-based inclusive indices is the same
 * window, up to its rounding.)
 */
export function cellBox(x: number, y: number, scaleX: number, scaleY: number): Box {
  return {
    x1: (PNET_STRIDE * x) / scaleX,
    y1: (PNET_STRIDE * y) / scaleY,
    x2: (PNET_STRIDE * x + PNET_CELL) / scaleX,
    y2: (PNET_STRIDE * y + PNET_CELL) / scaleY,
  };
}

/**
 * Candidates from one P-Net run (batch 1): every output cell whose face probability is at
 * least `threshold` (`>=`, as in generateBoundingBox.m), mapped back to image pixels, with its
 * score and its four regression offsets. `prob` is [1, 2, h, w] (channel 1 = face), `reg` is
 * [1, 4, h, w].
 */
export function pnetCandidates(prob: TensorData, reg: TensorData, scaleX: number, scaleY: number, threshold: number): Candidate[] {
  const h = prob.dims[2] ?? 0;
  const w = prob.dims[3] ?? 0;
  const plane = w * h;
  if (prob.dims[1] !== 2 || reg.dims[1] !== 4 || reg.dims[2] !== h || reg.dims[3] !== w) {
    throw new Error(`Unexpected P-Net output shapes: prob [${prob.dims.join(',')}], reg [${reg.dims.join(',')}].`);
  }
  if (prob.data.length < 2 * plane || reg.data.length < 4 * plane) {
    throw new Error('P-Net output is shorter than its shape says.');
  }
  const p = prob.data;
  const r = reg.data;
  const out: Candidate[] = [];
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      const score = p[plane + i]!;
      if (!(score >= threshold)) continue;
      const box = cellBox(x, y, scaleX, scaleY);
      out.push({
        x1: box.x1,
        y1: box.y1,
        x2: box.x2,
        y2: box.y2,
        score,
        reg: [r[i]!, r[plane + i]!, r[2 * plane + i]!, r[3 * plane + i]!],
      });
    }
  }
  return out;
}

/**
 * Apply regression offsets: each edge moves by its offset times the box's width (x edges) or
 * height (y edges): x1' = x1 + dx1 * w, y1' = y1 + dy1 * h, x2' = x2 + dx2 * w, y2' = y2 + dy2 * h.
 */
export function calibrateBox(box: Box, reg: Regression): Box {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  return {
    x1: box.x1 + reg[0] * w,
    y1: box.y1 + reg[1] * h,
    x2: box.x2 + reg[2] * w,
    y2: box.y2 + reg[3] * h,
  };
}

/** The square with the box's centre and its longer side ("rerec" in the released code). */
export function squareBox(box: Box): Box {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  const side = Math.max(w, h);
  const x1 = box.x1 + (w - side) / 2;
  const y1 = box.y1 + (h - side) / 2;
  return { x1, y1, x2: x1 + side, y2: y1 + side };
}

/**
 * Snap a box to whole pixels by flooring each edge. The released code does this between
 * stages (`fix()` on its 1-based inclusive coordinates, which is the floor of both continuous
 * edges for boxes inside the image) and calibrates the next stage from the snapped box.
 */
export function snapBox(box: Box): Box {
  return { x1: Math.floor(box.x1), y1: Math.floor(box.y1), x2: Math.floor(box.x2), y2: Math.floor(box.y2) };
}

/** The part of the box inside a width x height image (may be empty: x2 <= x1 or y2 <= y1). */
export function clipBox(box: Box, width: number, height: number): Box {
  return {
    x1: Math.min(Math.max(box.x1, 0), width),
    y1: Math.min(Math.max(box.y1, 0), height),
    x2: Math.min(Math.max(box.x2, 0), width),
    y2: Math.min(Math.max(box.y2, 0), height),
  };
}

/**
 * How a crop of `box` splits into image pixels and zero padding ("pad" in the released code):
 * `source` is the part inside the image, and left/top/right/bottom are the widths of the
 * padding bands, in image pixels, that a crop of a box running past the image edges gets
 * (the cascade's crops fill them with black, i.e. -0.99609375 after normalisation).
 */
export function cropPadding(
  box: Box,
  width: number,
  height: number,
): { source: Box; left: number; top: number; right: number; bottom: number } {
  const source = clipBox(box, width, height);
  return {
    source,
    left: Math.max(0, Math.min(box.x2, 0) - box.x1),
    top: Math.max(0, Math.min(box.y2, 0) - box.y1),
    right: Math.max(0, box.x2 - Math.max(box.x1, width)),
    bottom: Math.max(0, box.y2 - Math.max(box.y1, height)),
  };
}

/**
 * Whether a box is worth cropping: finite, at least `minSide` px wide and high, and overlapping
 * the image. Calibration can turn a box inside out or push it off the image; such a box cannot
 * hold a face, and a crop of it would be all padding.
 */
export function isUsableBox(box: Box, width: number, height: number, minSide = 1): boolean {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  if (!(Number.isFinite(w) && Number.isFinite(h) && w >= minSide && h >= minSide)) return false;
  return box.x2 > 0 && box.y2 > 0 && box.x1 < width && box.y1 < height;
}

/**
 * O-Net landmarks to image points. `landmarks` holds, from `offset`, x1..x5 then y1..y5 as
 * fractions of the box that was fed to O-Net: x = box.x1 + fx * w, y = box.y1 + fy * h.
 * Order: left eye, right eye, nose, left mouth corner, right mouth corner (left = image left).
 */
export function mapLandmarks(box: Box, landmarks: ArrayLike<number>, offset = 0): Point[] {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  const points: Point[] = [];
  for (let k = 0; k < 5; k++) {
    const fx = landmarks[offset + k] ?? 0;
    const fy = landmarks[offset + 5 + k] ?? 0;
    points.push([box.x1 + fx * w, box.y1 + fy * h]);
  }
  return points;
}

/**
 * Pack same-sized RGBA images into one normalised NCHW RGB float tensor [N, 3, height, width]:
 * value (v - 127.5) * 0.0078125; alpha is ignored. `out`, when given, must hold exactly
 * N * 3 * height * width floats and is filled in place.
 */
export function rgbaToNchw(images: readonly RgbaImage[], width: number, height: number, out?: Float32Array): TensorData {
  const n = images.length;
  const plane = width * height;
  const size = n * 3 * plane;
  if (out && out.length !== size) {
    throw new RangeError(`Output buffer holds ${out.length} floats, the tensor needs ${size}.`);
  }
  const data = out ?? new Float32Array(size);
  for (let k = 0; k < n; k++) {
    const image = images[k]!;
    if (image.width !== width || image.height !== height || image.data.length < plane * 4) {
      throw new RangeError(`Image ${k} is ${image.width}x${image.height}, expected ${width}x${height}.`);
    }
    const src = image.data;
    const r = k * 3 * plane;
    const g = r + plane;
    const b = g + plane;
    for (let i = 0, p = 0; i < plane; i++, p += 4) {
      data[r + i] = (src[p]! - MTCNN_MEAN) * MTCNN_SCALE;
      data[g + i] = (src[p + 1]! - MTCNN_MEAN) * MTCNN_SCALE;
      data[b + i] = (src[p + 2]! - MTCNN_MEAN) * MTCNN_SCALE;
    }
  }
  return { data, dims: [n, 3, height, width] };
}
