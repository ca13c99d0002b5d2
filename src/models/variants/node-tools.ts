/**
 * Node-side helpers shared by the variant script, the variant tests and the variant benchmark:
 * decode the sample images, run catalog files on onnxruntime-node, and build the model inputs
 * every comparison uses (classifier tensors, aligned face chips). Build tooling only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { PNG } from 'pngjs';
import { pureImageOps } from '../../inference/math/image.ts';
import { detectFaces, MTCNN_MODELS } from '../../inference/tasks/detect-faces.ts';
import { alignFaces } from '../../inference/tasks/embed-faces.ts';
import type { ModelRunner, RgbaImage, TensorData } from '../../inference/types.ts';
import { getModel, type ModelEntry } from '../catalog.ts';
import { withTransformedCopies, type NamedImage } from './evaluation-images.ts';

/** Every PNG in a folder (public/samples), by name without extension, sorted. */
export function readSampleImages(dir: string): NamedImage[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.png'))
    .sort()
    .map((file) => {
      const png = PNG.sync.read(readFileSync(join(dir, file)));
      return { name: file.replace(/\.png$/, ''), image: { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) } };
    });
}

/** The comparison set: each sample and its five transformed copies. */
export function evaluationSet(samples: readonly NamedImage[]): NamedImage[] {
  return samples.flatMap(({ name, image }) => withTransformedCopies(name, image));
}

/**
 * A ModelRunner over files in a models folder. `aliases` maps the id a task asks for to the
 * catalog id to run instead, so the MTCNN cascade (which names its three nets) runs a variant.
 */
export function createFileRunner(
  modelsDir: string,
  aliases: Readonly<Record<string, string>> = {},
  options: ort.InferenceSession.SessionOptions = {},
): ModelRunner & { release(): Promise<void> } {
  const sessions = new Map<string, Promise<ort.InferenceSession>>();
  const session = (id: string) => {
    const target = aliases[id] ?? id;
    let pending = sessions.get(target);
    if (!pending) {
      pending = ort.InferenceSession.create(join(modelsDir, getModel(target).file), options);
      sessions.set(target, pending);
    }
    return pending;
  };
  return {
    async run(id, feeds) {
      const s = await session(id);
      const ortFeeds = Object.fromEntries(
        Object.entries(feeds).map(([name, tensor]) => [name, new ort.Tensor('float32', tensor.data, tensor.dims)]),
      );
      const results = await s.run(ortFeeds);
      return Object.fromEntries(
        Object.entries(results).map(([name, tensor]) => [name, { data: tensor.data as Float32Array, dims: tensor.dims }]),
      );
    },
    async release() {
      for (const pending of sessions.values()) await (await pending).release();
      sessions.clear();
    },
  };
}

/** The MTCNN aliases that make detectFaces run one variant kind of all three nets. */
export function mtcnnAliases(kind: string): Record<string, string> {
  if (kind === 'fp32') return {};
  return Object.fromEntries(Object.values(MTCNN_MODELS).map((id) => [id, `${id}-${kind}`]));
}

/** Aligned face chips for an embedder: faces found by the fp32 MTCNN cascade on each image. */
export async function alignedChips(images: readonly NamedImage[], embedder: ModelEntry, detector: ModelRunner): Promise<NamedImage[]> {
  const chips: NamedImage[] = [];
  for (const { name, image } of images) {
    const { faces } = await detectFaces(image, detector, pureImageOps);
    alignFaces(image, faces, embedder).chips.forEach((chip, i) => chips.push({ name: `${name}#${i}`, image: chip }));
  }
  return chips;
}

/** One NCHW float tensor from RGBA chips, as the embedder's preprocessing says (for calibration feeds). */
export function chipTensor(chip: RgbaImage, entry: ModelEntry): TensorData {
  const pre = entry.preprocessing!;
  const { width, height } = chip;
  const plane = width * height;
  const data = new Float32Array(3 * plane);
  const source = pre.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < plane; p++) data[c * plane + p] = (chip.data[p * 4 + source[c]!]! * pre.scale - pre.mean[c]!) / pre.std[c]!;
  }
  return { data, dims: [1, 3, height, width] };
}
