/**
 * The face-detection demo's data mode (mode=data): from the photo and the faces the cascade
 * found, cut the training crops the MTCNN paper describes (math/mtcnn-training-crops.ts), show
 * each crop at the net's input size with its IoU and kind, and count them per kind.
 * Its part of data-result: cropSize, cropCounts (per kind) and crops: [{ box, iou, kind, size }].
 */
import { cropResizeBilinear } from '../inference/math/image.ts';
import {
  CROP_KINDS,
  countByKind,
  sampleTrainingCrops,
  type NetInputSize,
  type TrainingCrop,
} from '../inference/math/mtcnn-training-crops.ts';
import type { DetectedFace } from '../inference/tasks/detect-faces.ts';
import type { RgbaImage } from '../inference/types.ts';
import { parseModeParams } from './params.ts';
import { drawImageTo } from './shell.ts';

const KIND_TEXT: Record<TrainingCrop['kind'], string> = {
  positive: 'positive (IoU ≥ 0.65): face / not face and box regression',
  part: 'part face (0.4 ≤ IoU < 0.65): box regression only',
  negative: 'negative (IoU < 0.3): face / not face',
  landmark: 'landmark face (IoU ≥ 0.65, five points inside): landmark regression',
};

const NET_OF_SIZE: Record<NetInputSize, string> = { 12: 'P-Net', 24: 'R-Net', 48: 'O-Net' };

const round2 = (value: number) => Math.round(value * 100) / 100;

export class TrainingCropsMode {
  readonly active: boolean;
  private readonly panel: HTMLElement;
  private readonly sizeSelect: HTMLSelectElement;

  constructor(root: HTMLElement, onSizeChange: () => void) {
    this.panel = root.querySelector<HTMLElement>('[data-training-crops]')!;
    this.sizeSelect = this.panel.querySelector<HTMLSelectElement>('[data-crop-size]')!;
    const params = parseModeParams(location.search);
    this.active = params.mode === 'data';
    this.panel.hidden = !this.active;
    if (params.size) this.sizeSelect.value = String(params.size);
    this.sizeSelect.addEventListener('change', onSizeChange);
  }

  size(): NetInputSize {
    const value = Number(this.sizeSelect.value);
    return value === 24 || value === 48 ? value : 12;
  }

  /** Cut, draw and describe the crops; returns the data-result part. */
  show(image: RgbaImage, faces: readonly DetectedFace[]): Record<string, unknown> {
    const size = this.size();
    const crops = sampleTrainingCrops(
      image,
      faces.map((face) => ({ box: face.box, landmarks: face.landmarks })),
      { size, seed: 1 },
    );
    const counts = countByKind(crops);
    this.panel.querySelector<HTMLElement>('[data-crop-summary]')!.textContent =
      `${crops.length} training crops for ${NET_OF_SIZE[size]} (${size}x${size}) from ${faces.length} face${faces.length === 1 ? '' : 's'}: ` +
      CROP_KINDS.map((kind) => `${counts[kind]} ${kind}`).join(', ') +
      (faces.length === 0 ? '. With no face found, every crop is a negative.' : '.');
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
      crops: crops.map((crop) => ({
        box: { x1: round2(crop.box.x1), y1: round2(crop.box.y1), x2: round2(crop.box.x2), y2: round2(crop.box.y2) },
        iou: crop.iou,
        kind: crop.kind,
        size: crop.size,
      })),
    };
  }
}
