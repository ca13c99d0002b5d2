/**
 * The MTCNN cascade on the genuine P-Net / R-Net / O-Net weights (onnxruntime-node, pure
 * resampling), with the released code's default settings, against the reference results in
 * the model mirror's MODELS.md.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { blankImage, pureImageOps, resampleBilinear } from '../../src/inference/math/image.ts';
import { iou } from '../../src/inference/math/nms.ts';
import { DEFAULT_DETECT_OPTIONS, detectFaces, MTCNN_MODELS, type DetectionResult } from '../../src/inference/tasks/detect-faces.ts';
import type { Box, ModelRunner, RgbaImage } from '../../src/inference/types.ts';
import { createNodeRunner, requireModels } from '../helpers/models.ts';
import { readSample } from '../helpers/images.ts';

const installed = requireModels(MTCNN_MODELS.pnet, MTCNN_MODELS.rnet, MTCNN_MODELS.onet);

/** MODELS.md reference for samples/astronaut.png. */
const ASTRONAUT_BOX: Box = { x1: 181, y1: 62, x2: 266, y2: 173 };
const ASTRONAUT_LANDMARKS = [
  [204, 101],
  [247, 104],
  [225, 128],
  [203, 140],
  [245, 141],
] as const;
/** MODELS.md reference for samples/camera.png. */
const CAMERA_BOX: Box = { x1: 197, y1: 116, x2: 255, y2: 197 };

function summary(name: string, r: DetectionResult): string {
  const s = r.stages;
  const faces = r.faces
    .map((f) => `${f.score.toFixed(4)} (${[f.box.x1, f.box.y1, f.box.x2, f.box.y2].map((v) => v.toFixed(1)).join(', ')})`)
    .join('; ');
  return (
    `${name} ${r.width}x${r.height}: ${r.faces.length} face(s) ${faces} | P-Net ${s.pnet.count} in ${s.pnet.ms.toFixed(1)} ms, ` +
    `R-Net ${s.rnet.count} in ${s.rnet.ms.toFixed(1)} ms, O-Net ${s.onet.count} in ${s.onet.ms.toFixed(1)} ms, total ${r.totalMs.toFixed(1)} ms`
  );
}

/** Copy `source` into `target` with its top-left corner at (x, y); both fully opaque RGBA. */
function paste(target: RgbaImage, source: RgbaImage, x: number, y: number): void {
  for (let row = 0; row < source.height; row++) {
    const from = row * source.width * 4;
    target.data.set(source.data.subarray(from, from + source.width * 4), ((y + row) * target.width + x) * 4);
  }
}

describe.skipIf(!installed)('MTCNN cascade on the genuine weights (onnxruntime-node)', () => {
  let runner: ModelRunner;

  beforeAll(async () => {
    runner = createNodeRunner();
    // Warm the three sessions so the timings below are per image, not per model load.
    await detectFaces(readSample('astronaut'), runner, pureImageOps, DEFAULT_DETECT_OPTIONS);
  });

  it("finds exactly the astronaut's face, with the reference box and landmarks", async () => {
    const r = await detectFaces(readSample('astronaut'), runner, pureImageOps, DEFAULT_DETECT_OPTIONS);
    console.info(summary('astronaut', r));
    expect(r.faces).toHaveLength(1);
    const face = r.faces[0]!;
    expect(face.score).toBeGreaterThan(0.99);
    expect(iou(face.box, ASTRONAUT_BOX)).toBeGreaterThanOrEqual(0.7);
    expect(face.landmarks).toHaveLength(5);
    const errors = face.landmarks.map((p, i) => Math.hypot(p[0] - ASTRONAUT_LANDMARKS[i]![0], p[1] - ASTRONAUT_LANDMARKS[i]![1]));
    console.info(`astronaut landmark errors (px): ${errors.map((e) => e.toFixed(2)).join(', ')}`);
    for (const e of errors) expect(e).toBeLessThanOrEqual(5);
    // Left eye left of the right eye, eyes above the nose, nose above the mouth corners.
    const [le, re, nose, lm, rm] = face.landmarks as [readonly [number, number], ...(readonly [number, number])[]];
    expect(le[0]).toBeLessThan(re![0]);
    expect(Math.max(le[1], re![1])).toBeLessThan(nose![1]);
    expect(nose![1]).toBeLessThan(Math.min(lm![1], rm![1]));
    // Stage boxes: each stage narrows the candidates down.
    expect(r.stages.pnet.count).toBeGreaterThan(r.stages.rnet.count);
    expect(r.stages.rnet.count).toBeGreaterThanOrEqual(r.stages.onet.count);
    expect(r.stages.onet.boxes).toHaveLength(1);
  });

  it('finds the one face in the greyscale camera image', async () => {
    const r = await detectFaces(readSample('camera'), runner, pureImageOps, DEFAULT_DETECT_OPTIONS);
    console.info(summary('camera', r));
    expect(r.faces).toHaveLength(1);
    expect(iou(r.faces[0]!.box, CAMERA_BOX)).toBeGreaterThanOrEqual(0.7);
  });

  it('finds no face in coffee or chelsea (the cat)', async () => {
    for (const name of ['coffee', 'chelsea']) {
      const r = await detectFaces(readSample(name), runner, pureImageOps, DEFAULT_DETECT_OPTIONS);
      console.info(summary(name, r));
      expect(r.faces, name).toEqual([]);
    }
  });

  it('finds the same face pasted at two scales into a synthetic image', async () => {
    // The astronaut's head region (150,30)-(300,210), pasted at 1x and, upscaled, at 2x onto
    // a 640x480 mid-grey canvas.
    const astronaut = readSample('astronaut');
    const region = { x: 150, y: 30, w: 150, h: 180 };
    const small = resampleBilinear(astronaut, region.x, region.y, region.w, region.h, region.w, region.h);
    const large = resampleBilinear(astronaut, region.x, region.y, region.w, region.h, region.w * 2, region.h * 2);
    const canvas = blankImage(640, 480);
    canvas.data.fill(128);
    const at1 = { x: 40, y: 150 };
    const at2 = { x: 320, y: 60 };
    paste(canvas, small, at1.x, at1.y);
    paste(canvas, large, at2.x, at2.y);
    const place = (scale: number, at: { x: number; y: number }): Box => ({
      x1: (ASTRONAUT_BOX.x1 - region.x) * scale + at.x,
      y1: (ASTRONAUT_BOX.y1 - region.y) * scale + at.y,
      x2: (ASTRONAUT_BOX.x2 - region.x) * scale + at.x,
      y2: (ASTRONAUT_BOX.y2 - region.y) * scale + at.y,
    });
    const expected = [place(1, at1), place(2, at2)];

    const r = await detectFaces(canvas, runner, pureImageOps, DEFAULT_DETECT_OPTIONS);
    console.info(summary('two-scale synthetic', r));
    expect(r.faces).toHaveLength(2);
    for (const want of expected) {
      const best = Math.max(...r.faces.map((f) => iou(f.box, want)));
      expect(best).toBeGreaterThanOrEqual(0.7);
    }
  });
});
