/**
 * Measure a variant against its fp32 parent on onnxruntime-node, over every sample image and
 * its transformed copies: the figures the catalog records (VariantAccuracy). Shared by
 * tests/integration/variants.test.ts (which checks the catalog against them) and the variant
 * benchmark (which publishes them). Build tooling only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pureImageOps } from '../../inference/math/image.ts';
import { classify, parseLabels } from '../../inference/tasks/classify.ts';
import { detectFaces } from '../../inference/tasks/detect-faces.ts';
import { embedChips } from '../../inference/tasks/embed-faces.ts';
import { getModel, type ModelEntry, type VariantAccuracy } from '../catalog.ts';
import { classificationDelta, detectionDelta, embeddingDelta } from './accuracy.ts';
import type { NamedImage } from './evaluation-images.ts';
import { alignedChips, createFileRunner, mtcnnAliases } from './node-tools.ts';

const ONE_THREAD = { intraOpNumThreads: 1 };

/** The accuracy of `entry` (a variant) against its parent on `images`. */
export async function measureVariantAccuracy(
  entry: ModelEntry,
  images: readonly NamedImage[],
  modelsDir: string,
): Promise<VariantAccuracy> {
  if (!entry.variant) throw new Error(`${entry.id} is not a variant`);
  const parent = getModel(entry.variant.parent);
  if (entry.task === 'image-classification') {
    const labels = parseLabels(readFileSync(join(modelsDir, getModel(parent.labels!).file), 'utf8'));
    const runner = createFileRunner(modelsDir, {}, ONE_THREAD);
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
    try {
      return classificationDelta(await probabilities(parent), await probabilities(entry));
    } finally {
      await runner.release();
    }
  }
  if (entry.task === 'face-embedding') {
    // Faces found and aligned by the fp32 detector, so only the descriptor differs.
    const runner = createFileRunner(modelsDir, {}, ONE_THREAD);
    try {
      const chips = (await alignedChips(images, parent, runner)).map((chip) => chip.image);
      return embeddingDelta(
        await embedChips(chips, runner, parent),
        await embedChips(chips, runner, entry),
        parent.verification!.threshold,
      );
    } finally {
      await runner.release();
    }
  }
  if (entry.task === 'face-detection') {
    // The whole cascade with all three nets in this variant kind.
    const parentRunner = createFileRunner(modelsDir, {}, ONE_THREAD);
    const variantRunner = createFileRunner(modelsDir, mtcnnAliases(entry.variant.kind), ONE_THREAD);
    try {
      const before = [];
      const after = [];
      for (const { image } of images) {
        before.push((await detectFaces(image, parentRunner, pureImageOps)).faces);
        after.push((await detectFaces(image, variantRunner, pureImageOps)).faces);
      }
      return detectionDelta(before, after);
    } finally {
      await parentRunner.release();
      await variantRunner.release();
    }
  }
  throw new Error(`No accuracy measure for ${entry.id} (${entry.task})`);
}
