/**
 * Box overlap and greedy non-maximum suppression, as the MTCNN cascade uses them. Pure.
 *
 * Boxes are continuous (x1, y1) to (x2, y2) with exclusive far edges, so a box's area is
 * (x2 - x1) * (y2 - y1). The released MTCNN code works on inclusive integer pixel indices and
 * adds 1 to every width; in continuous coordinates that +1 is already part of x2.
 */
import type { Box } from '../types.ts';

/** How overlap is measured: intersection over union, or over the smaller box's area. */
export type OverlapMode = 'union' | 'min';

/** Area of a box; 0 for an empty or inverted box. */
export function boxArea(box: Box): number {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  return w > 0 && h > 0 ? w * h : 0;
}

/** Area of the intersection of two boxes (0 when they do not overlap). */
export function intersectionArea(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  if (w <= 0) return 0;
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  return h > 0 ? w * h : 0;
}

/** Intersection over union, in [0, 1]; 0 when either box is empty. */
export function iou(a: Box, b: Box): number {
  const inter = intersectionArea(a, b);
  if (inter === 0) return 0;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/** Intersection over the smaller box's area ("Min" in the MTCNN code), in [0, 1]. */
export function overlapMin(a: Box, b: Box): number {
  const inter = intersectionArea(a, b);
  if (inter === 0) return 0;
  return inter / Math.min(boxArea(a), boxArea(b));
}

/** Overlap of two boxes by the given mode. */
export function overlap(a: Box, b: Box, mode: OverlapMode): number {
  return mode === 'min' ? overlapMin(a, b) : iou(a, b);
}

/**
 * Greedy NMS: visit boxes from the highest score down, keep each box not yet suppressed and
 * suppress every later box whose overlap with it is greater than `threshold` (a box overlapping
 * by exactly the threshold survives, as in the released code's `o <= threshold`).
 * Returns the indices of the kept boxes, highest score first. Equal scores keep input order.
 */
export function nmsIndices<T extends Box & { score: number }>(
  boxes: readonly T[],
  threshold: number,
  mode: OverlapMode = 'union',
): number[] {
  const n = boxes.length;
  if (n === 0) return [];
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => boxes[b]!.score - boxes[a]!.score || a - b);

  // Flat copies of the coordinates keep the O(n^2) inner loop on typed arrays.
  const x1 = new Float64Array(n);
  const y1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y2 = new Float64Array(n);
  const area = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const b = boxes[order[k]!]!;
    x1[k] = b.x1;
    y1[k] = b.y1;
    x2[k] = b.x2;
    y2[k] = b.y2;
    area[k] = boxArea(b);
  }
  const suppressed = new Uint8Array(n);
  const keep: number[] = [];
  const useMin = mode === 'min';
  for (let i = 0; i < n; i++) {
    if (suppressed[i]) continue;
    keep.push(order[i]!);
    const ax1 = x1[i]!;
    const ay1 = y1[i]!;
    const ax2 = x2[i]!;
    const ay2 = y2[i]!;
    const aArea = area[i]!;
    for (let j = i + 1; j < n; j++) {
      if (suppressed[j]) continue;
      const w = Math.min(ax2, x2[j]!) - Math.max(ax1, x1[j]!);
      if (w <= 0) continue;
      const h = Math.min(ay2, y2[j]!) - Math.max(ay1, y1[j]!);
      if (h <= 0) continue;
      const inter = w * h;
      const bArea = area[j]!;
      const denom = useMin ? Math.min(aArea, bArea) : aArea + bArea - inter;
      if (denom > 0 && inter / denom > threshold) suppressed[j] = 1;
    }
  }
  return keep;
}

/** NMS returning the kept boxes themselves, highest score first. */
export function nms<T extends Box & { score: number }>(boxes: readonly T[], threshold: number, mode: OverlapMode = 'union'): T[] {
  return nmsIndices(boxes, threshold, mode).map((i) => boxes[i]!);
}
