/**
 * Face embedding, framework-free: align each detected face onto the embedder's five-point
 * template with a least-squares similarity transform, then embed every chip in ONE batched
 * model run. The same code runs in the browser worker (onnxruntime-web) and in Node tests.
 *
 * Landmarks are the detector's five points in image coordinates, in the template's order: left
 * eye, right eye, nose tip, left mouth corner, right mouth corner ("left" = the image's left).
 */
import type { ModelEntry } from '../../models/catalog.ts';
import { l2Normalise } from '../math/embedding.ts';
import { estimateSimilarity, warpAffine, type AffineMatrix } from '../math/similarity.ts';
import type { ModelRunner, Point, RgbaImage } from '../types.ts';

/** What alignment needs from a detected face. */
export interface FaceLandmarks {
  landmarks: readonly Point[];
}

export interface AlignedFaces {
  /** One chipSize x chipSize RGBA chip per face, in input order. */
  chips: RgbaImage[];
  /** Per face, the similarity transform from image coordinates to chip coordinates. */
  matrices: AffineMatrix[];
}

export interface EmbeddedFaces extends AlignedFaces {
  /** One embedding per face (L2-normalised when the entry's verification says so). */
  embeddings: Float32Array[];
  timings: { alignMs: number; embedMs: number };
}

function requireAlignment(entry: ModelEntry) {
  if (!entry.alignment) throw new Error(`Model "${entry.id}" has no alignment template: it is not a face embedder.`);
  return entry.alignment;
}

/** Warp every face onto the entry's alignment template. */
export function alignFaces(image: RgbaImage, faces: readonly FaceLandmarks[], entry: ModelEntry): AlignedFaces {
  const { chipSize, template } = requireAlignment(entry);
  const chips: RgbaImage[] = [];
  const matrices: AffineMatrix[] = [];
  for (let i = 0; i < faces.length; i++) {
    const landmarks = faces[i]!.landmarks;
    if (landmarks.length !== template.length) {
      throw new RangeError(
        `Face ${i} has ${landmarks.length} landmarks; "${entry.id}" aligns on ${template.length} (left eye, right eye, nose, left and right mouth corners).`,
      );
    }
    const matrix = estimateSimilarity(landmarks, template);
    matrices.push(matrix);
    chips.push(warpAffine(image, matrix, chipSize, chipSize));
  }
  return { chips, matrices };
}

/**
 * Embed aligned chips with ONE runner.run() call on a batched tensor laid out as the entry's
 * preprocessing says (NCHW or NHWC, RGB or BGR, each value (v * scale - mean[c]) / std[c]).
 * Returns one Float32Array per chip (copies, independent of the runner's output buffer).
 */
export async function embedChips(chips: readonly RgbaImage[], runner: ModelRunner, entry: ModelEntry): Promise<Float32Array[]> {
  const n = chips.length;
  if (n === 0) return [];
  const pre = entry.preprocessing;
  const input = entry.inputs[0];
  const output = entry.outputs[0];
  if (!pre || !input || !output) {
    throw new Error(`Model "${entry.id}" lacks preprocessing or tensor names in the catalog.`);
  }
  const { chipSize } = requireAlignment(entry);
  const plane = chipSize * chipSize;
  for (let i = 0; i < n; i++) {
    const chip = chips[i]!;
    if (chip.width !== chipSize || chip.height !== chipSize) {
      throw new RangeError(`Chip ${i} is ${chip.width}x${chip.height}; "${entry.id}" takes ${chipSize}x${chipSize}.`);
    }
  }
  // Tensor channel k reads RGBA channel src[k]; value = v * mul[k] + add[k].
  const src = pre.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const mul = [0, 1, 2].map((k) => pre.scale / pre.std[k]!);
  const add = [0, 1, 2].map((k) => -pre.mean[k]! / pre.std[k]!);
  const s0 = src[0]!;
  const s1 = src[1]!;
  const s2 = src[2]!;
  const m0 = mul[0]!;
  const m1 = mul[1]!;
  const m2 = mul[2]!;
  const a0 = add[0]!;
  const a1 = add[1]!;
  const a2 = add[2]!;
  const data = new Float32Array(n * 3 * plane);
  const nhwc = pre.layout === 'NHWC';
  for (let i = 0; i < n; i++) {
    const rgba = chips[i]!.data;
    const base = i * 3 * plane;
    if (nhwc) {
      for (let p = 0, q = 0, o = base; p < plane; p++, q += 4, o += 3) {
        data[o] = rgba[q + s0]! * m0 + a0;
        data[o + 1] = rgba[q + s1]! * m1 + a1;
        data[o + 2] = rgba[q + s2]! * m2 + a2;
      }
    } else {
      for (let p = 0, q = 0; p < plane; p++, q += 4) {
        data[base + p] = rgba[q + s0]! * m0 + a0;
        data[base + plane + p] = rgba[q + s1]! * m1 + a1;
        data[base + 2 * plane + p] = rgba[q + s2]! * m2 + a2;
      }
    }
  }
  const dims = nhwc ? [n, chipSize, chipSize, 3] : [n, 3, chipSize, chipSize];
  const results = await runner.run(entry.id, { [input.name]: { data, dims } });
  const result = results[output.name];
  if (!result) {
    throw new Error(`Model "${entry.id}" returned no "${output.name}" output (got: ${Object.keys(results).join(', ') || 'none'}).`);
  }
  if (result.dims[0] !== n || result.data.length % n !== 0) {
    throw new Error(`Model "${entry.id}" returned "${output.name}" of shape [${result.dims.join(', ')}] for a batch of ${n}.`);
  }
  const dim = result.data.length / n;
  const normalise = entry.verification?.l2Normalise === true;
  const embeddings: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = result.data.subarray(i * dim, (i + 1) * dim);
    embeddings.push(normalise ? l2Normalise(row) : row.slice());
  }
  return embeddings;
}

/**
 * Align and embed every face. `now` is the clock for the timings (performance.now by default).
 * Zero faces: no chips, no embeddings, and no model run.
 */
export async function embedFaces(
  image: RgbaImage,
  faces: readonly FaceLandmarks[],
  runner: ModelRunner,
  entry: ModelEntry,
  now: () => number = () => performance.now(),
): Promise<EmbeddedFaces> {
  const t0 = now();
  const { chips, matrices } = alignFaces(image, faces, entry);
  const t1 = now();
  const embeddings = await embedChips(chips, runner, entry);
  const t2 = now();
  return { chips, matrices, embeddings, timings: { alignMs: t1 - t0, embedMs: t2 - t1 } };
}
