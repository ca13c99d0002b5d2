/**
 * How MTCNN's training data is made (Zhang et al. 2016, section 2.3 and 3.1): crops are cut from
 * a photo with known faces and labelled by their overlap with the nearest face:
 *   negatives  IoU < 0.3 with every face   (face classification: "no face")
 *   positives  IoU >= 0.65                 (classification "face" + box regression)
 *   part faces 0.4 <= IoU < 0.65           (box regression only)
 *   landmark faces: crops around a face with its five points inside (landmark regression);
 *                   here positives-grade crops, IoU >= 0.65, whose landmarks all fall inside.
 * Crops between 0.3 and 0.4 are ambiguous and dropped, as in the paper. Each crop is square and
 * resized to the input of the net it trains: 12 (P-Net), 24 (R-Net) or 48 (O-Net).
 * Sampling follows the released training scripts: negatives anywhere with sides from 12 px to
 * half the shorter image side; positives and parts around each face with sides from 0.8x to
 * 1.25x the face and centres moved by up to 20% of the face size. Seeded, so reproducible.
 */
import type { Box, Point } from '../types.ts';
import { iou } from './nms.ts';
import { randomInt, seededRandom, uniform } from './random.ts';

export type CropKind = 'positive' | 'part' | 'negative' | 'landmark';
export const CROP_KINDS: readonly CropKind[] = ['positive', 'part', 'negative', 'landmark'];
export const NET_INPUT_SIZES = [12, 24, 48] as const;
export type NetInputSize = (typeof NET_INPUT_SIZES)[number];

/** The IoU range of each kind: [min, max), with max included for the kinds that reach IoU 1. */
export const IOU_RANGES: Record<CropKind, { min: number; max: number; maxIncluded: boolean }> = {
  negative: { min: 0, max: 0.3, maxIncluded: false },
  part: { min: 0.4, max: 0.65, maxIncluded: false },
  positive: { min: 0.65, max: 1, maxIncluded: true },
  landmark: { min: 0.65, max: 1, maxIncluded: true },
};

/** Whether an IoU lies in a kind's range. */
export function iouInRange(kind: CropKind, value: number): boolean {
  const range = IOU_RANGES[kind];
  return value >= range.min && (range.maxIncluded ? value <= range.max : value < range.max);
}

/** The kind for a box overlap, or null in the dropped band [0.3, 0.4). */
export function kindForIou(value: number): Exclude<CropKind, 'landmark'> | null {
  if (value >= 0.65) return 'positive';
  if (value >= 0.4) return 'part';
  if (value < 0.3) return 'negative';
  return null;
}

export interface AnnotatedFace {
  box: Box;
  /** The five points (eyes, nose, mouth corners), when known. */
  landmarks?: readonly Point[];
}

export interface TrainingCrop {
  box: Box;
  /** Largest IoU with any face. */
  iou: number;
  kind: CropKind;
  /** Side the crop is resized to. */
  size: NetInputSize;
  /** Index of the face with the largest IoU, or null for negatives. */
  face: number | null;
  /** Box regression target: offsets of the face's edges as fractions of the crop side (positives, parts). */
  offsets?: [number, number, number, number];
  /** Landmark targets as fractions of the crop (landmark crops). */
  landmarks?: [number, number][];
}

export interface CropSamplingOptions {
  size: NetInputSize;
  seed: number;
  /** Negatives to keep per image. */
  negatives: number;
  /** Positives, parts and landmark crops to keep per face (each). */
  perFace: number;
  /** Candidate boxes to try per wanted crop before giving up. */
  attempts: number;
}

export const DEFAULT_CROP_SAMPLING: CropSamplingOptions = { size: 12, seed: 1, negatives: 12, perFace: 4, attempts: 60 };

function maxOverlap(box: Box, faces: readonly AnnotatedFace[]): { value: number; face: number | null } {
  let best = { value: 0, face: null as number | null };
  faces.forEach((face, index) => {
    const value = iou(box, face.box);
    if (value > best.value) best = { value, face: index };
  });
  return best;
}

function inside(box: Box, width: number, height: number): boolean {
  return box.x1 >= 0 && box.y1 >= 0 && box.x2 <= width && box.y2 <= height;
}

/** Cut labelled training crops from one image with known faces. */
export function sampleTrainingCrops(
  image: { width: number; height: number },
  faces: readonly AnnotatedFace[],
  options: Partial<CropSamplingOptions> = {},
): TrainingCrop[] {
  const settings = { ...DEFAULT_CROP_SAMPLING, ...options };
  const { width, height } = image;
  const shorter = Math.min(width, height);
  if (!(shorter >= 12)) throw new Error('The image is smaller than the smallest training crop (12 px).');
  if (!(NET_INPUT_SIZES as readonly number[]).includes(settings.size))
    throw new Error(`Crop size must be one of ${NET_INPUT_SIZES.join(', ')}.`);
  const random = seededRandom(settings.seed);
  const crops: TrainingCrop[] = [];

  // Negatives: random squares anywhere in the image.
  let kept = 0;
  for (let attempt = 0; attempt < settings.negatives * settings.attempts && kept < settings.negatives; attempt++) {
    const side = randomInt(random, 12, Math.max(12, Math.floor(shorter / 2)));
    const x1 = randomInt(random, 0, width - side);
    const y1 = randomInt(random, 0, height - side);
    const box = { x1, y1, x2: x1 + side, y2: y1 + side };
    const overlap = maxOverlap(box, faces);
    if (kindForIou(overlap.value) !== 'negative') continue;
    crops.push({ box, iou: overlap.value, kind: 'negative', size: settings.size, face: null });
    kept++;
  }

  // Positives, parts and landmark crops: squares jittered around each face.
  faces.forEach((face, index) => {
    const fw = face.box.x2 - face.box.x1;
    const fh = face.box.y2 - face.box.y1;
    if (!(fw >= 12 && fh >= 12)) return;
    const wanted: Record<'positive' | 'part' | 'landmark', number> = {
      positive: settings.perFace,
      part: settings.perFace,
      landmark: face.landmarks ? settings.perFace : 0,
    };
    const cx = (face.box.x1 + face.box.x2) / 2;
    const cy = (face.box.y1 + face.box.y2) / 2;
    for (let attempt = 0; attempt < 3 * settings.perFace * settings.attempts; attempt++) {
      if (wanted.positive + wanted.part + wanted.landmark === 0) break;
      const side = Math.round(uniform(random, 0.8 * Math.min(fw, fh), 1.25 * Math.max(fw, fh)));
      const dx = uniform(random, -0.2, 0.2) * fw;
      const dy = uniform(random, -0.2, 0.2) * fh;
      const x1 = Math.round(cx + dx - side / 2);
      const y1 = Math.round(cy + dy - side / 2);
      const box = { x1, y1, x2: x1 + side, y2: y1 + side };
      if (!inside(box, width, height)) continue;
      const overlap = maxOverlap(box, faces);
      // The label belongs to the face this crop overlaps most; another face may win.
      if (overlap.face !== index) continue;
      const kind = kindForIou(overlap.value);
      if (kind === null || kind === 'negative') continue;
      const offsets: [number, number, number, number] = [
        (face.box.x1 - box.x1) / side,
        (face.box.y1 - box.y1) / side,
        (face.box.x2 - box.x2) / side,
        (face.box.y2 - box.y2) / side,
      ];
      const points = face.landmarks?.map(([px, py]) => [(px - box.x1) / side, (py - box.y1) / side] as [number, number]);
      const pointsInside = !!points && points.every(([u, v]) => u >= 0 && u <= 1 && v >= 0 && v <= 1);
      if (wanted[kind] > 0) {
        crops.push({ box, iou: overlap.value, kind, size: settings.size, face: index, offsets });
        wanted[kind]--;
      } else if (kind === 'positive' && wanted.landmark > 0 && pointsInside) {
        // Once the positives are in, further positive-grade crops with all five points inside train the landmarks.
        crops.push({ box, iou: overlap.value, kind: 'landmark', size: settings.size, face: index, landmarks: points });
        wanted.landmark--;
      }
    }
  });
  return crops;
}

/** Crops per kind, every kind listed. */
export function countByKind(crops: readonly TrainingCrop[]): Record<CropKind, number> {
  const counts: Record<CropKind, number> = { positive: 0, part: 0, negative: 0, landmark: 0 };
  for (const crop of crops) counts[crop.kind]++;
  return counts;
}
