/**
 * The face-embedding pipeline end to end on onnxruntime-node: MTCNN landmarks, similarity
 * alignment onto dlib's template, and the dlib ResNet descriptor (a FaceNet-style embedding,
 * not FaceNet). Checks that the same face survives rotation, rescaling and brightening, that
 * two different people are told apart, and that alignment beats a plain box crop.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getModel } from '../../src/models/catalog.ts';
import { detectFaces, MTCNN_MODELS, type DetectedFace } from '../../src/inference/tasks/detect-faces.ts';
import { embedChips, embedFaces } from '../../src/inference/tasks/embed-faces.ts';
import { cropResizeBilinear, pureImageOps } from '../../src/inference/math/image.ts';
import { applyAffine, similarityAbout, warpAffine, type AffineMatrix } from '../../src/inference/math/similarity.ts';
import { euclideanDistance, verdict } from '../../src/inference/math/embedding.ts';
import type { Box, RgbaImage } from '../../src/inference/types.ts';
import { readSample } from '../helpers/images.ts';
import { createNodeRunner, requireModels } from '../helpers/models.ts';

const EMBEDDER = 'dlib-face-resnet-v1';
const ready = requireModels(EMBEDDER, MTCNN_MODELS.pnet, MTCNN_MODELS.rnet, MTCNN_MODELS.onet);
const entry = getModel(EMBEDDER);

/** Rotate by 10 degrees and scale by 0.8 about the astronaut's face, then brighten. */
const ANGLE = (10 * Math.PI) / 180;
const SCALE = 0.8;
const TRANSFORM: AffineMatrix = similarityAbout([225, 120], SCALE, ANGLE);

function transformedCopy(image: RgbaImage): RgbaImage {
  const copy = warpAffine(image, TRANSFORM, image.width, image.height);
  const d = copy.data;
  for (let i = 0; i < d.length; i += 4) {
    d[i] = d[i]! * 1.15 + 25;
    d[i + 1] = d[i + 1]! * 1.15 + 25;
    d[i + 2] = d[i + 2]! * 1.15 + 25;
  }
  return copy;
}

/** The single most confident face, with a clear message when there is none. */
function bestFace(faces: DetectedFace[], name: string): DetectedFace {
  const face = [...faces].sort((a, b) => b.score - a.score)[0];
  if (!face) throw new Error(`MTCNN found no face in ${name}.`);
  return face;
}

/** The detector's box made square about its centre (the usual crop for a square model input). */
function squareBox(box: Box): Box {
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const half = Math.max(box.x2 - box.x1, box.y2 - box.y1) / 2;
  return { x1: cx - half, y1: cy - half, x2: cx + half, y2: cy + half };
}

describe.runIf(ready)('face embedding (dlib ResNet descriptor on onnxruntime-node)', () => {
  const runner = createNodeRunner();
  const threshold = entry.verification!.threshold;
  const astronaut = readSample('astronaut');
  const camera = readSample('camera');
  const rotated = transformedCopy(astronaut);
  const faces: Record<'astronaut' | 'rotated' | 'camera', DetectedFace> = {} as never;
  const aligned: Record<string, Float32Array> = {};

  beforeAll(async () => {
    for (const [name, image] of [
      ['astronaut', astronaut],
      ['rotated', rotated],
      ['camera', camera],
    ] as const) {
      faces[name] = bestFace((await detectFaces(image, runner, pureImageOps)).faces, name);
      const result = await embedFaces(image, [faces[name]], runner, entry);
      aligned[name] = result.embeddings[0]!;
    }
  }, 120_000);

  it("finds the rotated copy's landmarks where the known transform puts the originals", () => {
    const expected = faces.astronaut.landmarks.map((p) => applyAffine(TRANSFORM, p));
    const error = faces.rotated.landmarks.reduce((s, p, i) => s + Math.hypot(p[0] - expected[i]![0], p[1] - expected[i]![1]), 0) / 5;
    console.log(`rotated copy: mean landmark error vs the known transform ${error.toFixed(2)} px`);
    expect(error).toBeLessThan(4);
  });

  it('embeds to 128 values, not L2-normalised', () => {
    expect(aligned.astronaut).toHaveLength(128);
    const norm = Math.hypot(...aligned.astronaut!);
    expect(Math.abs(norm - 1)).toBeGreaterThan(1e-3);
  });

  it('says same person for the astronaut and her rotated, rescaled, brightened copy (< 0.6)', () => {
    const d = euclideanDistance(aligned.astronaut!, aligned.rotated!);
    console.log(`same person (aligned): astronaut vs rotated copy distance ${d.toFixed(4)} (threshold ${threshold})`);
    expect(d).toBeLessThan(threshold);
    expect(verdict(d, entry.verification!).same).toBe(true);
  });

  it('says different people for the astronaut and the camera operator (> 0.6)', () => {
    const d = euclideanDistance(aligned.astronaut!, aligned.camera!);
    const dRotated = euclideanDistance(aligned.rotated!, aligned.camera!);
    console.log(`different people (aligned): astronaut vs camera ${d.toFixed(4)}, rotated copy vs camera ${dRotated.toFixed(4)}`);
    expect(d).toBeGreaterThan(threshold);
    expect(dRotated).toBeGreaterThan(threshold);
    expect(verdict(d, entry.verification!).same).toBe(false);
  });

  it('alignment gives a smaller same-person distance than a plain box crop resized to 150x150', async () => {
    const crops = [astronaut, rotated].map((image, i) =>
      cropResizeBilinear(image, squareBox((i === 0 ? faces.astronaut : faces.rotated).box), 150, 150),
    );
    const [boxA, boxB] = await embedChips(crops, runner, entry);
    const boxDistance = euclideanDistance(boxA!, boxB!);
    const alignedDistance = euclideanDistance(aligned.astronaut!, aligned.rotated!);
    console.log(
      `same person: aligned ${alignedDistance.toFixed(4)} vs box crop ${boxDistance.toFixed(4)} (alignment removes ${(boxDistance - alignedDistance).toFixed(4)})`,
    );
    expect(alignedDistance).toBeLessThan(boxDistance);
  });

  it('gives the same embeddings batched (one run) as one face at a time, and times per face', async () => {
    const list = [faces.astronaut, faces.astronaut, faces.astronaut, faces.astronaut];
    await embedFaces(astronaut, list, runner, entry); // warm up
    const rounds = 5;
    let alignMs = 0;
    let embedMs = 0;
    let last: Float32Array[] = [];
    for (let r = 0; r < rounds; r++) {
      const result = await embedFaces(astronaut, list, runner, entry);
      alignMs += result.timings.alignMs;
      embedMs += result.timings.embedMs;
      last = result.embeddings;
    }
    const perFace = rounds * list.length;
    console.log(
      `onnxruntime-node, batch of ${list.length}: alignment ${(alignMs / perFace).toFixed(2)} ms/face, embedding ${(embedMs / perFace).toFixed(2)} ms/face`,
    );
    for (const e of last) expect(euclideanDistance(e, aligned.astronaut!)).toBeLessThan(1e-4);
  });
});
