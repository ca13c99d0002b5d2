/**
 * The task interface: how a demo kind plugs into the worker. A task receives plain input from
 * the page (images as RgbaImage) and a context with a ModelRunner bound to the loaded sessions,
 * image operations, catalog lookups and text files (labels). It returns plain, cloneable output.
 * To add a demo kind: write a TaskDefinition, add it to TASKS below, and add a demo component
 * (see CONTRIBUTING.md, "Adding a demo kind").
 */
import type { ModelEntry } from '../../models/catalog.ts';
import type { ImageOps, ModelRunner, RgbaImage } from '../types.ts';
import { classify, parseLabels, type ClassificationResult } from './classify.ts';
import { detectFaces, MTCNN_MODELS, type DetectionResult, type DetectOptions, type DetectedFace } from './detect-faces.ts';
import { embedFaces } from './embed-faces.ts';
import { extractFeatures, trainHead, type FeatureExtraction, type HeadTrainingResult } from './teach.ts';
import type { HeadTrainingOptions } from '../math/linear-head.ts';

export interface TaskContext {
  runner: ModelRunner;
  ops: ImageOps;
  /** A text file from the catalog (for example labels), already loaded and verified. */
  text(id: string): string;
  model(id: string): ModelEntry;
  now(): number;
  /** Tell the page what the task is doing now (one short line), for long runs. */
  progress?(message: string): void;
}

export interface TaskDefinition<Input = unknown, Output = unknown> {
  /** Name used in run requests. */
  name: string;
  /** Throws a descriptive Error for malformed input. */
  run(input: Input, context: TaskContext): Promise<Output>;
}

/** Define a task with its input and output types checked. */
export function defineTask<Input, Output>(definition: TaskDefinition<Input, Output>): TaskDefinition<Input, Output> {
  return definition;
}

/** Check that a value sent by the page is an RgbaImage, with a clear error otherwise. */
export function assertImage(value: unknown, what = 'image'): asserts value is RgbaImage {
  const image = value as Partial<RgbaImage> | null;
  const valid =
    !!image &&
    Number.isInteger(image.width) &&
    Number.isInteger(image.height) &&
    (image.width ?? 0) > 0 &&
    (image.height ?? 0) > 0 &&
    (image.data instanceof Uint8ClampedArray || image.data instanceof Uint8Array) &&
    image.data.length === (image.width ?? 0) * (image.height ?? 0) * 4;
  if (!valid) throw new Error(`The ${what} is not a decoded RGBA image (width, height and width*height*4 bytes).`);
}

export interface ClassifyInput {
  image: RgbaImage;
  modelId: string;
  k?: number;
}

export const classifyTask = defineTask<ClassifyInput, ClassificationResult>({
  name: 'classify',
  async run(input, context) {
    assertImage(input.image);
    const entry = context.model(input.modelId);
    if (!entry.labels) throw new Error(`Model ${entry.id} has no labels file in the catalog.`);
    const labels = parseLabels(context.text(entry.labels));
    return classify(input.image, entry, labels, context.runner, { k: input.k ?? 5, now: context.now });
  },
});

export interface DetectFacesInput {
  image: RgbaImage;
  options?: Partial<DetectOptions>;
  /** The catalog id to run for each net (a production variant); default the fp32 nets. */
  nets?: Partial<Record<keyof typeof MTCNN_MODELS, string>>;
}

/**
 * The runner detectFaces sees: its requests for the fp32 nets go to the variants in `nets`.
 * Each id must be a catalog file of that net (the net itself or one of its variants).
 */
export function cascadeRunner(runner: ModelRunner, nets: DetectFacesInput['nets'], model: TaskContext['model']): ModelRunner {
  if (!nets) return runner;
  const aliases = new Map<string, string>();
  for (const [net, id] of Object.entries(nets)) {
    const parent = MTCNN_MODELS[net as keyof typeof MTCNN_MODELS];
    if (!parent) throw new Error(`Unknown MTCNN net "${net}": use pnet, rnet or onet.`);
    if (id === undefined || id === parent) continue;
    const entry = model(id);
    if (entry.variant?.parent !== parent) throw new Error(`${id} is not a variant of ${parent}; it cannot run as the ${net}.`);
    aliases.set(parent, id);
  }
  return { run: (id, feeds) => runner.run(aliases.get(id) ?? id, feeds) };
}

export const detectFacesTask = defineTask<DetectFacesInput, DetectionResult>({
  name: 'detect-faces',
  async run(input, context) {
    assertImage(input.image);
    const runner = cascadeRunner(context.runner, input.nets, context.model);
    return detectFaces(input.image, runner, context.ops, input.options, context.now, context.progress);
  },
});

export interface EmbedFacesInput {
  images: RgbaImage[];
  embedderId: string;
  detectOptions?: Partial<DetectOptions>;
}

/** Per image: the faces found, their aligned chips and embeddings, and stage timings. */
export interface EmbeddedImage {
  width: number;
  height: number;
  faces: DetectedFace[];
  chips: RgbaImage[];
  embeddings: Float32Array[];
  timings: { detectMs: number; alignMs: number; embedMs: number };
}

export const embedFacesTask = defineTask<EmbedFacesInput, EmbeddedImage[]>({
  name: 'embed-faces',
  async run(input, context) {
    if (!Array.isArray(input.images) || input.images.length === 0) throw new Error('embed-faces needs at least one image.');
    input.images.forEach((image, index) => assertImage(image, `image ${index + 1}`));
    const entry = context.model(input.embedderId);
    const results: EmbeddedImage[] = [];
    for (const [index, image] of input.images.entries()) {
      const which = input.images.length > 1 ? `image ${index + 1} of ${input.images.length}` : 'the image';
      const started = context.now();
      const detection = await detectFaces(image, context.runner, context.ops, input.detectOptions, context.now, (stage) =>
        context.progress?.(`Finding faces in ${which} (${stage})`),
      );
      const detectMs = context.now() - started;
      context.progress?.(`Embedding ${detection.faces.length} face${detection.faces.length === 1 ? '' : 's'} of ${which}`);
      // One batched embedder run for all faces of the image.
      const embedded = await embedFaces(image, detection.faces, context.runner, entry, context.now);
      results.push({
        width: image.width,
        height: image.height,
        faces: detection.faces,
        chips: embedded.chips,
        embeddings: embedded.embeddings,
        timings: { detectMs, ...embedded.timings },
      });
    }
    return results;
  },
});

/** Catalog ids the face tasks need besides the embedder. */
export const DETECTOR_MODEL_IDS: string[] = Object.values(MTCNN_MODELS);

export interface ExtractFeaturesInput {
  image: RgbaImage;
  /** A features file (catalog entry with `features`). */
  modelId: string;
  /** Augmented copies to make and embed besides the test-time view (0 for none). */
  augment?: number;
  seed?: number;
  /** Return the augmented copies too (to show them). */
  previews?: boolean;
}

export const extractFeaturesTask = defineTask<ExtractFeaturesInput, FeatureExtraction>({
  name: 'extract-features',
  async run(input, context) {
    assertImage(input.image);
    const entry = context.model(input.modelId);
    if (!entry.labels) throw new Error(`Model ${entry.id} has no labels file in the catalog.`);
    const labels = parseLabels(context.text(entry.labels));
    return extractFeatures(input.image, entry, labels, context.runner, {
      augment: input.augment ?? 0,
      seed: input.seed ?? 1,
      previews: input.previews ?? false,
      now: context.now,
    });
  },
});

export interface TrainHeadInput {
  features: Float32Array[];
  labels: number[];
  classes: string[];
  options?: Partial<HeadTrainingOptions>;
}

export const trainHeadTask = defineTask<TrainHeadInput, HeadTrainingResult>({
  name: 'train-head',
  async run(input, context) {
    if (!Array.isArray(input.features) || !input.features.every((vector) => vector instanceof Float32Array)) {
      throw new Error('train-head needs a list of Float32Array feature vectors.');
    }
    context.progress?.(`Training a ${input.classes.length}-class head on ${input.features.length} examples`);
    return trainHead(input.features, input.labels, input.classes, input.options, context.now);
  },
});

/** Every task the worker can run, by name. */
export const TASKS: Record<string, TaskDefinition<never, unknown>> = {
  [classifyTask.name]: classifyTask,
  [detectFacesTask.name]: detectFacesTask,
  [embedFacesTask.name]: embedFacesTask,
  [extractFeaturesTask.name]: extractFeaturesTask,
  [trainHeadTask.name]: trainHeadTask,
};
