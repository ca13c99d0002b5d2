import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmax,
  confusionMatrix,
  headProbabilities,
  predictNearestCentroid,
  splitTrainHeldOut,
  trainLinearHead,
  trainNearestCentroid,
} from '../../src/inference/math/linear-head.ts';
import { HeadFileError, headToFile, parseHeadFile } from '../../src/inference/math/head-file.ts';
import { gaussian, seededRandom } from '../../src/inference/math/random.ts';

/** Two Gaussian clusters in 16-d, means +-mu on the first axis only. */
function clusters(perClass: number, mu: number, seed: number) {
  const random = seededRandom(seed);
  const features: Float32Array[] = [];
  const labels: number[] = [];
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < perClass; i++) {
      const v = Float32Array.from({ length: 16 }, () => gaussian(random));
      v[0]! += c === 0 ? -mu : mu;
      features.push(v);
      labels.push(c);
    }
  }
  return { features, labels };
}

describe('seeded random', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(c()).not.toBe(first[0]);
    for (const value of first) expect(value >= 0 && value < 1).toBe(true);
  });
});

describe('linear softmax head', () => {
  it('reduces the loss and separates separable clusters', () => {
    const { features, labels } = clusters(20, 3, 1);
    const { head, initialLoss, finalLoss } = trainLinearHead(features, labels, ['left', 'right']);
    expect(initialLoss).toBeCloseTo(Math.log(2), 6); // zero weights: uniform probabilities
    expect(finalLoss).toBeLessThan(initialLoss / 3);
    const predicted = features.map((f) => argmax(headProbabilities(head, f)));
    expect(accuracy(labels, predicted)).toBeGreaterThanOrEqual(0.95);
    const test = clusters(30, 3, 99);
    const testPredicted = test.features.map((f) => argmax(headProbabilities(head, f)));
    expect(accuracy(test.labels, testPredicted)).toBeGreaterThanOrEqual(0.9);
  });

  it('is deterministic and stronger L2 keeps weights smaller', () => {
    const { features, labels } = clusters(10, 2, 3);
    const a = trainLinearHead(features, labels, ['a', 'b'], { steps: 100, learningRate: 0.01, l2: 0.001 });
    const b = trainLinearHead(features, labels, ['a', 'b'], { steps: 100, learningRate: 0.01, l2: 0.001 });
    expect(Array.from(a.head.weights)).toEqual(Array.from(b.head.weights));
    const strong = trainLinearHead(features, labels, ['a', 'b'], { steps: 100, learningRate: 0.01, l2: 10 });
    const norm = (w: Float32Array) => Math.hypot(...w);
    expect(norm(strong.head.weights)).toBeLessThan(norm(a.head.weights));
  });

  it('refuses one class, a class without examples and ragged features', () => {
    const { features, labels } = clusters(3, 1, 5);
    expect(() =>
      trainLinearHead(
        features,
        labels.map(() => 0),
        ['only'],
      ),
    ).toThrow(/at least two classes/);
    expect(() =>
      trainLinearHead(
        features,
        labels.map(() => 0),
        ['a', 'b'],
      ),
    ).toThrow(/Class 2 has no training examples/);
    expect(() => trainLinearHead([new Float32Array(3), new Float32Array(4)], [0, 1], ['a', 'b'])).toThrow(/has 4 features, expected 3/);
    expect(() => trainLinearHead([], [], ['a', 'b'])).toThrow(/No training examples/);
  });
});

describe('nearest centroid, confusion matrix, split', () => {
  it('classifies by the closest class mean', () => {
    const model = trainNearestCentroid([Float32Array.of(0, 0), Float32Array.of(2, 0), Float32Array.of(10, 10)], [0, 0, 1], ['a', 'b']);
    expect(Array.from(model.centroids[0]!)).toEqual([1, 0]);
    expect(predictNearestCentroid(model, [1.5, 1])).toBe(0);
    expect(predictNearestCentroid(model, [8, 9])).toBe(1);
  });

  it('counts true x predicted', () => {
    expect(confusionMatrix([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], 3)).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
    expect(accuracy([0, 1], [0, 0])).toBe(0.5);
    expect(accuracy([], [])).toBeNull();
  });

  it('splits per class, keeps groups together, leaves one to train', () => {
    const labels = [0, 0, 0, 0, 1, 1, 1, 1, 2];
    const groups = [0, 0, 1, 1, 2, 2, 3, 3, 4];
    const { train, heldOut } = splitTrainHeldOut(labels, 0.5, 11, groups);
    expect([...train, ...heldOut].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    for (const i of heldOut) for (const j of train) expect(groups[i]).not.toBe(groups[j]);
    for (const c of [0, 1]) {
      expect(heldOut.some((i) => labels[i] === c)).toBe(true);
      expect(train.some((i) => labels[i] === c)).toBe(true);
    }
    expect(train).toContain(8); // a class of one example is never held out
    expect(splitTrainHeldOut(labels, 0.5, 11, groups)).toEqual({ train, heldOut });
  });
});

describe('head file', () => {
  const { features, labels } = clusters(4, 2, 2);
  const { head } = trainLinearHead(features, labels, ['cat', 'cup'], { steps: 20, learningRate: 0.01, l2: 0.01 });
  const model = { modelId: 'm-features', featureOutput: 'features', dimension: 16 };
  const text = JSON.stringify(
    headToFile(head, model, { examples: [4, 4], trainAccuracy: 1, heldOutAccuracy: null, createdAt: '2026-01-01' }),
  );

  it('round-trips a head within float32 precision', () => {
    const parsed = parseHeadFile(text, model).head;
    expect(parsed.classes).toEqual(['cat', 'cup']);
    const probe = features[0]!;
    const before = headProbabilities(head, probe);
    const after = headProbabilities(parsed, probe);
    for (let c = 0; c < 2; c++) expect(after[c]).toBeCloseTo(before[c]!, 5);
  });

  it('refuses what is not a head for this model', () => {
    expect(() => parseHeadFile('not json', model)).toThrow(HeadFileError);
    expect(() => parseHeadFile('{"format":"something"}', model)).toThrow(/not a head exported by this demo/);
    expect(() => parseHeadFile(text, { ...model, modelId: 'other' })).toThrow(/not the "features" features of other/);
    expect(() => parseHeadFile(text, { ...model, dimension: 32 })).toThrow(/expects 16 features/);
    const broken = JSON.parse(text);
    broken.weights[1][3] = 'x';
    expect(() => parseHeadFile(JSON.stringify(broken), model)).toThrow(/weights row 2/);
    const oneClass = JSON.parse(text);
    oneClass.classes = ['cat'];
    expect(() => parseHeadFile(JSON.stringify(oneClass), model)).toThrow(/at least two named classes/);
  });
});
