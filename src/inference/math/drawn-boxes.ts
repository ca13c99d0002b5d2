/**
 * Face boxes drawn by the reader (MTCNN's data mode): the `drawn=x,y,w,h;x,y,w,h` deep link,
 * fitting a box to the image it is drawn on, and the geometry of drawing one by pointer drag or
 * by keyboard (move and resize a draft box). Coordinates are image pixels, x to the right and y
 * down from the top-left corner; a box is { x1, y1, x2, y2 } like every other box here.
 *
 * A drawn face trains the same crops as a detected one, so it must be able to yield them: at
 * least 12 px a side (P-Net's input, the smallest training crop), as sampleTrainingCrops skips
 * smaller faces.
 */
import type { Box, Point } from '../types.ts';

/** The smallest drawn face: the side of the smallest training crop. */
export const MIN_DRAWN_SIDE = 12;
/** Most drawn faces kept on one image (the link and the list stay readable). */
export const MAX_DRAWN_BOXES = 20;

/** A box as the deep link writes it: top-left corner, width and height. */
export interface DrawnRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface ParsedDrawnParam {
  rects: DrawnRect[];
  /** One sentence per entry that was not kept, quoting it. */
  problems: string[];
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * Parse `x,y,w,h;x,y,w,h` (semicolons between boxes, commas inside; spaces ignored). Malformed
 * entries and zero or negative sizes are reported and skipped; the others are kept. Whether a
 * box fits its image is decided later, by fitDrawnBox, when the image is known.
 */
export function parseDrawnParam(text: string | null): ParsedDrawnParam {
  const rects: DrawnRect[] = [];
  const problems: string[] = [];
  if (text === null) return { rects, problems };
  const entries = text
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const parts = entry.split(',').map((part) => part.trim());
    if (parts.length !== 4 || !parts.every((part) => NUMBER.test(part))) {
      problems.push(`"${entry}" is not x,y,w,h (four numbers in image pixels).`);
      continue;
    }
    const [x, y, w, h] = parts.map(Number) as [number, number, number, number];
    if (!(w > 0 && h > 0)) {
      problems.push(`"${entry}" has ${w > 0 ? 'zero height' : 'zero width'}: a face box needs a width and a height.`);
      continue;
    }
    if (rects.length >= MAX_DRAWN_BOXES) {
      problems.push(`"${entry}" is over the limit of ${MAX_DRAWN_BOXES} drawn faces.`);
      continue;
    }
    rects.push({ x, y, w, h });
  }
  return { rects, problems };
}

export function rectToBox(rect: DrawnRect): Box {
  return { x1: rect.x, y1: rect.y, x2: rect.x + rect.w, y2: rect.y + rect.h };
}

/** Two decimals at most, no trailing zeros: what the link and the list show. */
function short(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** The deep-link form of boxes (the inverse of parseDrawnParam for boxes it accepts). */
export function formatDrawnParam(boxes: readonly Box[]): string {
  return boxes.map((box) => [box.x1, box.y1, box.x2 - box.x1, box.y2 - box.y1].map(short).join(',')).join(';');
}

export type FittedBox = { box: Box; clamped: boolean } | { problem: string };

/**
 * Fit a drawn box to an image: a box partly outside is cut to the image (clamped: true); a box
 * wholly outside, or smaller than MIN_DRAWN_SIDE once cut, is refused with a sentence saying why.
 */
export function fitDrawnBox(box: Box, width: number, height: number, minSide = MIN_DRAWN_SIDE): FittedBox {
  const values = [box.x1, box.y1, box.x2, box.y2];
  if (!values.every(Number.isFinite)) return { problem: 'The box has a coordinate that is not a number.' };
  const x1 = Math.min(box.x1, box.x2);
  const x2 = Math.max(box.x1, box.x2);
  const y1 = Math.min(box.y1, box.y2);
  const y2 = Math.max(box.y1, box.y2);
  if (x2 - x1 <= 0 || y2 - y1 <= 0) return { problem: 'The box has zero size.' };
  const fitted = { x1: Math.max(0, x1), y1: Math.max(0, y1), x2: Math.min(width, x2), y2: Math.min(height, y2) };
  if (fitted.x2 <= fitted.x1 || fitted.y2 <= fitted.y1) {
    return { problem: `The box lies outside the ${width} by ${height} px image.` };
  }
  const w = fitted.x2 - fitted.x1;
  const h = fitted.y2 - fitted.y1;
  if (w < minSide || h < minSide) {
    return {
      problem: `The box is ${short(w)} by ${short(h)} px inside the image; a face needs at least ${minSide} px a side to give a ${minSide} px training crop.`,
    };
  }
  const clamped = fitted.x1 !== x1 || fitted.y1 !== y1 || fitted.x2 !== x2 || fitted.y2 !== y2;
  return { box: fitted, clamped };
}

/** The box spanned by a pointer drag from `start` to `end`, cut to the image (either corner may come first). */
export function boxFromDrag(start: Point, end: Point, width: number, height: number): Box {
  const clampX = (value: number) => Math.min(width, Math.max(0, value));
  const clampY = (value: number) => Math.min(height, Math.max(0, value));
  return {
    x1: clampX(Math.min(start[0], end[0])),
    y1: clampY(Math.min(start[1], end[1])),
    x2: clampX(Math.max(start[0], end[0])),
    y2: clampY(Math.max(start[1], end[1])),
  };
}

/** A point on an element shown at `shown` CSS size, in the pixels of the `width` x `height` image it shows. */
export function displayToImage(
  point: Point,
  shown: { left: number; top: number; width: number; height: number },
  width: number,
  height: number,
): Point {
  if (!(shown.width > 0 && shown.height > 0)) return [0, 0];
  return [((point[0] - shown.left) * width) / shown.width, ((point[1] - shown.top) * height) / shown.height];
}

/** A draft box for keyboard drawing: a square a quarter of the shorter side, centred. */
export function defaultDraftBox(width: number, height: number): Box {
  const side = Math.max(MIN_DRAWN_SIDE, Math.round(Math.min(width, height) / 4));
  const x1 = Math.max(0, Math.round((width - side) / 2));
  const y1 = Math.max(0, Math.round((height - side) / 2));
  return { x1, y1, x2: Math.min(width, x1 + side), y2: Math.min(height, y1 + side) };
}

/** The keyboard step: about 1% of the image's shorter side, at least 1 px. */
export function keyboardStep(width: number, height: number): number {
  return Math.max(1, Math.round(Math.min(width, height) / 100));
}

/** Move a box by (dx, dy), stopping at the image edges (its size never changes). */
export function moveBox(box: Box, dx: number, dy: number, width: number, height: number): Box {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  const x1 = Math.min(Math.max(0, box.x1 + dx), Math.max(0, width - w));
  const y1 = Math.min(Math.max(0, box.y1 + dy), Math.max(0, height - h));
  return { x1, y1, x2: x1 + w, y2: y1 + h };
}

/** Grow (positive) or shrink (negative) a box's right and bottom edges, keeping it between minSide and the image edge. */
export function resizeBox(box: Box, dw: number, dh: number, width: number, height: number, minSide = MIN_DRAWN_SIDE): Box {
  const x2 = Math.min(width, Math.max(box.x1 + minSide, box.x2 + dw));
  const y2 = Math.min(height, Math.max(box.y1 + minSide, box.y2 + dh));
  return { x1: box.x1, y1: box.y1, x2, y2 };
}
