/**
 * Image classification with any catalog classifier: preprocess from the catalog, run, softmax
 * when the model outputs logits, and return the top-k with labels and the model's-eye view.
 */
import type { ModelEntry } from '../../models/catalog.ts';
import { imagesToTensor, resizeAndCrop, softmax, tensorToImage, topK } from '../math/preprocess.ts';
import { flattenAlpha } from '../math/image.ts';
import type { ModelRunner, RgbaImage } from '../types.ts';

export interface ClassPrediction {
  index: number;
  label: string;
  probability: number;
}

export interface ClassificationResult {
  modelId: string;
  top: ClassPrediction[];
  /** The exact crop the model received, reconstructed from the input tensor. */
  modelView: RgbaImage;
  preprocessMs: number;
  inferenceMs: number;
}

/** Parse an ImageNet synset file ("n01440764 tench, Tinca tinca") into display labels. */
export function parseLabels(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => line.replace(/^n\d{8}\s+/, ''));
}

export async function classify(
  image: RgbaImage,
  entry: ModelEntry,
  labels: readonly string[],
  runner: ModelRunner,
  { k = 5, now = () => performance.now() }: { k?: number; now?: () => number } = {},
): Promise<ClassificationResult> {
  const pre = entry.preprocessing;
  const output = entry.classifierOutput;
  const input = entry.inputs[0];
  if (!pre || !output || !input) throw new Error(`Model ${entry.id} is not an image classifier in the catalog.`);
  const started = now();
  const tensor = imagesToTensor([resizeAndCrop(flattenAlpha(image), pre)], pre);
  const preprocessed = now();
  const outputs = await runner.run(entry.id, { [input.name]: tensor });
  const finished = now();
  const scores = outputs[output.name];
  if (!scores) throw new Error(`Model ${entry.id} returned no "${output.name}" output.`);
  const probabilities = output.kind === 'logits' ? softmax(scores.data) : scores.data;
  if (labels.length !== probabilities.length) {
    throw new Error(`Model ${entry.id} has ${probabilities.length} classes but the labels file has ${labels.length}.`);
  }
  return {
    modelId: entry.id,
    top: topK(probabilities, k).map(({ index, value }) => ({ index, label: labels[index] ?? `class ${index}`, probability: value })),
    modelView: tensorToImage(tensor, pre),
    preprocessMs: preprocessed - started,
    inferenceMs: finished - preprocessed,
  };
}
