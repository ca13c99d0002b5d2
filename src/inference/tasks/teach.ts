/**
 * Transfer learning tasks (the classifier demo's teach mode): extract the pooled features of a
 * features file (src/models/catalog.ts, FEATURE_MODELS) for an image and its augmented copies
 * (the ResNet paper's training transforms, math/augment.ts), and train a linear softmax head on
 * labelled features (math/linear-head.ts). The network itself stays frozen.
 */
import type { ModelEntry } from '../../models/catalog.ts';
import { applyAugmentation, sampleAugmentation, type AugmentationParams } from '../math/augment.ts';
import { flattenAlpha } from '../math/image.ts';
import { DEFAULT_HEAD_TRAINING, trainLinearHead, type HeadTrainingOptions, type LinearHead } from '../math/linear-head.ts';
import { imagesToTensor, resizeAndCrop, softmax, topK } from '../math/preprocess.ts';
import { seededRandom } from '../math/random.ts';
import type { ModelRunner, RgbaImage } from '../types.ts';
import type { ClassPrediction } from './classify.ts';

/** Most augmented copies per example the task makes (the page's control offers up to this). */
export const MAX_AUGMENTED_COPIES = 32;

export interface FeatureExtraction {
  /** Features of the test-time view (deterministic resize 256 + centre crop 224), then of each augmented copy. */
  features: Float32Array[];
  /** Parameters of each augmented copy, in order (features[i + 1]). */
  augmentations: AugmentationParams[];
  /** The augmented 224x224 copies, when asked for (to show them). */
  previews: RgbaImage[];
  /** ImageNet top-k of the test-time view. */
  top: ClassPrediction[];
  inferenceMs: number;
}

/** The features output of a features file, or an error naming the problem. */
export function featuresOutputOf(entry: ModelEntry): { name: string; dimension: number } {
  if (!entry.features) throw new Error(`Model ${entry.id} is not a features file: it has no pooled-features output.`);
  return { name: entry.features.transform.output, dimension: entry.features.transform.dimension };
}

export async function extractFeatures(
  image: RgbaImage,
  entry: ModelEntry,
  labels: readonly string[],
  runner: ModelRunner,
  options: { augment: number; seed: number; previews: boolean; k?: number; now?: () => number },
): Promise<FeatureExtraction> {
  const pre = entry.preprocessing;
  const input = entry.inputs[0];
  const output = entry.classifierOutput;
  const features = featuresOutputOf(entry);
  if (!pre || !input || !output) throw new Error(`Model ${entry.id} is not an image classifier in the catalog.`);
  if (!Number.isInteger(options.augment) || options.augment < 0 || options.augment > MAX_AUGMENTED_COPIES) {
    throw new Error(`augment must be a whole number from 0 to ${MAX_AUGMENTED_COPIES}.`);
  }
  const now = options.now ?? (() => performance.now());
  const flat = flattenAlpha(image);
  const random = seededRandom(options.seed);
  const augmentations = Array.from({ length: options.augment }, () => sampleAugmentation(random, flat.width, flat.height));
  const copies = augmentations.map((params) => applyAugmentation(flat, params));
  // The augmented copies are already 224x224 crops: only the channel maths of the preprocessing applies to them.
  const views = [resizeAndCrop(flat, pre), ...copies];
  const vectors: Float32Array[] = [];
  let top: ClassPrediction[] = [];
  const started = now();
  // One image per run keeps the worker's memory flat (a batch of 33 ResNet-50 inputs needs about 1.5 GB of activations).
  for (const [index, view] of views.entries()) {
    const outputs = await runner.run(entry.id, { [input.name]: imagesToTensor([view], pre) });
    const pooled = outputs[features.name];
    if (!pooled || pooled.data.length !== features.dimension) {
      throw new Error(`Model ${entry.id} returned no ${features.dimension}-d "${features.name}" output.`);
    }
    vectors.push(Float32Array.from(pooled.data));
    if (index === 0) {
      const scores = outputs[output.name];
      if (!scores) throw new Error(`Model ${entry.id} returned no "${output.name}" output.`);
      const probabilities = output.kind === 'logits' ? softmax(scores.data) : scores.data;
      top = topK(probabilities, options.k ?? 5).map(({ index: i, value }) => ({
        index: i,
        label: labels[i] ?? `class ${i}`,
        probability: value,
      }));
    }
  }
  return { features: vectors, augmentations, previews: options.previews ? copies : [], top, inferenceMs: now() - started };
}

export interface HeadTrainingResult {
  head: LinearHead;
  initialLoss: number;
  finalLoss: number;
  trainMs: number;
  options: HeadTrainingOptions;
}

/** Train a head on the given examples; the page decides the split and passes only the training ones. */
export function trainHead(
  features: readonly Float32Array[],
  labels: readonly number[],
  classes: readonly string[],
  options: Partial<HeadTrainingOptions> = {},
  now: () => number = () => performance.now(),
): HeadTrainingResult {
  const settings = { ...DEFAULT_HEAD_TRAINING, ...options };
  if (!(settings.steps >= 1 && settings.steps <= 5000)) throw new Error('steps must be between 1 and 5000.');
  const started = now();
  const summary = trainLinearHead(features, labels, classes, settings);
  return { ...summary, trainMs: now() - started, options: settings };
}
