/**
 * Drawing detections over an image on a canvas: boxes, an optional label (for example the
 * confidence) on each, and facial landmarks. Generic: any demo that has boxes in image pixel
 * coordinates can use it (face detection draws its cascade stages with it; face embedding can
 * draw the faces it compared). The canvas takes the image's own size, so coordinates need no
 * scaling; line widths and text grow with the image so they stay readable when CSS shrinks it.
 * Everything is drawn twice, a dark halo under a bright stroke, so it reads on light and dark
 * photos alike whatever the page theme.
 */
import type { Box, Point, RgbaImage } from '../inference/types.ts';

/** Something with a box and, optionally, a score and landmarks (a DetectedFace or a ScoredBox both fit). */
export interface OverlayItem {
  box?: Box;
  x1?: number;
  y1?: number;
  x2?: number;
  y2?: number;
  score?: number;
  landmarks?: readonly Point[];
}

export interface DrawFacesOptions {
  /** Stroke and label colour (any CSS colour). Default a bright green. */
  color?: string;
  /** Box line width in image pixels; default scales with the image (about 1/250 of its longer side, at least 2). */
  lineWidth?: number;
  /**
   * Label per item: true (default) draws "index · score%" (or the index alone without a score),
   * false draws none, a function gives the text (return '' to skip one).
   */
  labels?: boolean | ((item: OverlayItem, index: number) => string);
  /** Draw landmarks when an item has them (default true). */
  landmarks?: boolean;
  /** Landmark colour; default a bright magenta that stands apart from the box colour. */
  landmarkColor?: string;
  /** Stroke opacity, 0..1 (default 1); lower it for crowded stages with hundreds of boxes. */
  alpha?: number;
  /** Draw the image first (default true); false draws on top of whatever the canvas holds. */
  drawImage?: boolean;
}

/** The box of an item, whether it is nested (DetectedFace) or flat (ScoredBox). */
export function itemBox(item: OverlayItem): Box {
  if (item.box) return item.box;
  return { x1: item.x1 ?? 0, y1: item.y1 ?? 0, x2: item.x2 ?? 0, y2: item.y2 ?? 0 };
}

/** Default label: 1-based number and the score as a percentage. */
export function defaultLabel(item: OverlayItem, index: number): string {
  return item.score === undefined ? `${index + 1}` : `${index + 1} · ${formatScore(item.score)}`;
}

/** A score as a percentage with one decimal, never rounding a sub-1 score up to 100%. */
export function formatScore(score: number): string {
  const percent = Math.floor(score * 1000) / 10;
  return `${percent.toFixed(1)}%`;
}

/** Put an RgbaImage on the canvas at its own size. */
function paintImage(canvas: HTMLCanvasElement, context: CanvasRenderingContext2D, image: RgbaImage): void {
  if (canvas.width !== image.width || canvas.height !== image.height) {
    canvas.width = image.width;
    canvas.height = image.height;
  }
  context.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
}

/**
 * Draw `image` on `canvas` with `items` over it. Returns how many boxes were drawn (items with
 * a non-positive area are skipped).
 */
export function drawFaces(
  canvas: HTMLCanvasElement,
  image: RgbaImage | null,
  items: readonly OverlayItem[],
  options: DrawFacesOptions = {},
): number {
  const context = canvas.getContext('2d');
  if (!context) throw new Error('No 2D canvas.');
  if (image && options.drawImage !== false) paintImage(canvas, context, image);
  const longer = Math.max(canvas.width, canvas.height, 1);
  const lineWidth = options.lineWidth ?? Math.max(2, longer / 250);
  const color = options.color ?? '#39e75f';
  const landmarkColor = options.landmarkColor ?? '#ff4fd8';
  const labelFor = options.labels === false ? null : typeof options.labels === 'function' ? options.labels : defaultLabel;
  const fontSize = Math.max(12, Math.round(longer / 38));
  const halo = 'rgba(0, 0, 0, 0.75)';

  context.save();
  context.globalAlpha = options.alpha ?? 1;
  context.lineJoin = 'round';
  let drawn = 0;
  for (const item of items) {
    const { x1, y1, x2, y2 } = itemBox(item);
    const width = x2 - x1;
    const height = y2 - y1;
    if (!(width > 0 && height > 0)) continue;
    drawn++;
    context.strokeStyle = halo;
    context.lineWidth = lineWidth + Math.max(1.5, lineWidth * 0.8);
    context.strokeRect(x1, y1, width, height);
    context.strokeStyle = color;
    context.lineWidth = lineWidth;
    context.strokeRect(x1, y1, width, height);
  }
  context.globalAlpha = 1;

  // Landmarks, then labels, after every box so no box hides a label.
  if (options.landmarks !== false) {
    const radius = Math.max(2.5, lineWidth * 1.1);
    for (const item of items) {
      for (const [x, y] of item.landmarks ?? []) {
        context.beginPath();
        context.arc(x, y, radius, 0, 2 * Math.PI);
        context.fillStyle = landmarkColor;
        context.fill();
        context.lineWidth = Math.max(1, radius * 0.45);
        context.strokeStyle = halo;
        context.stroke();
      }
    }
  }
  if (labelFor) {
    context.font = `600 ${fontSize}px system-ui, sans-serif`;
    context.textBaseline = 'top';
    items.forEach((item, index) => {
      const text = labelFor(item, index);
      if (!text) return;
      const { x1, y1, x2, y2 } = itemBox(item);
      if (!(x2 > x1 && y2 > y1)) return;
      const padding = Math.round(fontSize * 0.25);
      const textWidth = context.measureText(text).width;
      const boxHeight = fontSize + 2 * padding;
      // Above the box when there is room, else inside its top edge; kept within the canvas.
      const left = Math.min(Math.max(0, x1 - lineWidth / 2), Math.max(0, canvas.width - textWidth - 2 * padding));
      const top = y1 - lineWidth / 2 - boxHeight >= 0 ? y1 - lineWidth / 2 - boxHeight : Math.max(0, y1 + lineWidth / 2);
      context.fillStyle = halo;
      context.fillRect(left, top, textWidth + 2 * padding, boxHeight);
      context.fillStyle = color;
      context.fillText(text, left + padding, top + padding);
    });
  }
  context.restore();
  return drawn;
}

/** Blank the canvas (size 0 hides it under the usual `canvas[width='0']` rule). */
export function clearOverlay(canvas: HTMLCanvasElement): void {
  canvas.width = 0;
  canvas.height = 0;
}
