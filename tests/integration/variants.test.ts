/**
 * Every production variant in the catalog against its fp32 parent, on onnxruntime-node, over
 * every sample image and its transformed copies (src/models/variants/evaluation-images.ts):
 * classifier top-1/top-5 agreement and largest probability change, descriptor drift and flipped
 * verdicts, MTCNN face count, boxes and landmarks. The measured figures must match what the
 * catalog records (the default choice is made from those), and the defaults must meet the
 * issue's size targets.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MODEL_CATALOG, getModel, type ModelEntry, type VariantAccuracy } from '../../src/models/catalog.ts';
import { classify, parseLabels } from '../../src/inference/tasks/classify.ts';
import { detectFaces } from '../../src/inference/tasks/detect-faces.ts';
import { embedChips } from '../../src/inference/tasks/embed-faces.ts';
import { pureImageOps } from '../../src/inference/math/image.ts';
import { classificationDelta, detectionDelta, embeddingDelta } from '../../src/models/variants/accuracy.ts';
import { defaultVariant, withinBounds } from '../../src/models/variants/choose.ts';
import { alignedChips, createFileRunner, evaluationSet, mtcnnAliases, readSampleImages } from '../../src/models/variants/node-tools.ts';
import { MODELS_DIR, modelPath, requireModels } from '../helpers/models.ts';
import { SAMPLES_DIR } from '../helpers/images.ts';

const variants = MODEL_CATALOG.filter((entry) => entry.variant);
const images = evaluationSet(readSampleImages(SAMPLES_DIR));
const threads = { intraOpNumThreads: 1 };

/** Measured accuracy of one variant against its parent. */
async function measure(entry: ModelEntry): Promise<VariantAccuracy> {
  const parent = getModel(entry.variant!.parent);
  if (entry.task === 'image-classification') {
    const labels = parseLabels(readFileSync(modelPath(parent.labels!), 'utf8'));
    const runner = createFileRunner(MODELS_DIR, {}, threads);
    const probabilities = async (model: ModelEntry) => {
      const out: Float32Array[] = [];
      for (const { image } of images) {
        const result = await classify(image, model, labels, runner, { k: labels.length });
        const vector = new Float32Array(labels.length);
        for (const { index, probability } of result.top) vector[index] = probability;
        out.push(vector);
      }
      return out;
    };
    const delta = classificationDelta(await probabilities(parent), await probabilities(entry));
    await runner.release();
    return delta;
  }
  if (entry.task === 'face-embedding') {
    const runner = createFileRunner(MODELS_DIR, {}, threads);
    const chips = (await alignedChips(images, parent, runner)).map((chip) => chip.image);
    const delta = embeddingDelta(
      await embedChips(chips, runner, parent),
      await embedChips(chips, runner, entry),
      parent.verification!.threshold,
    );
    await runner.release();
    return delta;
  }
  // MTCNN: the whole cascade with all three nets in this variant kind.
  const parentRunner = createFileRunner(MODELS_DIR, {}, threads);
  const variantRunner = createFileRunner(MODELS_DIR, mtcnnAliases(entry.variant!.kind), threads);
  const before = [];
  const after = [];
  for (const { image } of images) {
    before.push((await detectFaces(image, parentRunner, pureImageOps)).faces);
    after.push((await detectFaces(image, variantRunner, pureImageOps)).faces);
  }
  await parentRunner.release();
  await variantRunner.release();
  return detectionDelta(before, after);
}

/** Recorded and measured agree: counts exactly, continuous figures to 10% (+ a small absolute slack for other CPUs). */
function expectSameAccuracy(recorded: VariantAccuracy | null, measured: VariantAccuracy, id: string): void {
  expect(recorded, `${id}: the catalog records no accuracy; measured ${JSON.stringify(measured)}`).not.toBeNull();
  expect(recorded!.kind).toBe(measured.kind);
  for (const [key, value] of Object.entries(measured)) {
    const stored = (recorded as Record<string, unknown>)[key];
    if (typeof value === 'number' && !Number.isInteger(value)) {
      expect(Math.abs((stored as number) - value), `${id}.${key}: catalog ${stored}, measured ${value}`).toBeLessThanOrEqual(
        0.1 * value + 2e-3,
      );
    } else {
      expect(stored, `${id}.${key}`).toEqual(value);
    }
  }
}

describe('production variants against their fp32 parents (onnxruntime-node)', () => {
  it('has variants of every installable model family', () => {
    const parents = new Set(variants.map((entry) => entry.variant!.parent));
    for (const entry of MODEL_CATALOG.filter((candidate) => candidate.inMirror && candidate.task !== 'labels'))
      expect(parents, entry.id).toContain(entry.id);
  });

  const measured = new Map<string, VariantAccuracy>();
  for (const entry of variants) {
    const ready = requireModels(entry.id, entry.variant!.parent);
    it.runIf(ready)(
      `${entry.id}: accuracy against ${entry.variant!.parent} matches the catalog`,
      async () => {
        const accuracy = await measure(entry);
        measured.set(entry.id, accuracy);
        console.log(`${entry.id}: ${JSON.stringify(accuracy)}`);
        expectSameAccuracy(entry.variant!.accuracy, accuracy, entry.id);
      },
      300_000,
    );
  }

  it('defaults: classifier at most 30 MB with the same top-1 everywhere; descriptor at most 7 MB with no flipped verdict', () => {
    const classifier = defaultVariant('resnet50-keras-imagenet');
    const descriptor = defaultVariant('dlib-face-resnet-v1');
    console.log(`defaults: ${classifier.id} (${classifier.bytes} bytes), ${descriptor.id} (${descriptor.bytes} bytes)`);
    expect(classifier.bytes!).toBeLessThanOrEqual(30e6);
    expect(descriptor.bytes!).toBeLessThanOrEqual(7e6);
    for (const entry of [classifier, descriptor]) {
      const accuracy = measured.get(entry.id) ?? entry.variant?.accuracy ?? null;
      expect(withinBounds(accuracy), `${entry.id}: ${JSON.stringify(accuracy)}`).toBe(true);
    }
  });
});
