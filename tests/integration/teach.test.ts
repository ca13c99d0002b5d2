/**
 * The features file and transfer learning on onnxruntime-node: the derived file gives the same
 * class probabilities as its parent plus 2048 pooled features that the parent's own final layer
 * maps to its logits; a head trained on augmented copies of two samples tells them apart.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { featuresModelFor, getModel } from '../../src/models/catalog.ts';
import { deriveFile } from '../../src/models/variants/expose-output.ts';
import { decodeModel, readFloat32 } from '../../src/models/variants/onnx-io.ts';
import {
  accuracy,
  argmax,
  headProbabilities,
  splitTrainHeldOut,
  trainNearestCentroid,
  predictNearestCentroid,
} from '../../src/inference/math/linear-head.ts';
import { parseLabels } from '../../src/inference/tasks/classify.ts';
import { extractFeatures, trainHead, type FeatureExtraction } from '../../src/inference/tasks/teach.ts';
import { readSample } from '../helpers/images.ts';
import { createNodeRunner, modelPath, requireModels } from '../helpers/models.ts';

const PARENT = 'resnet50-keras-imagenet';
const features = featuresModelFor(PARENT)!;
const ready = requireModels(PARENT, features.id, 'imagenet-labels');

describe.runIf(ready)('features file and linear head (onnxruntime-node)', () => {
  const runner = createNodeRunner({ intraOpNumThreads: 1 });
  let labels: string[];
  const extracted: Record<string, FeatureExtraction> = {};

  beforeAll(async () => {
    labels = parseLabels(readFileSync(modelPath('imagenet-labels'), 'utf8'));
    for (const sample of ['chelsea', 'coffee']) {
      extracted[sample] = await extractFeatures(readSample(sample), features, labels, runner, { augment: 6, seed: 1, previews: false });
    }
  }, 240_000);

  it('is derived deterministically to its pins', () => {
    const transform = getModel(features.id).features!.transform;
    const parentBytes = readFileSync(modelPath(PARENT));
    const bytes = deriveFile(parentBytes, transform);
    expect(bytes.length).toBe(features.bytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(features.sha256);
    expect(featuresModelFor(`${PARENT}-int8`)?.id).toBe(features.id);
  });

  it('keeps the parent probabilities and exposes 2048 pooled features that the final layer maps to the logits', async () => {
    const image = readSample('chelsea');
    const pre = features.preprocessing!;
    const { imagesToTensor, resizeAndCrop } = await import('../../src/inference/math/preprocess.ts');
    const tensor = imagesToTensor([resizeAndCrop(image, pre)], pre);
    const parent = await runner.run(PARENT, { input: tensor });
    const derived = await runner.run(features.id, { input: tensor });
    const maxDiff = Math.max(...Array.from(parent.probs!.data, (value, i) => Math.abs(value - derived.probs!.data[i]!)));
    expect(maxDiff).toBeLessThan(1e-6);
    const pooled = derived.features!;
    expect(pooled.dims).toEqual([1, 2048]);
    expect(Math.min(...pooled.data)).toBeGreaterThanOrEqual(0); // average of ReLU outputs
    // logits = features x fc1000/kernel + fc1000/bias, with the parent's own weights.
    const graph = decodeModel(readFileSync(modelPath(PARENT))).graph!;
    const kernel = readFloat32(graph.initializer.find((t) => t.name === 'fc1000/kernel')!);
    const bias = readFloat32(graph.initializer.find((t) => t.name === 'fc1000/bias')!);
    for (const c of [285, 967, 0]) {
      let sum = bias[c]!;
      for (let j = 0; j < 2048; j++) sum += pooled.data[j]! * kernel[j * 1000 + c]!;
      expect(sum).toBeCloseTo(derived.logits!.data[c]!, 3);
    }
    expect(extracted.chelsea!.top[0]!.label).toMatch(/cat/);
  });

  it('trains a head on augmented copies that classifies held-out copies and a fresh one', async () => {
    const vectors = [...extracted.chelsea!.features, ...extracted.coffee!.features];
    const classLabels = vectors.map((_, i) => (i < extracted.chelsea!.features.length ? 0 : 1));
    const { train, heldOut } = splitTrainHeldOut(classLabels, 0.25, 1);
    expect(heldOut.length).toBeGreaterThanOrEqual(2);
    const result = trainHead(
      train.map((i) => vectors[i]!),
      train.map((i) => classLabels[i]!),
      ['cat', 'cup'],
    );
    expect(result.finalLoss).toBeLessThan(result.initialLoss);
    const predict = (v: Float32Array) => argmax(headProbabilities(result.head, v));
    expect(
      accuracy(
        train.map((i) => classLabels[i]!),
        train.map((i) => predict(vectors[i]!)),
      ),
    ).toBe(1);
    expect(
      accuracy(
        heldOut.map((i) => classLabels[i]!),
        heldOut.map((i) => predict(vectors[i]!)),
      ),
    ).toBe(1);
    const baseline = trainNearestCentroid(
      train.map((i) => vectors[i]!),
      train.map((i) => classLabels[i]!),
      ['cat', 'cup'],
    );
    expect(heldOut.every((i) => predictNearestCentroid(baseline, vectors[i]!) === classLabels[i])).toBe(true);
    // A copy made with another seed was never seen: still a cat.
    const fresh = await extractFeatures(readSample('chelsea'), features, labels, runner, { augment: 1, seed: 77, previews: false });
    const probabilities = headProbabilities(result.head, fresh.features[1]!);
    expect(probabilities[0]).toBeGreaterThan(0.5);
    console.log(
      `head: ${result.trainMs.toFixed(0)} ms to train on ${train.length} examples (loaded machine); fresh cat p=${probabilities[0]!.toFixed(3)}`,
    );
  }, 60_000);
});
