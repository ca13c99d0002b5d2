/**
 * The face-detection demo's data mode (mode=data): from the photo and its faces (the ones the
 * cascade found, and the ones the reader draws), cut the training crops the MTCNN paper
 * describes (math/mtcnn-training-crops.ts), show each crop at the net's input size with its IoU
 * and kind, and count them per kind.
 *
 * Drawing: drag on the photo (mouse, pen or touch: pointer events), or focus it and use the
 * keyboard (arrows move a draft box, Shift+arrows resize it, Enter adds it, Escape drops it).
 * Drawn boxes are listed with a delete button each, kept in the URL (drawn=x,y,w,h;...) and,
 * once a run has found the faces, the crops are cut again at once (no new detection). A toggle
 * cuts against the drawn faces only. A box that does not fit (outside the image, zero size,
 * under 12 px, a malformed link entry) is refused with a sentence; the other boxes stay.
 *
 * Its part of data-result: cropSize, cropCounts (per kind), crops: [{ box, iou, kind, size }],
 * faceSource ('detected+drawn' | 'drawn'), trainingFaces: [{ box, source: 'detected'|'drawn' }]
 * (the faces the crops were cut against; `faces` stays the detector's output) and drawnProblems.
 */
import {
  boxFromDrag,
  defaultDraftBox,
  displayToImage,
  fitDrawnBox,
  formatDrawnParam,
  keyboardStep,
  MAX_DRAWN_BOXES,
  moveBox,
  parseDrawnParam,
  rectToBox,
  resizeBox,
} from '../inference/math/drawn-boxes.ts';
import { cropResizeBilinear } from '../inference/math/image.ts';
import {
  CROP_KINDS,
  countByKind,
  sampleTrainingCrops,
  type AnnotatedFace,
  type NetInputSize,
  type TrainingCrop,
} from '../inference/math/mtcnn-training-crops.ts';
import type { DetectedFace } from '../inference/tasks/detect-faces.ts';
import type { Box, RgbaImage } from '../inference/types.ts';
import { drawFaces } from './overlay.ts';
import { parseModeParams } from './params.ts';
import { drawImageTo } from './shell.ts';

const KIND_TEXT: Record<TrainingCrop['kind'], string> = {
  positive: 'positive (IoU ≥ 0.65): face / not face and box regression',
  part: 'part face (0.4 ≤ IoU < 0.65): box regression only',
  negative: 'negative (IoU < 0.3): face / not face',
  landmark: 'landmark face (IoU ≥ 0.65, five points inside): landmark regression',
};

const NET_OF_SIZE: Record<NetInputSize, string> = { 12: 'P-Net', 24: 'R-Net', 48: 'O-Net' };
const DETECTED_COLOR = '#39e75f';
const DRAWN_COLOR = '#4aa3ff';
const DRAFT_COLOR = '#ffd60a';

export type FaceSource = 'detected' | 'drawn';

const round2 = (value: number) => Math.round(value * 100) / 100;
const roundBox = (box: Box): Box => ({ x1: round2(box.x1), y1: round2(box.y1), x2: round2(box.x2), y2: round2(box.y2) });
const describeBox = (box: Box) =>
  `at (${Math.round(box.x1)}, ${Math.round(box.y1)}), ${Math.round(box.x2 - box.x1)} by ${Math.round(box.y2 - box.y1)} px`;

export interface TrainingCropsCallbacks {
  /** The crop size changed: cut the crops again. */
  onSizeChange(): void;
  /** The faces to cut against changed (drawn, deleted, toggled): cut the crops again. */
  onFacesChange(): void;
}

export class TrainingCropsMode {
  readonly active: boolean;
  private readonly panel: HTMLElement;
  private readonly sizeSelect: HTMLSelectElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly draftLine: HTMLElement;
  private readonly note: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly sourceRadios: HTMLInputElement[];
  private readonly callbacks: TrainingCropsCallbacks;
  private image: RgbaImage | null = null;
  private detected: readonly DetectedFace[] | null = null;
  private drawn: Box[] = [];
  private draft: Box | null = null;
  private drag: { start: readonly [number, number]; pointerId: number } | null = null;
  /** Boxes of the drawn= link, fitted to the first image that arrives. */
  private pendingLink: Box[];
  private problems: string[];

  constructor(root: HTMLElement, callbacks: TrainingCropsCallbacks) {
    this.callbacks = callbacks;
    this.panel = root.querySelector<HTMLElement>('[data-training-crops]')!;
    this.sizeSelect = this.panel.querySelector<HTMLSelectElement>('[data-crop-size]')!;
    this.canvas = this.panel.querySelector<HTMLCanvasElement>('[data-draw-canvas]')!;
    this.draftLine = this.panel.querySelector<HTMLElement>('[data-draw-draft]')!;
    this.note = this.panel.querySelector<HTMLElement>('[data-drawn-note]')!;
    this.list = this.panel.querySelector<HTMLOListElement>('[data-drawn-list]')!;
    this.sourceRadios = [...this.panel.querySelectorAll<HTMLInputElement>('input[data-face-source]')];
    const params = parseModeParams(location.search);
    this.active = params.mode === 'data';
    this.panel.hidden = !this.active;
    if (params.size) this.sizeSelect.value = String(params.size);
    this.sizeSelect.addEventListener('change', () => callbacks.onSizeChange());
    const link = parseDrawnParam(new URLSearchParams(location.search).get('drawn'));
    this.pendingLink = link.rects.map(rectToBox);
    this.problems = link.problems.map((problem) => `Link entry ${problem}`);
    if (new URLSearchParams(location.search).get('faces') === 'drawn') this.setSource('drawn');
    for (const radio of this.sourceRadios) radio.addEventListener('change', () => this.facesChanged());
    if (this.active) this.bindDrawing();
    this.renderList();
    this.renderNote();
  }

  size(): NetInputSize {
    const value = Number(this.sizeSelect.value);
    return value === 24 || value === 48 ? value : 12;
  }

  private source(): 'detected+drawn' | 'drawn' {
    return this.sourceRadios.find((radio) => radio.checked)?.value === 'drawn' ? 'drawn' : 'detected+drawn';
  }

  private setSource(value: 'detected+drawn' | 'drawn'): void {
    for (const radio of this.sourceRadios) radio.checked = radio.value === value;
  }

  /** A new image: boxes drawn on the previous one do not belong to it (the link's boxes wait for the first). */
  setImage(image: RgbaImage): void {
    if (!this.active) return;
    const previous = this.image;
    this.image = image;
    this.detected = null;
    this.draft = null;
    if (previous === null) {
      const link = this.pendingLink;
      this.pendingLink = [];
      link.forEach((box, index) => this.add(box, `Link box ${index + 1}`, false));
    } else {
      this.problems =
        this.drawn.length > 0
          ? [
              `The ${this.drawn.length} face${this.drawn.length === 1 ? '' : 's'} drawn on the previous image ${this.drawn.length === 1 ? 'was' : 'were'} cleared: they belonged to that image.`,
            ]
          : [];
      this.drawn = [];
    }
    this.syncUrl();
    this.renderList();
    this.renderNote();
    this.render();
  }

  /** The faces the crops are cut against, in order: detected (unless drawn only), then drawn. */
  private trainingFaces(): { face: AnnotatedFace; source: FaceSource }[] {
    const detected = this.source() === 'drawn' ? [] : (this.detected ?? []);
    return [
      ...detected.map((face) => ({ face: { box: face.box, landmarks: face.landmarks }, source: 'detected' as const })),
      ...this.drawn.map((box) => ({ face: { box }, source: 'drawn' as const })),
    ];
  }

  /** Cut, draw and describe the crops; returns the data-result part. */
  show(image: RgbaImage, faces: readonly DetectedFace[]): Record<string, unknown> {
    if (image !== this.image) this.setImage(image);
    this.detected = faces;
    this.render();
    const size = this.size();
    const used = this.trainingFaces();
    const crops = sampleTrainingCrops(
      image,
      used.map((item) => item.face),
      { size, seed: 1 },
    );
    const counts = countByKind(crops);
    const drawnUsed = used.filter((item) => item.source === 'drawn').length;
    const detectedUsed = used.length - drawnUsed;
    const from =
      used.length === 0
        ? 'no face'
        : [detectedUsed > 0 ? `${detectedUsed} detected` : '', drawnUsed > 0 ? `${drawnUsed} drawn` : ''].filter(Boolean).join(' and ') +
          ` face${used.length === 1 ? '' : 's'}`;
    this.panel.querySelector<HTMLElement>('[data-crop-summary]')!.textContent =
      `${crops.length} training crops for ${NET_OF_SIZE[size]} (${size}x${size}) from ${from}: ` +
      CROP_KINDS.map((kind) => `${counts[kind]} ${kind}`).join(', ') +
      (used.length === 0
        ? '. With no face, every crop is a negative.'
        : drawnUsed > 0
          ? '. Drawn faces have no landmarks, so they give no landmark crops.'
          : '.');
    const grid = this.panel.querySelector<HTMLElement>('[data-crop-grid]')!;
    grid.replaceChildren(
      ...crops.map((crop) => {
        const figure = document.createElement('figure');
        figure.className = `crop crop-${crop.kind}`;
        figure.dataset.kind = crop.kind;
        const canvas = document.createElement('canvas');
        drawImageTo(canvas, cropResizeBilinear(image, crop.box, size, size));
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', `${crop.kind} crop, IoU ${crop.iou.toFixed(2)}`);
        const caption = document.createElement('figcaption');
        caption.textContent = `${crop.kind} · IoU ${crop.iou.toFixed(2)}`;
        caption.title = KIND_TEXT[crop.kind];
        figure.append(canvas, caption);
        return figure;
      }),
    );
    return {
      cropSize: size,
      cropCounts: counts,
      faceSource: this.source(),
      trainingFaces: used.map((item) => ({ box: roundBox(item.face.box), source: item.source })),
      drawnProblems: [...this.problems],
      crops: crops.map((crop) => ({ box: roundBox(crop.box), iou: crop.iou, kind: crop.kind, size: crop.size })),
    };
  }

  /** Whether crops have been cut on this image (so a change can cut them again without a run). */
  get hasCrops(): boolean {
    return this.detected !== null;
  }

  // ---- Drawn boxes -------------------------------------------------------------------------

  /** Fit a box to the image and add it, or say why not; nothing already drawn is lost either way. */
  private add(box: Box, what: string, announce = true): boolean {
    const image = this.image;
    if (!image) return false;
    if (announce) this.problems = [];
    if (this.drawn.length >= MAX_DRAWN_BOXES) {
      this.problems.push(`${what} was not added: at most ${MAX_DRAWN_BOXES} drawn faces per image.`);
      return false;
    }
    const fitted = fitDrawnBox(box, image.width, image.height);
    if ('problem' in fitted) {
      this.problems.push(`${what} was not added: ${fitted.problem}`);
      return false;
    }
    this.drawn.push(fitted.box);
    if (fitted.clamped) this.problems.push(`${what} crossed the image edge and was cut to it (${describeBox(fitted.box)}).`);
    return true;
  }

  private addAndRefresh(box: Box, what: string): void {
    const added = this.add(box, what);
    this.renderNote();
    if (!added) {
      this.render();
      return;
    }
    this.draftLine.textContent = `Added face D${this.drawn.length} ${describeBox(this.drawn[this.drawn.length - 1]!)}.`;
    this.facesChanged();
  }

  private remove(index: number): void {
    const [removed] = this.drawn.splice(index, 1);
    if (!removed) return;
    this.problems = [];
    this.draftLine.textContent = `Deleted drawn face D${index + 1}.`;
    this.renderNote();
    this.facesChanged();
    // Keep the keyboard where it was: the next delete button, or the photo when the list is empty.
    const buttons = this.list.querySelectorAll<HTMLButtonElement>('[data-drawn-delete]');
    (buttons[Math.min(index, buttons.length - 1)] ?? this.canvas).focus();
  }

  private facesChanged(): void {
    this.syncUrl();
    this.renderList();
    this.render();
    if (this.hasCrops) this.callbacks.onFacesChange();
  }

  /** Keep the drawn boxes and the toggle in the address (a reload or a shared link keeps them). */
  private syncUrl(): void {
    const url = new URL(location.href);
    if (this.drawn.length > 0) url.searchParams.set('drawn', formatDrawnParam(this.drawn));
    else url.searchParams.delete('drawn');
    if (this.source() === 'drawn') url.searchParams.set('faces', 'drawn');
    else url.searchParams.delete('faces');
    if (url.href !== location.href) history.replaceState(history.state, '', url);
  }

  // ---- Drawing: pointer and keyboard --------------------------------------------------------

  private imagePoint(event: PointerEvent): readonly [number, number] {
    const image = this.image!;
    return displayToImage([event.clientX, event.clientY], this.canvas.getBoundingClientRect(), image.width, image.height);
  }

  private bindDrawing(): void {
    const canvas = this.canvas;
    canvas.addEventListener('pointerdown', (event) => {
      if (!this.image || (event.pointerType === 'mouse' && event.button !== 0)) return;
      event.preventDefault();
      canvas.focus({ preventScroll: true });
      this.drag = { start: this.imagePoint(event), pointerId: event.pointerId };
      this.draft = null;
      try {
        canvas.setPointerCapture(event.pointerId);
      } catch {
        // A synthetic pointer has nothing to capture; the drag still works while it stays on the photo.
      }
    });
    canvas.addEventListener('pointermove', (event) => {
      if (!this.drag || event.pointerId !== this.drag.pointerId || !this.image) return;
      this.draft = boxFromDrag(this.drag.start, this.imagePoint(event), this.image.width, this.image.height);
      this.render();
      this.describeDraft();
    });
    const finish = (event: PointerEvent, keep: boolean) => {
      if (!this.drag || event.pointerId !== this.drag.pointerId || !this.image) return;
      const draft = boxFromDrag(this.drag.start, this.imagePoint(event), this.image.width, this.image.height);
      this.drag = null;
      this.draft = null;
      const shown = canvas.getBoundingClientRect();
      // A tap or a click (under 4 CSS px of movement) draws nothing.
      const movedPx = Math.max(
        ((draft.x2 - draft.x1) * shown.width) / this.image.width,
        ((draft.y2 - draft.y1) * shown.height) / this.image.height,
      );
      if (!keep || movedPx < 4) {
        this.render();
        this.describeDraft();
        return;
      }
      this.addAndRefresh(draft, 'The box you drew');
    };
    canvas.addEventListener('pointerup', (event) => finish(event, true));
    canvas.addEventListener('pointercancel', (event) => finish(event, false));

    canvas.addEventListener('focus', () => this.describeDraft());
    canvas.addEventListener('keydown', (event) => {
      const image = this.image;
      if (!image) return;
      const step = 2 * keyboardStep(image.width, image.height);
      const arrows: Record<string, [number, number]> = {
        ArrowLeft: [-step, 0],
        ArrowRight: [step, 0],
        ArrowUp: [0, -step],
        ArrowDown: [0, step],
      };
      const delta = arrows[event.key];
      if (delta) {
        event.preventDefault();
        const draft = this.draft ?? defaultDraftBox(image.width, image.height);
        this.draft = event.shiftKey
          ? resizeBox(draft, delta[0], delta[1], image.width, image.height)
          : this.draft
            ? moveBox(draft, delta[0], delta[1], image.width, image.height)
            : draft;
      } else if (event.key === 'Enter') {
        event.preventDefault();
        if (!this.draft) this.draft = defaultDraftBox(image.width, image.height);
        else {
          const draft = this.draft;
          this.draft = null;
          event.stopPropagation();
          this.addAndRefresh(draft, 'The box you placed');
          return;
        }
      } else if (event.key === 'Escape' && this.draft) {
        event.preventDefault();
        this.draft = null;
      } else {
        return;
      }
      // The stage page's keys (space runs) must not act on a key the editor used.
      event.stopPropagation();
      this.render();
      this.describeDraft();
    });
    canvas.addEventListener('blur', () => {
      if (this.drag) return;
      this.draft = null;
      this.render();
    });
  }

  private describeDraft(): void {
    if (!this.image) {
      this.draftLine.textContent = 'Choose an image to draw faces on it.';
    } else if (this.draft) {
      this.draftLine.textContent = `Box ${describeBox(this.draft)}. ${this.drag ? 'Release to add it.' : 'Enter adds it, Escape drops it.'}`;
    } else if (document.activeElement === this.canvas) {
      this.draftLine.textContent = 'Press an arrow key or Enter to place a box, or drag on the photo.';
    }
  }

  // ---- Rendering ----------------------------------------------------------------------------

  private render(): void {
    const image = this.image;
    if (!this.active || !image) return;
    const detected = this.source() === 'drawn' ? [] : (this.detected ?? []);
    drawFaces(this.canvas, image, detected, { color: DETECTED_COLOR, landmarks: true, labels: (_item, index) => `${index + 1}` });
    drawFaces(
      this.canvas,
      null,
      this.drawn.map((box) => ({ box })),
      { color: DRAWN_COLOR, drawImage: false, labels: (_item, index) => `D${index + 1}` },
    );
    if (this.draft) drawFaces(this.canvas, null, [{ box: this.draft }], { color: DRAFT_COLOR, drawImage: false, labels: false });
    this.canvas.dataset.drawn = String(this.drawn.length);
    this.canvas.setAttribute(
      'aria-label',
      `The ${image.width} by ${image.height} photo with ${detected.length} detected and ${this.drawn.length} drawn face${this.drawn.length === 1 ? '' : 's'}. Drag to draw a face, or use the arrow keys and Enter.`,
    );
  }

  private renderList(): void {
    if (this.drawn.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'muted';
      empty.textContent = 'No face drawn yet.';
      this.list.replaceChildren(empty);
      return;
    }
    this.list.replaceChildren(
      ...this.drawn.map((box, index) => {
        const item = document.createElement('li');
        item.dataset.drawnFace = String(index);
        const text = document.createElement('span');
        text.textContent = `D${index + 1} ${describeBox(box)}`;
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'button secondary small-button';
        remove.dataset.drawnDelete = String(index);
        remove.textContent = 'Delete';
        remove.setAttribute('aria-label', `Delete drawn face D${index + 1}`);
        remove.addEventListener('click', () => this.remove(index));
        item.append(text, ' ', remove);
        return item;
      }),
    );
  }

  private renderNote(): void {
    this.note.textContent = this.problems.join(' ');
    this.note.hidden = this.problems.length === 0;
  }
}
