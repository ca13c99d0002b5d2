/**
 * Drawing helpers of the face-embedding demo (client): face boxes on an image, aligned chips
 * ("what the model sees"), embeddings as colour strips, and the distance matrix with the chips
 * as row and column headers. DOM only, no inference.
 */
import type { Verdict } from '../inference/math/embedding.ts';
import type { DetectedFace } from '../inference/tasks/detect-faces.ts';
import type { RgbaImage } from '../inference/types.ts';
import { drawFaces } from './overlay.ts';
import { drawImageTo } from './shell.ts';

/** One labelled box to draw on an image. */
export interface FaceMark {
  face: Pick<DetectedFace, 'box' | 'landmarks'>;
  label: string;
  /** Box colour; theme-independent because it is drawn on the photo itself. */
  colour?: string;
}

export const BOX_COLOURS = {
  neutral: '#facc15',
  known: '#22c55e',
  unknown: '#f97316',
} as const;

/**
 * Draw an image with a labelled box and the five landmarks of every face (overlay.ts does the
 * drawing; faces are grouped by colour because it takes one colour a call).
 */
export function drawFaceMarks(canvas: HTMLCanvasElement, image: RgbaImage, marks: readonly FaceMark[]): void {
  const colours = [...new Set(marks.map((mark) => mark.colour ?? BOX_COLOURS.neutral))];
  if (colours.length === 0) drawFaces(canvas, image, []);
  colours.forEach((colour, index) => {
    const group = marks.filter((mark) => (mark.colour ?? BOX_COLOURS.neutral) === colour);
    drawFaces(
      canvas,
      image,
      group.map((mark) => mark.face),
      { color: colour, labels: (_, i) => group[i]?.label ?? '', drawImage: index === 0 },
    );
  });
}

/** A canvas showing an aligned chip at its own resolution (CSS sets the displayed size). */
export function chipCanvas(chip: RgbaImage, label: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  drawImageTo(canvas, chip);
  canvas.className = 'chip';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  return canvas;
}

/** Largest absolute value over several embeddings: one colour scale for every strip shown together. */
export function embeddingScale(embeddings: readonly ArrayLike<number>[]): number {
  let max = 0;
  for (const embedding of embeddings) for (let i = 0; i < embedding.length; i++) max = Math.max(max, Math.abs(embedding[i]!));
  return max > 0 ? max : 1;
}

/** Diverging colour: blue for negative, orange for positive, pale grey near zero. */
function divergingColour(t: number): [number, number, number] {
  const clamped = Math.max(-1, Math.min(1, t));
  const zero: [number, number, number] = [226, 228, 233];
  const end: [number, number, number] = clamped < 0 ? [37, 99, 235] : [234, 88, 12];
  const k = Math.abs(clamped) ** 0.8;
  return [0, 1, 2].map((c) => Math.round(zero[c]! + (end[c]! - zero[c]!) * k)) as [number, number, number];
}

/**
 * The embedding as one row of colour cells (one per dimension), drawn at one pixel per cell and
 * stretched by CSS. `scale` maps values to the ends of the colour ramp.
 */
export function embeddingStrip(embedding: ArrayLike<number>, scale: number, label: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = embedding.length;
  canvas.height = 1;
  canvas.className = 'strip';
  const context = canvas.getContext('2d');
  if (context) {
    const pixels = context.createImageData(embedding.length, 1);
    for (let i = 0; i < embedding.length; i++) {
      const [r, g, b] = divergingColour(embedding[i]! / scale);
      pixels.data.set([r, g, b, 255], i * 4);
    }
    context.putImageData(pixels, 0, 0);
  }
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', label);
  canvas.title = `${embedding.length} values, blue negative, orange positive, scale ±${scale.toFixed(2)}`;
  return canvas;
}

/** Short text for a number of milliseconds. */
export function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`;
}

/** Create an element with a class and text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** One face with its chip and embedding, as shown in a gallery. */
export interface FaceView {
  /** Short name, e.g. "A1". */
  tag: string;
  chip: RgbaImage;
  embedding: Float32Array;
}

/** A figure: the aligned chip, its tag and its embedding strip. */
export function faceFigure(face: FaceView, scale: number, extra?: Node[]): HTMLElement {
  const figure = el('figure', 'face-figure');
  figure.append(chipCanvas(face.chip, `Aligned ${face.chip.width} by ${face.chip.height} chip of face ${face.tag}, as the model sees it`));
  const caption = el('figcaption');
  caption.append(el('strong', undefined, face.tag));
  caption.append(
    embeddingStrip(face.embedding, scale, `Embedding of face ${face.tag}: ${face.embedding.length} numbers as a colour strip`),
  );
  if (extra) caption.append(...extra);
  figure.append(caption);
  return figure;
}

/**
 * The distance matrix: rows are the faces of image A, columns those of image B, each header
 * shows the aligned chip, each cell the Euclidean distance and the verdict in words.
 */
export function distanceTable(
  rows: readonly FaceView[],
  cols: readonly FaceView[],
  verdicts: readonly (readonly Verdict[])[],
  caption: string,
): HTMLTableElement {
  const table = el('table', 'matrix');
  table.append(el('caption', 'visually-hidden', caption));
  const head = el('thead');
  const headRow = el('tr');
  const corner = el('td', 'corner');
  corner.append(el('span', 'muted', 'A ↓  B →'));
  headRow.append(corner);
  for (const col of cols) {
    const th = el('th');
    th.scope = 'col';
    th.append(chipCanvas(col.chip, `Face ${col.tag}`), el('span', 'tag', col.tag));
    headRow.append(th);
  }
  head.append(headRow);
  const body = el('tbody');
  rows.forEach((row, i) => {
    const tr = el('tr');
    const th = el('th');
    th.scope = 'row';
    th.append(chipCanvas(row.chip, `Face ${row.tag}`), el('span', 'tag', row.tag));
    tr.append(th);
    cols.forEach((col, j) => {
      const v = verdicts[i]![j]!;
      const td = el('td', v.same ? 'cell same' : 'cell different');
      td.append(el('span', 'distance', v.distance.toFixed(3)));
      td.append(el('span', 'verdict', v.same ? '✓ same' : '✗ different'));
      td.title = `${row.tag} vs ${col.tag}: distance ${v.distance.toFixed(4)} ${v.same ? '<' : '≥'} threshold ${v.threshold}`;
      tr.append(td);
    });
    body.append(tr);
  });
  table.append(head, body);
  return table;
}
